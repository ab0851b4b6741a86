import { z } from "~/lib/zod";
import { LICENSE_STATUSES } from "#db/schema/enums";
import {
  CursorParamSchema,
  parseSearchParams,
  ReasonSchema,
  SearchTextSchema,
} from "~/domain/auth/admin-forms";
import { LICENSE_ABUSE_FILTERS, LICENSE_STATUS_INTENTS } from "./status-intents";

/**
 * The forms of /admin/licenses. In their own module (imported only by loaders, actions and
 * services) so the browser bundle never pulls in zod.
 */

/** The search form of /admin/licenses. */
export const LicenseSearchSchema = z.object({
  q: SearchTextSchema,
  status: z.enum(LICENSE_STATUSES).optional().catch(undefined),
  /** `FLAGGED`: only licenses the abuse check flagged, for moderator review. */
  abuse: z.enum(LICENSE_ABUSE_FILTERS).optional().catch(undefined),
  cursor: CursorParamSchema,
});
export type LicenseSearch = z.infer<typeof LicenseSearchSchema>;

export const parseLicenseSearch = (params: URLSearchParams) =>
  parseSearchParams(LicenseSearchSchema, params);

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
