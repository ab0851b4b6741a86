import { z } from "~/lib/zod";
import { PURCHASE_STATUSES } from "#db/schema/enums";
import { adminSearchParser, ReasonSchema } from "~/domain/auth/admin-forms";

/**
 * The forms of /admin/purchases. In their own module (imported only by loaders, actions and
 * services) so the browser bundle never pulls in zod.
 */

/** The search form of /admin/purchases. */
export const parsePurchaseSearch = adminSearchParser({ status: PURCHASE_STATUSES });

/** A refund always says why: the reason goes into the audit log. */
export const PurchaseAdminFormSchema = z.object({
  intent: z.literal("refund"),
  reason: ReasonSchema,
});
export type PurchaseAdminForm = z.infer<typeof PurchaseAdminFormSchema>;
