import type { AccountStatus } from "#db/schema/enums";
import { formatMoney } from "~/domain/money";

/**
 * Every email the app sends, in words: the template name (stored on the outbox row, what tests
 * and /admin/outbox filter on), the subject and the plain-text body. Pure: services pass in
 * what the text needs and queue the result with `queueEmail` (services/email-outbox.server.ts)
 * in the batch of the change that causes it.
 */
export interface EmailContent {
  readonly template: string;
  readonly subject: string;
  readonly bodyText: string;
}

const lines = (...parts: string[]) => parts.join("\n");

// ---- Store ------------------------------------------------------------------------------------

/** The receipt: what was bought, for how much; never the license key (shown in the account). */
export function purchaseReceiptEmail(purchase: {
  id: string;
  buyerName: string;
  productName: string;
  licenseType: string;
  amountCents: number;
  currency: string;
}): EmailContent {
  return {
    template: "purchase-receipt",
    subject: `Your receipt for ${purchase.productName}`,
    bodyText: lines(
      `Hi ${purchase.buyerName},`,
      "",
      `Thank you for buying ${purchase.productName} (${purchase.licenseType.toLowerCase()} license).`,
      `Amount paid: ${formatMoney(purchase.amountCents, purchase.currency)}`,
      `Order reference: ${purchase.id}`,
      "",
      "Your license key and downloads are waiting in your account under Licenses.",
    ),
  };
}

/** To every moderator and above, when a license is suspended for download abuse. */
export function licenseAbuseEmail(input: {
  licenseId: string;
  distinctLimit: number;
}): EmailContent {
  return {
    template: "license-abuse",
    subject: "A license was suspended for download abuse",
    bodyText: `License ${input.licenseId} was downloaded from more than ${input.distinctLimit} different IP addresses or devices within 14 days and has been suspended automatically.\n\nReview it at /admin/licenses/${input.licenseId} and reinstate or revoke it.`,
  };
}

/** A moderator decided a download reset request; the owner reads the notes either way. */
export function resetRequestDecidedEmail(input: {
  decision: "approve" | "reject";
  requesterName: string;
  productName: string;
  licenseId: string;
  notes: string | null;
}): EmailContent {
  const approved = input.decision === "approve";
  const verdict = approved
    ? "approved: your license has its 3 downloads back, starting now."
    : "not approved.";
  return {
    template: approved ? "reset-request-approved" : "reset-request-rejected",
    subject: approved
      ? "Your download reset request was approved"
      : "Your download reset request was not approved",
    bodyText: `Hello ${input.requesterName},\n\nYour request to reset the downloads of your ${input.productName} license was ${verdict}${input.notes ? `\n\nNotes from our team: ${input.notes}` : ""}\n\nSee it at /account/licenses/${input.licenseId}.`,
  };
}

// ---- Accounts ---------------------------------------------------------------------------------

/** Who asks a guardian for consent, and the signed link that gives it. */
interface ConsentRequest {
  minorName: string;
  minorEmail: string;
  link: string;
}

/** Sign-up of a minor: the guardian's consent link. */
export function guardianConsentRequestEmail(input: ConsentRequest): EmailContent {
  return {
    template: "guardian-consent",
    subject: `${input.minorName} would like your consent to use Studio Store`,
    bodyText: `${input.minorName} (${input.minorEmail}) signed up to Studio Store and told us they are under 18. Until a parent or guardian agrees, they can browse but cannot buy or start a project.\n\nTo give your consent, open this link within 14 days:\n${input.link}\n\nIf you don't know who this is, ignore this email and nothing changes.`,
  };
}

