/**
 * What staff can do to a license, as plain constants: the admin pages render them, so they
 * live apart from the zod schemas in `admin-forms.ts` (kept out of the browser bundle).
 */

/** `FLAGGED`: only licenses the abuse check flagged, for moderator review. */
export const LICENSE_ABUSE_FILTERS = ["FLAGGED"] as const;

export const LICENSE_STATUS_INTENTS = ["suspend", "revoke", "reinstate"] as const;
export type LicenseStatusIntent = (typeof LICENSE_STATUS_INTENTS)[number];

/** The stored status each intent asks `setLicenseStatus` for. */
export const LICENSE_STATUS_FOR_INTENT = {
  suspend: "SUSPENDED",
  revoke: "REVOKED",
  reinstate: "ACTIVE",
} as const satisfies Record<LicenseStatusIntent, "SUSPENDED" | "REVOKED" | "ACTIVE">;

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
