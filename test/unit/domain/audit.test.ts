import { describe, expect, it } from "vitest";
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES, redactMetadata } from "~/domain/audit/actions";
import { remainingCredits } from "~/domain/credits/balance";

describe("audit vocabulary", () => {
  it("uses only names the database's shape checks accept", () => {
    for (const action of AUDIT_ACTIONS) expect(action).toMatch(/^[A-Z0-9_]{3,64}$/);
    for (const type of AUDIT_ENTITY_TYPES) expect(type).toMatch(/^[a-z0-9_]{2,64}$/);
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
  });

  it("never stores secrets in metadata, however deep", () => {
    const cleaned = redactMetadata({
      email: "a@b.test",
      password: "hunter2",
      key: "AAAAA-BBBBB-CCCCC",
      code: "654321",
      nested: { licenseKey: "AAAAA-BBBBB", list: [{ totpCode: "123456", ok: true }] },
      note: "x".repeat(600),
    });
    expect(cleaned).toEqual({
      email: "a@b.test",
      password: "[redacted]",
      key: "[redacted]",
      code: "[redacted]",
      nested: { licenseKey: "[redacted]", list: [{ totpCode: "[redacted]", ok: true }] },
      note: `${"x".repeat(500)}…`,
    });
  });
});

describe("credits", () => {
  it("derives the remaining balance from total and used", () => {
    expect(remainingCredits({ totalCredits: 20, usedCredits: 7 })).toBe(13);
  });
});
