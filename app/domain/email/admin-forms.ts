import { z } from "~/lib/zod";
import { EMAIL_STATUSES } from "#db/schema/enums";

/** `/admin/outbox?status=&cursor=`, parsed leniently: bad values are dropped. */
export const OutboxQuerySchema = z.object({
  status: z.enum(EMAIL_STATUSES).nullable().catch(null),
  cursor: z.string().max(200).nullable().catch(null),
});

export const EmailIdSchema = z.string().regex(/^[a-z0-9]{1,64}$/);
