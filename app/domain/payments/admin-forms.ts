import { z } from "~/lib/zod";
import { PURCHASE_STATUSES } from "#db/schema/enums";
import { ReasonSchema } from "~/domain/auth/admin-forms";

/**
 * The forms of /admin/purchases. In their own module (imported only by loaders, actions and
 * services) so the browser bundle never pulls in zod.
 */

const SearchText = z
  .string()
  .trim()
  .max(100)
  .optional()
  .catch(undefined)
  .transform((value) => value || undefined);

/** The search form of /admin/purchases, parsed leniently: a bad value is simply ignored. */
export const PurchaseSearchSchema = z.object({
  q: SearchText,
  status: z.enum(PURCHASE_STATUSES).optional().catch(undefined),
  cursor: z.string().max(200).optional().catch(undefined),
});
export type PurchaseSearch = z.infer<typeof PurchaseSearchSchema>;

export function parsePurchaseSearch(params: URLSearchParams): PurchaseSearch {
  return PurchaseSearchSchema.parse({
    q: params.get("q") ?? undefined,
    status: params.get("status") ?? undefined,
    cursor: params.get("cursor") ?? undefined,
  });
}

/** A refund always says why: the reason goes into the audit log. */
export const PurchaseAdminFormSchema = z.object({
  intent: z.literal("refund"),
  reason: ReasonSchema,
});
export type PurchaseAdminForm = z.infer<typeof PurchaseAdminFormSchema>;
