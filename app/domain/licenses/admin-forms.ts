import { z } from "~/lib/zod";
import { LICENSE_STATUSES } from "#db/schema/enums";
import { ReasonSchema } from "~/domain/auth/admin-forms";
import { LICENSE_ABUSE_FILTERS, LICENSE_STATUS_INTENTS } from "./status-intents";

/**
 * The forms of /admin/licenses. In their own module (imported only by loaders, actions and
 * services) so the browser bundle never pulls in zod.
 */

/** The search form of /admin/licenses, parsed leniently: a bad value is simply ignored. */
export const LicenseSearchSchema = z.object({
  q: z
    .string()
    .trim()
    .max(100)
    .optional()
    .catch(undefined)
    .transform((value) => value || undefined),
  status: z.enum(LICENSE_STATUSES).optional().catch(undefined),
  /** `FLAGGED`: only licenses the abuse check flagged, for moderator review. */
  abuse: z.enum(LICENSE_ABUSE_FILTERS).optional().catch(undefined),
  cursor: z.string().max(200).optional().catch(undefined),
});
export type LicenseSearch = z.infer<typeof LicenseSearchSchema>;

export function parseLicenseSearch(params: URLSearchParams): LicenseSearch {
  return LicenseSearchSchema.parse({
    q: params.get("q") ?? undefined,
    status: params.get("status") ?? undefined,
    abuse: params.get("abuse") ?? undefined,
    cursor: params.get("cursor") ?? undefined,
  });
}

/** Every license change says why, reinstating included: the reason is shown and audited. */
export const LicenseAdminFormSchema = z.object({
  intent: z.enum(LICENSE_STATUS_INTENTS),
  reason: ReasonSchema,
});
export type LicenseAdminForm = z.infer<typeof LicenseAdminFormSchema>;

/** `/account/licenses/:licenseId` */
export const AccountLicenseParamsSchema = z.object({ licenseId: z.string().min(1).max(64) });

/** The owner's "Reveal key" button. */
export const RevealKeyFormSchema = z.object({ intent: z.literal("reveal-key") });

/** `?cursor=` of a cursor-paginated account list, parsed leniently. */
export const CursorQuerySchema = z.object({
  cursor: z.string().max(200).nullable().catch(null),
});
