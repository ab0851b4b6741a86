import { z } from "~/lib/zod";
import { EMAIL_STATUSES } from "#db/schema/enums";
import { CursorParamSchema, parseSearchParams } from "~/domain/auth/admin-forms";

/** The status filter of /admin/outbox. */
export const OutboxSearchSchema = z.object({
  status: z.enum(EMAIL_STATUSES).optional().catch(undefined),
  cursor: CursorParamSchema,
});
export type OutboxSearch = z.infer<typeof OutboxSearchSchema>;

export const parseOutboxSearch = (params: URLSearchParams) =>
  parseSearchParams(OutboxSearchSchema, params);