/** The minor asked for the consent link again; earlier links stop working. */
export function guardianConsentReminderEmail(input: ConsentRequest): EmailContent {
  return {
    template: "guardian-consent",
    subject: `Reminder: ${input.minorName} would like your consent to use Studio Store`,
    bodyText: lines(
      `${input.minorName} (${input.minorEmail}) has a Studio Store account and told us they are under 18. They asked us to send you this link again. Until a parent or guardian agrees, they can browse but cannot buy or start a project.`,
      "",
      "To give your consent, open this link within 14 days (earlier links no longer work):",
      input.link,
      "",
      "If you don't know who this is, ignore this email and nothing changes.",
    ),
  };
}

/** To the minor, once their guardian agreed. */
export function guardianConsentGrantedEmail(input: { minorName: string }): EmailContent {
  return {
    template: "guardian-consent-granted",
    subject: "Your parent or guardian agreed: your account is ready",
    bodyText: lines(
      `Hello ${input.minorName},`,
      "",
      "Your parent or guardian has agreed to your Studio Store account. You can now buy products and start projects.",
      "",
      "If you have questions, just reply to this email.",
    ),
  };
}

/** Too many wrong passwords: the account is locked for a while. */
export function failedLoginLockEmail(input: { failedAttempts: number }): EmailContent {
  return {
    template: "account-locked",
    subject: "Your Studio Store account was locked for 15 minutes",
    bodyText: `Someone tried to log in to your account with a wrong password ${input.failedAttempts} times within an hour, so we locked it for 15 minutes. If this wasn't you, change your password after the lock ends.`,
  };
}

export function newDeviceSignInEmail(input: { userAgent: string | null }): EmailContent {
  return {
    template: "new-device-sign-in",
    subject: "New sign-in to your Studio Store account",
    bodyText: `Your account was just used to sign in from a new device (${input.userAgent ?? "unknown browser"}). If this wasn't you, open Account → Security, revoke the device and change your password.`,
  };
}

const RESTRICTION_WORDS: Record<
  Exclude<AccountStatus, "ACTIVE">,
  { subject: string; body: string }
> = {
  LOCKED: {
    subject: "Your Studio Store account has been locked",
    body: "Our team has locked your Studio Store account, and every device has been signed out.",
  },
  SUSPENDED: {
    subject: "Your Studio Store account has been suspended",
    body: "Our team has suspended your Studio Store account while we review it, and every device has been signed out.",
  },
  BANNED: {
    subject: "Your Studio Store account has been closed",
    body: "Our team has closed your Studio Store account for breaking the terms of service, and every device has been signed out.",
  },
};

/** Staff locked, suspended or banned an account, always with a reason. */
export function accountRestrictedEmail(input: {
  status: Exclude<AccountStatus, "ACTIVE">;
  name: string;
  reason: string;
}): EmailContent {
  const words = RESTRICTION_WORDS[input.status];
  return {
    template: `account-${input.status.toLowerCase()}`,
    subject: words.subject,
    bodyText: `Hello ${input.name},\n\n${words.body}\n\nReason: ${input.reason}\n\nIf you think this is a mistake, reply to this email.`,
  };
}

/** Two-factor authentication was switched on or off. */
export function twoFactorChangedEmail(input: {
  enabled: boolean;
  name: string;
  email: string;
  at: Date;
}): EmailContent {
  const when = input.at.toISOString().replace("T", " ").slice(0, 16) + " UTC";
  const state = input.enabled ? "on" : "off";
  return {
    template: input.enabled ? "two-factor-enabled" : "two-factor-disabled",
    subject: `Two-factor authentication is ${state} for your account`,
    bodyText: lines(
      `Hello ${input.name},`,
      "",
      `Two-factor authentication was turned ${state} for your Studio Store account (${input.email}) on ${when}.`,
      input.enabled
        ? "From now on, signing in asks for a code from your authenticator app. Keep your recovery codes somewhere safe: each one works once if you lose your phone."
        : "Signing in now needs only your password. You can turn two-factor authentication back on under Account → Security.",
      "",
      input.enabled
        ? "If this was not you, reset your password and contact us right away."
        : "If this was not you, reset your password, turn two-factor authentication back on and contact us right away.",
    ),
  };
}
