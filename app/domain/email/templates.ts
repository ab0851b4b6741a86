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

/** A moment as emails write it: "2026-11-30 12:00 UTC". */
const utcMinute = (at: Date) => `${at.toISOString().replace("T", " ").slice(0, 16)} UTC`;

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

/** To a user the studio gave a membership (no payment): the tier, its credits, how long. */
export function membershipGrantedEmail(input: {
  name: string;
  tierName: string;
  credits: number;
  periodEnd: Date;
}): EmailContent {
  return {
    template: "membership-granted",
    subject: `You have a ${input.tierName} membership`,
    bodyText: lines(
      `Hi ${input.name},`,
      "",
      `The studio gave you a ${input.tierName} membership with ${input.credits} credits, free of charge.`,
      `It runs until ${utcMinute(input.periodEnd)} and does not renew on its own; nothing will be charged.`,
      "",
      "Your balance and ledger are under Membership in your account: /account/membership",
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

/** To every admin and owner, when a paid amount does not match its purchase (no license). */
export function paymentMismatchEmail(input: {
  purchaseId: string;
  eventId: string;
  detail: string;
}): EmailContent {
  return {
    template: "payment-mismatch",
    subject: "A payment did not match its purchase",
    bodyText: `Stripe event ${input.eventId} reported a successful payment for purchase ${input.purchaseId}, but the amount or currency differs: ${input.detail}\n\nNo license was issued and the purchase is still pending. Check the payment in Stripe and the purchase at /admin/purchases/${input.purchaseId}, then refund or settle it by hand.`,
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

/** A new account (or "send it again"): the link that proves the address is theirs. */
export function emailVerificationEmail(input: { name: string; link: string }): EmailContent {
  return {
    template: "email-verification",
    subject: "Confirm your email address for Studio Store",
    bodyText: lines(
      `Hello ${input.name},`,
      "",
      "Please confirm that this is your email address. Until you do, you can browse the store but not buy, download or request a project.",
      "",
      "Open this link within 48 hours and press the button on the page:",
      input.link,
      "",
      "If you didn't create a Studio Store account, ignore this email and nothing happens.",
    ),
  };
}

/**
 * Someone signed up with an address that already has an account. Sign-up answers the same as
 * for a new address, so only the holder learns of it, here (at most once an hour).
 */
export function signupAttemptOnTakenEmail(input: {
  loginLink: string;
  resetLink: string;
}): EmailContent {
  return {
    template: "signup-email-taken",
    subject: "Someone tried to create a Studio Store account with your email",
    bodyText: lines(
      "Someone tried to create a Studio Store account with this email address, which already has one. Nothing about your account changed.",
      "",
      "If it was you, log in instead:",
      input.loginLink,
      "",
      "Forgot your password? Choose a new one here:",
      input.resetLink,
      "",
      "If it wasn't you, ignore this email.",
    ),
  };
}

/** To the NEW address: the link that makes it the account's address. */
export function emailChangeConfirmEmail(input: {
  name: string;
  newEmail: string;
  link: string;
}): EmailContent {
  return {
    template: "email-change-confirm",
    subject: "Confirm your new email address for Studio Store",
    bodyText: lines(
      `Hello ${input.name},`,
      "",
      `You asked to use ${input.newEmail} for your Studio Store account. Nothing changes until you open this link (within 24 hours) and press the button on the page:`,
      input.link,
      "",
      "If you didn't ask for this, ignore this email: your account keeps its current address.",
    ),
  };
}

/** To the OLD address when a change is asked for: someone may be taking the account over. */
export function emailChangeRequestedEmail(input: { name: string; newEmail: string }): EmailContent {
  return {
    template: "email-change-requested",
    subject: "Someone asked to change the email address of your Studio Store account",
    bodyText: lines(
      `Hello ${input.name},`,
      "",
      `Someone signed in to your account asked to change its email address to ${input.newEmail}. The change happens only if the link we sent to that address is opened.`,
      "",
      "If this was you, there is nothing to do. If it wasn't, change your password under Account → Security now and log out your other sessions.",
    ),
  };
}

/** To the OLD address once the change is done: where the account's mail goes from now on. */
export function emailChangedEmail(input: {
  name: string;
  oldEmail: string;
  newEmail: string;
}): EmailContent {
  return {
    template: "email-changed",
    subject: "The email address of your Studio Store account was changed",
    bodyText: lines(
      `Hello ${input.name},`,
      "",
      `The email address of your Studio Store account is now ${input.newEmail} instead of ${input.oldEmail}. We won't write to this address any more.`,
      "",
      "If you didn't do this, reply to this email right away so we can secure your account.",
    ),
  };
}

/** Too many wrong passwords: the account is locked for a while. */
export function failedLoginLockEmail(input: { failedAttempts: number }): EmailContent {
  return {
    template: "account-locked",
    subject: "Your Studio Store account was locked for 15 minutes",
    bodyText: `Someone tried to log in to your account with a wrong password ${input.failedAttempts} times within an hour, so we locked it for 15 minutes. If this wasn't you, choose a new password: "Forgot your password?" on the log-in page emails you a link, and using it also ends the lock.`,
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
  const when = utcMinute(input.at);
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

/** The account will be erased on `dueAt` unless its owner logs in before then. */
export function accountDeletionScheduledEmail(input: { name: string; dueAt: Date }): EmailContent {
  const when = input.dueAt.toISOString().replace("T", " ").slice(0, 16) + " UTC";
  return {
    template: "account-deletion-scheduled",
    subject: "Your Studio Store account will be deleted",
    bodyText: lines(
      `Hello ${input.name},`,
      "",
      `You asked us to delete your Studio Store account. Every device has been logged out, and on ${when} we will erase it: your licenses are revoked, your membership is cancelled and unused credits are lost, and open projects are cancelled.`,
      "",
      "Changed your mind? Log in before then and the deletion is cancelled.",
      "",
      "If this wasn't you, log in now, then change your password.",
    ),
  };
}

/** "Forgot password": the single-use link; says how long it works and what to do if unasked. */
export function passwordResetEmail(input: {
  name: string;
  link: string;
  validMinutes: number;
}): EmailContent {
  return {
    template: "password-reset",
    subject: "Reset your Studio Store password",
    bodyText: lines(
      `Hello ${input.name},`,
      "",
      "Someone (hopefully you) asked to reset the password of your Studio Store account. To choose a new password, open this link:",
      input.link,
      "",
      `The link works once, for ${input.validMinutes} minutes. Setting a new password logs out every device.`,
      "",
      "If you didn't ask for this, ignore this email: your password stays as it is.",
    ),
  };
}

/** Someone logged in during the grace period, which cancels the deletion. */
export function accountDeletionCancelledEmail(): EmailContent {
  return {
    template: "account-deletion-cancelled",
    subject: "Your Studio Store account will not be deleted",
    bodyText: lines(
      "Hello,",
      "",
      "You logged in to your Studio Store account, so the deletion you asked for is cancelled and everything stays as it was.",
      "",
      "If you still want your account deleted, ask again under Account → Privacy.",
    ),
  };
}

/** The password changed, through a reset link or on the security page. */
export function passwordChangedEmail(input: {
  name: string;
  email: string;
  at: Date;
  how: "reset" | "change";
}): EmailContent {
  const how = input.how === "reset" ? "with a password reset link" : "on the security page";
  const signedOut =
    input.how === "reset" ? "Every device was logged out." : "Every other device was logged out.";
  return {
    template: "password-changed",
    subject: "Your Studio Store password was changed",
    bodyText: lines(
      `Hello ${input.name},`,
      "",
      `The password of your Studio Store account (${input.email}) was changed ${how} on ${utcMinute(input.at)}. ${signedOut}`,
      "",
      'If this wasn\'t you, reset your password at once from the log-in page ("Forgot your password?") and contact us: someone may know your password or read your email.',
    ),
  };
}

// ---- Shared memberships (issue 15) -------------------------------------------------------------

/** To the invited address: who invites them to which pool, and the link (works 7 days, once). */
export function membershipInvitationEmail(input: {
  ownerName: string;
  tierName: string;
  link: string;
  expiresAt: Date;
}): EmailContent {
  return {
    template: "membership-invitation",
    subject: `${input.ownerName} invited you to share their Studio Store membership`,
    bodyText: lines(
      "Hello,",
      "",
      `${input.ownerName} invited you to their ${input.tierName} membership on Studio Store: you would spend credits from their pool on work from the studio.`,
      "",
      `Open this link before ${utcMinute(input.expiresAt)}, log in or create an account with this email address, and press "Join":`,
      input.link,
      "",
      "If you don't want to join, ignore this email and nothing happens.",
    ),
  };
}

/** To the owner when an invited teammate joins. */
export function membershipMemberJoinedEmail(input: {
  ownerName: string;
  memberName: string;
  memberEmail: string;
}): EmailContent {
  return {
    template: "membership-member-joined",
    subject: `${input.memberName} joined your Studio Store membership`,
    bodyText: lines(
      `Hello ${input.ownerName},`,
      "",
      `${input.memberName} (${input.memberEmail}) accepted your invitation and can now spend credits from your membership.`,
      "",
      "You see what each teammate spends, set caps and remove teammates under Account → Membership.",
    ),
  };
}

/** To a teammate the owner removed. */
export function membershipMemberRemovedEmail(input: {
  memberName: string;
  ownerName: string;
}): EmailContent {
  return {
    template: "membership-member-removed",
    subject: "You were removed from a Studio Store membership",
    bodyText: lines(
      `Hello ${input.memberName},`,
      "",
      `${input.ownerName} removed you from their membership, so you can no longer spend its credits. Add-ons you already asked for are not affected.`,
      "",
      "You can start a membership of your own on the pricing page.",
    ),
  };
}

/** To the owner when a teammate leaves. */
export function membershipMemberLeftEmail(input: {
  ownerName: string;
  memberName: string;
  memberEmail: string;
}): EmailContent {
  return {
    template: "membership-member-left",
    subject: `${input.memberName} left your Studio Store membership`,
    bodyText: lines(
      `Hello ${input.ownerName},`,
      "",
      `${input.memberName} (${input.memberEmail}) left your membership and can no longer spend its credits. Their seat is free for someone else.`,
    ),
  };
}

// ---- Studio -----------------------------------------------------------------------------------
// Studio emails are addressed per person ("Hello <name>"), so the greeting is added when each
// one is queued (app/services/projects/emails.server.ts) and the words here carry only the body.

export interface StudioEmail {
  template: string;
  subject: string;
  body: string;
}

const projectLink = (projectId: string) => `/account/projects/${projectId}`;
const adminLink = (projectId: string) => `/admin/projects/${projectId}`;

export interface DigestItems {
  overdue: ReadonlyArray<{
    id: string;
    title: string;
    phase: string;
    deadline: Date | null;
    clientName: string;
  }>;
  idle: ReadonlyArray<{ id: string; type: string; createdAt: Date; projectTitle: string }>;
}

export const studioEmails = {
  projectRequested: (project: { id: string; title: string }): StudioEmail => ({
    template: "project-requested",
    subject: `We received your project request: ${project.title}`,
    body: `Thank you for asking us to work on "${project.title}". We'll read it and reply within two working days, with the scope, the features we agree on and a deadline.\n\nSee it at ${projectLink(project.id)}.`,
  }),
  projectRequestedStaff: (
    project: { id: string; title: string },
    client: { email: string; name: string; id?: string },
  ): StudioEmail => ({
    template: "project-requested-staff",
    subject: `New project request: ${project.title}`,
    body: `${client.name} (${client.email}) asked for a project, "${project.title}". Accept it or decline it at ${adminLink(project.id)}.`,
  }),
  projectAccepted: (project: { id: string; title: string; deadline: Date }): StudioEmail => ({
    template: "project-accepted",
    subject: `Your project is accepted: ${project.title}`,
    body: `We've accepted "${project.title}" and started the DESIGN phase. The deadline is ${project.deadline.toISOString().slice(0, 10)}. The scope, the approved features and your revisions are on the project page: ${projectLink(project.id)}.`,
  }),
  projectDeclined: (project: { id: string; title: string }, reason: string): StudioEmail => ({
    template: "project-declined",
    subject: `About your project request: ${project.title}`,
    body: `We're sorry: we can't take on "${project.title}".\n\nWhy: ${reason}\n\n${projectLink(project.id)}`,
  }),
  projectUpdated: (project: { id: string; title: string }): StudioEmail => ({
    template: "project-updated",
    subject: `Your project's terms changed: ${project.title}`,
    body: `We updated the scope, features, revisions or deadline of "${project.title}". See what they are now at ${projectLink(project.id)}.`,
  }),
  phaseChanged: (
    project: { id: string; title: string },
    change: { to: string; status: string; reason: string | null },
  ): StudioEmail => {
    const what =
      change.status === "CANCELLED"
        ? "was cancelled"
        : change.to === "PAUSED"
          ? "is paused"
          : change.to === "COMPLETED"
            ? "is completed"
            : `moved to the ${change.to.replace("_", " ")} phase`;
    return {
      template: "project-phase-changed",
      subject: `Your project ${what}: ${project.title}`,
      body: `"${project.title}" ${what}.${change.reason ? `\n\nWhy: ${change.reason}` : ""}\n\nSee the timeline at ${projectLink(project.id)}.`,
    };
  },
  revisionRequestedStaff: (
    project: { id: string; title: string },
    revision: { phase: string; max: number; notes: string },
  ): StudioEmail => ({
    template: "project-revision-requested",
    subject: `Revision of ${revision.phase} asked for: ${project.title}`,
    body: `The client asked for a revision of "${project.title}" in ${revision.phase} (the phase allows ${revision.max}).\n\nWhat to change:\n${revision.notes}\n\n${adminLink(project.id)}`,
  }),
  revisionReceived: (
    project: { id: string; title: string },
    revision: { phase: string; max: number },
  ): StudioEmail => ({
    template: "project-revision-received",
    subject: `We received your revision request: ${project.title}`,
    body: `Your revision request for the ${revision.phase} phase (${revision.max} included) is with the team. ${projectLink(project.id)}`,
  }),
  addOnRequested: (
    project: { id: string; title: string },
    addOn: { name: string; credits: number | null },
  ): StudioEmail => ({
    template: "add-on-requested",
    subject: `Add-on requested: ${addOn.name} for ${project.title}`,
    body:
      addOn.credits === null
        ? `We received your request for ${addOn.name} on "${project.title}". We'll price it in credits; nothing is used until you confirm the price. ${projectLink(project.id)}`
        : `We received your request for ${addOn.name} on "${project.title}"; ${addOn.credits} credits are reserved for it and given back if we can't do it. ${projectLink(project.id)}`,
  }),
  addOnRequestedStaff: (
    project: { id: string; title: string },
    addOn: { name: string; credits: number | null; description: string },
  ): StudioEmail => ({
    template: "add-on-requested-staff",
    subject: `Add-on to review: ${addOn.name} for ${project.title}`,
    body: `${addOn.name} (${addOn.credits === null ? "to be priced" : `${addOn.credits} credits reserved`}) on "${project.title}".${addOn.description ? `\n\n${addOn.description}` : ""}\n\nReview it at /admin/add-ons.`,
  }),
  addOnPriced: (
    project: { id: string; title: string },
    addOn: { name: string; credits: number },
  ): StudioEmail => ({
    template: "add-on-priced",
    subject: `Your custom request is priced at ${addOn.credits} credits`,
    body: `We priced your custom request on "${project.title}" at ${addOn.credits} credits. Confirm it on the project page to reserve the credits and put it in our queue: ${projectLink(project.id)}`,
  }),
  addOnMoved: (
    project: { id: string; title: string },
    addOn: { name: string; credits: number | null },
    move: "approved" | "started" | "completed" | "rejected",
    notes: string | null,
  ): StudioEmail => {
    const refund =
      move === "rejected" && addOn.credits
        ? ` The ${addOn.credits} credits are back in your balance.`
        : "";
    return {
      template: `add-on-${move}`,
      subject: `Your ${addOn.name} add-on was ${move}: ${project.title}`,
      body: `Your ${addOn.name} add-on on "${project.title}" was ${move}.${refund}${notes ? `\n\nNotes from the studio: ${notes}` : ""}\n\n${projectLink(project.id)}`,
    };
  },
  addOnChangedByClientStaff: (
    project: { id: string; title: string },
    addOn: { name: string; credits: number | null },
    change: "withdrawn" | "confirmed",
  ): StudioEmail => ({
    template: `add-on-${change}-staff`,
    subject: `Add-on ${change} by the client: ${addOn.name} for ${project.title}`,
    body:
      change === "withdrawn"
        ? `The client withdrew ${addOn.name} on "${project.title}"${addOn.credits ? `; ${addOn.credits} credits were refunded` : ""}.`
        : `The client confirmed ${addOn.name} on "${project.title}" at ${addOn.credits} credits; it waits for approval at /admin/add-ons.`,
  }),
  digest: (items: DigestItems, now: Date): StudioEmail => {
    const days = (from: Date) =>
      Math.max(0, Math.floor((now.getTime() - from.getTime()) / 86_400_000));
    const overdue = items.overdue.map(
      (project) =>
        `- ${project.title} (${project.clientName}), ${project.phase.replace("_", " ")}, due ${project.deadline?.toISOString().slice(0, 10) ?? "—"}: ${adminLink(project.id)}`,
    );
    const idle = items.idle.map(
      (addOn) => `- ${addOn.type} on ${addOn.projectTitle}, waiting ${days(addOn.createdAt)} days`,
    );
    return {
      template: "studio-digest",
      subject: `Studio digest: ${items.overdue.length} overdue, ${items.idle.length} add-ons waiting`,
      body: [
        overdue.length > 0 ? `Overdue projects:\n${overdue.join("\n")}` : "No project is overdue.",
        idle.length > 0
          ? `Add-ons waiting more than two days:\n${idle.join("\n")}\n\nThe queue: /admin/add-ons`
          : "No add-on has waited more than two days.",
      ].join("\n\n"),
    };
  },
};

// ---- Membership lifecycle (issue 15) ------------------------------------------------------------

const day = (at: Date) => at.toISOString().slice(0, 10);

export function tierUpgradedEmail(input: {
  tierName: string;
  credits: number;
  amountCents: number;
  currency: string;
}): EmailContent {
  return {
    template: "membership-upgraded",
    subject: `Your membership is now ${input.tierName}`,
    bodyText: lines(
      `Your membership moved up to ${input.tierName}.`,
      `${input.credits} more credits are in your balance for this period.`,
      `Charged now for the rest of the period: ${formatMoney(input.amountCents, input.currency)}.`,
      "",
      "See your membership: /account/membership",
    ),
  };
}

export function downgradeScheduledEmail(input: { tierName: string; at: Date }): EmailContent {
  return {
    template: "membership-downgrade-scheduled",
    subject: `Your membership moves to ${input.tierName} on ${day(input.at)}`,
    bodyText: lines(
      `Your membership moves to ${input.tierName} at the end of this period, on ${day(input.at)}.`,
      "Until then nothing changes; from then on you are billed the lower price and get that tier's credits.",
      "",
      "Changed your mind? Cancel it under /account/membership",
    ),
  };
}

export function membershipPausedEmail(input: { until: Date }): EmailContent {
  return {
    template: "membership-paused",
    subject: `Your membership is paused until ${day(input.until)}`,
    bodyText: lines(
      `Your membership is paused until ${day(input.until)}: no payment and no new credits until then.`,
      "Your credits are kept. It resumes on its own, or resume it any time under /account/membership",
    ),
  };
}

export function membershipResumedEmail(): EmailContent {
  return {
    template: "membership-resumed",
    subject: "Your membership is running again",
    bodyText: lines(
      "Your membership is running again; its period was moved by the time it was paused.",
      "",
      "See your membership: /account/membership",
    ),
  };
}

export function paymentFailedEmail(input: { graceEndsAt: Date; link: string }): EmailContent {
  return {
    template: "membership-payment-failed",
    subject: `Your payment failed — fix it by ${day(input.graceEndsAt)} or the membership ends`,
    bodyText: lines(
      `Your membership payment failed. Fix it by ${day(input.graceEndsAt)} or the membership ends.`,
      "Until then your credits are on hold: they can't be spent.",
      "",
      `Fix the payment: ${input.link}`,
    ),
  };
}

export function paymentReceivedEmail(): EmailContent {
  return {
    template: "membership-payment-received",
    subject: "Payment received: your membership is active again",
    bodyText: lines(
      "We received your membership payment. Your membership is active and your credits can be spent again.",
      "",
      "See your membership: /account/membership",
    ),
  };
}
