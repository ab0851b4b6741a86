import { describe, expect, it } from "vitest";
import { redactEmailLinks } from "~/domain/email/redact";

describe("outbox link redaction", () => {
  const body = "Open https://store.example/consent/eyJhYmMiOjF9.c2ln-_x within 14 days.";

  it("hides consent tokens from staff outside development", () => {
    for (const environment of ["production", "staging", "test"]) {
      const redacted = redactEmailLinks(body, environment);
      expect(redacted).not.toContain("eyJhYmMiOjF9");
      expect(redacted).toContain("/consent/[hidden");
    }
  });

  it("hides email verification and email change links too", () => {
    const link = "Open https://store.example/verify-email/AbC_d-123 now.";
    expect(redactEmailLinks(link, "production")).toBe(
      "Open https://store.example/verify-email/[hidden: only the recipient's copy works] now.",
    );
  });

  it("hides password reset tokens too", () => {
    const reset = "Open https://store.example/reset-password/AbC_d-123xyz to choose a password.";
    const redacted = redactEmailLinks(reset, "production");
    expect(redacted).not.toContain("AbC_d-123xyz");
    expect(redacted).toContain("/reset-password/[hidden");
  });

  it("keeps them in development, where the outbox is the only way to follow them", () => {
    expect(redactEmailLinks(body, "development")).toBe(body);
  });
});
