import { describe, expect, it } from "vitest";
import type { AccountStatus, LicenseStatus } from "#db/schema/enums";
import {
  effectiveLicenseStatus,
  isLicenseExpired,
  licenseStatusBadge,
} from "~/domain/licenses/status";

const now = new Date("2026-06-01T12:00:00Z");
const past = new Date("2026-05-31T12:00:00Z");
const future = new Date("2026-07-01T12:00:00Z");

describe("effectiveLicenseStatus (owner banned > suspended > expired > revoked)", () => {
  const table: Array<[LicenseStatus, Date | null, AccountStatus, string]> = [
    ["ACTIVE", null, "ACTIVE", "VALID"],
    ["ACTIVE", future, "ACTIVE", "VALID"],
    ["ACTIVE", past, "ACTIVE", "EXPIRED"],
    ["ACTIVE", now, "ACTIVE", "EXPIRED"],
    ["EXPIRED", null, "ACTIVE", "EXPIRED"],
    ["REVOKED", null, "ACTIVE", "REVOKED"],
    ["REVOKED", past, "ACTIVE", "EXPIRED"],
    ["SUSPENDED", null, "ACTIVE", "SUSPENDED"],
    ["SUSPENDED", past, "ACTIVE", "SUSPENDED"],
    ["ACTIVE", null, "BANNED", "OWNER_BANNED"],
    ["SUSPENDED", past, "BANNED", "OWNER_BANNED"],
    ["REVOKED", null, "BANNED", "OWNER_BANNED"],
    // Only a ban stops an owner's keys; a locked or suspended account still owns them.
    ["ACTIVE", null, "LOCKED", "VALID"],
    ["ACTIVE", null, "SUSPENDED", "VALID"],
    ["REVOKED", null, "SUSPENDED", "REVOKED"],
  ];

  it.each(table)("%s, expiring %s, owner %s → %s", (status, expiresAt, ownerStatus, code) => {
    const result = effectiveLicenseStatus({ status, expiresAt, ownerStatus }, now);
    expect(result.code).toBe(code);
    expect(result.valid).toBe(code === "VALID");
    expect(result.detail).toMatch(/^[A-Z].*\.$/);
  });

  it("treats the expiry instant itself as expired", () => {
    expect(isLicenseExpired({ status: "ACTIVE", expiresAt: now }, now)).toBe(true);
    expect(
      isLicenseExpired({ status: "ACTIVE", expiresAt: new Date(now.getTime() + 1) }, now),
    ).toBe(false);
  });
});

describe("licenseStatusBadge", () => {
  it("labels every state an owner can see", () => {
    expect(licenseStatusBadge("VALID")).toEqual({ label: "Active", tone: "success" });
    expect(licenseStatusBadge("EXPIRED").tone).toBe("neutral");
    for (const code of ["SUSPENDED", "REVOKED", "OWNER_BANNED"] as const) {
      expect(licenseStatusBadge(code).tone).toBe("danger");
    }
  });
});
