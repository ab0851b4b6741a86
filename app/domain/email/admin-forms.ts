import { EMAIL_STATUSES } from "#db/schema/enums";
import { adminSearchParser } from "~/domain/auth/admin-forms";

/** The status filter of /admin/outbox. */
export const parseOutboxSearch = adminSearchParser({ status: EMAIL_STATUSES });
