import { z } from "~/lib/zod";
import { LICENSE_STATUSES } from "#db/schema/enums";
import { ReasonSchema } from "~/domain/auth/admin-forms";

/**
 * The forms of /admin/licenses. In their own module (imported only by loaders, actions and
 * services) so the browser bundle never pulls in zod.
 */

export const LICENSE_ABUSE_FILTERS = ["FLAGGED"] as const;

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

export const LICENSE_STATUS_INTENTS = ["suspend", "revoke", "reinstate"] as const;
export type LicenseStatusIntent = (typeof LICENSE_STATUS_INTENTS)[number];

/** The stored status each intent asks `setLicenseStatus` for. */
export const LICENSE_STATUS_FOR_INTENT = {
  suspend: "SUSPENDED",
  revoke: "REVOKED",
  reinstate: "ACTIVE",
} as const satisfies Record<LicenseStatusIntent, "SUSPENDED" | "REVOKED" | "ACTIVE">;

/** Every license change says why, reinstating included: the reason is shown and audited. */
export const LicenseAdminFormSchema = z.object({
  intent: z.enum(LICENSE_STATUS_INTENTS),
  reason: ReasonSchema,
});
export type LicenseAdminForm = z.infer<typeof LicenseAdminFormSchema>;

/** Which changes a license in `status` can take (mirrors what `setLicenseStatus` allows). */
export function licenseStatusIntents(status: string): LicenseStatusIntent[] {
  switch (status) {
    case "ACTIVE":
      return ["suspend", "revoke"];
    case "SUSPENDED":
      return ["reinstate", "revoke"];
    case "EXPIRED":
      return ["revoke"];
    case "REVOKED":
      return ["reinstate"];
    default:
      return [];
  }
}
