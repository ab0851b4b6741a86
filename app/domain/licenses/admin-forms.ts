import { z } from "~/lib/zod";
import { LICENSE_STATUSES } from "#db/schema/enums";
import { adminSearchParser, ReasonSchema } from "~/domain/auth/admin-forms";
import { LICENSE_ABUSE_FILTERS, LICENSE_STATUS_INTENTS } from "./status-intents";

/**
 * The forms of /admin/licenses. In their own module (imported only by loaders, actions and
 * services) so the browser bundle never pulls in zod.
 */

/** The search form of /admin/licenses; `abuse=FLAGGED` lists what the abuse check flagged. */
export const parseLicenseSearch = adminSearchParser({
  status: LICENSE_STATUSES,
  abuse: LICENSE_ABUSE_FILTERS,
});

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
