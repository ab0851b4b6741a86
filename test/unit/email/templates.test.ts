import { describe, expect, it } from "vitest";
import {
  accountRestrictedEmail,
  purchaseReceiptEmail,
  resetRequestDecidedEmail,
  twoFactorChangedEmail,
} from "~/domain/email/templates";

describe("email templates", () => {
  it("writes the receipt with the amount paid and no license key", () => {
    const email = purchaseReceiptEmail({
      id: "p1",
      buyerName: "Ada",
      productName: "Grid Kit",
      licenseType: "COMMERCIAL",
      amountCents: 19900,
      currency: "USD",
    });
    expect(email).toEqual({
      template: "purchase-receipt",
      subject: "Your receipt for Grid Kit",
      bodyText: [
        "Hi Ada,",
        "",
        "Thank you for buying Grid Kit (commercial license).",
        "Amount paid: $199.00",
        "Order reference: p1",
        "",
        "Your license key and downloads are waiting in your account under Licenses.",
      ].join("\n"),
    });
  });

  it("says two-factor is on or off, with the time in UTC", () => {
    const at = new Date("2031-05-06T07:08:09Z");
    const on = twoFactorChangedEmail({ enabled: true, name: "Ada", email: "a@x.test", at });
    expect(on.template).toBe("two-factor-enabled");
    expect(on.subject).toBe("Two-factor authentication is on for your account");
    expect(on.bodyText).toBe(
      [
        "Hello Ada,",
        "",
        "Two-factor authentication was turned on for your Studio Store account (a@x.test) on 2031-05-06 07:08 UTC.",
        "From now on, signing in asks for a code from your authenticator app. Keep your recovery codes somewhere safe: each one works once if you lose your phone.",
        "",
        "If this was not you, reset your password and contact us right away.",
      ].join("\n"),
    );
    const off = twoFactorChangedEmail({ enabled: false, name: "Ada", email: "a@x.test", at });
    expect(off.template).toBe("two-factor-disabled");
    expect(off.subject).toBe("Two-factor authentication is off for your account");
    expect(off.bodyText).toContain("Signing in now needs only your password.");
    expect(off.bodyText).toContain(
      "If this was not you, reset your password, turn two-factor authentication back on and contact us right away.",
    );
  });

  it("names the template after the decision or the restriction", () => {
    const decided = { requesterName: "Ada", productName: "Grid Kit", licenseId: "l1", notes: null };
    expect(resetRequestDecidedEmail({ ...decided, decision: "approve" }).template).toBe(
      "reset-request-approved",
    );
    const rejected = resetRequestDecidedEmail({ ...decided, decision: "reject", notes: "Sorry" });
    expect(rejected.template).toBe("reset-request-rejected");
    expect(rejected.bodyText).toContain("was not approved.\n\nNotes from our team: Sorry");
    const banned = accountRestrictedEmail({ status: "BANNED", name: "Ada", reason: "Fraud" });
    expect(banned).toMatchObject({
      template: "account-banned",
      subject: "Your Studio Store account has been closed",
    });
    expect(banned.bodyText).toContain("Reason: Fraud");
  });
});
