import type { AccountStatus, LicenseStatus } from "#db/schema/enums";

/**
 * What the license API answers about a key (docs/architecture.md §7). Codes are part of the public
 * contract: buyers' software switches on them, so they are never renamed.
 */
export const LICENSE_API_CODES = [
  "VALID",
  "NOT_FOUND",
  "EXPIRED",
  "SUSPENDED",
  "REVOKED",
  "TOO_MANY_USERS",
  "OWNER_BANNED",
] as const;
export type LicenseApiCode = (typeof LICENSE_API_CODES)[number];

export interface LicenseStatusFacts {
  status: LicenseStatus;
  expiresAt: Date | null;
  ownerStatus: AccountStatus;
}

export interface EffectiveStatus {
  code: Exclude<LicenseApiCode, "NOT_FOUND" | "TOO_MANY_USERS">;
  valid: boolean;
  detail: string;
}

/** A license past its expiry is expired whatever its stored status says (no cron needed). */
export function isLicenseExpired(
  facts: Pick<LicenseStatusFacts, "status" | "expiresAt">,
  now: Date,
) {
  return (
    facts.status === "EXPIRED" ||
    (facts.expiresAt !== null && facts.expiresAt.getTime() <= now.getTime())
  );
}

/**
 * The one answer for a license, with the precedence of docs/architecture.md §7: owner banned > suspended >
 * expired > revoked. A banned owner's licenses stop working at once; a suspension (dispute,
 * abuse review) is named before an expiry because it is the thing the buyer can act on.
 * Only a BANNED owner blocks a license; a locked or suspended account still owns working keys.
 */
export function effectiveLicenseStatus(facts: LicenseStatusFacts, now: Date): EffectiveStatus {
  if (facts.ownerStatus === "BANNED") {
    return {
      code: "OWNER_BANNED",
      valid: false,
      detail: "The account that owns this license has been banned, so the license no longer works.",
    };
  }
  if (facts.status === "SUSPENDED") {
    return {
      code: "SUSPENDED",
      valid: false,
      detail: "This license is suspended while we review it. Contact support to restore it.",
    };
  }
  if (isLicenseExpired(facts, now)) {
    return {
      code: "EXPIRED",
      valid: false,
      detail: "This license has expired. Renew it to keep using the software.",
    };
  }
  if (facts.status === "REVOKED") {
    return {
      code: "REVOKED",
      valid: false,
      detail: "This license has been revoked (for example after a refund) and no longer works.",
    };
  }
  return { code: "VALID", valid: true, detail: "This license is valid." };
}

/** How a license's state is shown to its owner: a short label and the badge's tone. */
export function licenseStatusBadge(code: EffectiveStatus["code"]): {
  label: string;
  tone: "success" | "danger" | "neutral";
} {
  switch (code) {
    case "VALID":
      return { label: "Active", tone: "success" };
    case "SUSPENDED":
      return { label: "Suspended", tone: "danger" };
    case "EXPIRED":
      return { label: "Expired", tone: "neutral" };
    case "REVOKED":
      return { label: "Revoked", tone: "danger" };
    case "OWNER_BANNED":
      return { label: "Blocked", tone: "danger" };
  }
}
