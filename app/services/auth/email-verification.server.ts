import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "#db/client";
import { auditLogs, users, type AccountTokenPurpose } from "#db/schema";
import { emailVerificationBlock, type EmailUnverifiedReason } from "~/domain/auth/email-rules";
import { emailVerificationEmail } from "~/domain/email/templates";
import { refuse, type Refusal, type Result } from "~/domain/refusal";
import { auditStatement, type AuditActor, type AuditRequestInfo } from "../audit.server";
import { insertWhen } from "../conditional-insert.server";
import { queueEmail } from "../email-outbox.server";
import { consumeRateLimit } from "../rate-limit.server";
import { needsGuardianConsent } from "~/domain/auth/age";
import type { AppEnv } from "~/lib/env.server";
import {
  accountTokenUsable,
  findAccountToken,
  issueAccountToken,
  spendAccountToken,
  type AccountTokenRefusal,
} from "./account-tokens.server";
import { recordDevice, type DeviceInput } from "./devices.server";
import { startSession } from "./login.server";

/**
 * Email verification (docs/architecture.md §5): a new account is mailed a single-use link
 * (`/verify-email/<token>`, 48 hours, only its hash stored); until it is used the account may
 * browse but not buy, download or request work. The services of those actions ask
 * {@link unverifiedEmailRefusal} themselves, so every route that calls them is covered.
 */

export const verifyEmailLink = (origin: string, token: string) => `${origin}/verify-email/${token}`;

/**
 * The statements that store a fresh verification link for `user` (older ones stop working)
 * and queue its email: for the caller's batch (sign-up, "send it again").
 */
export async function verificationLinkStatements(
  db: Database,
  input: { user: { id: string; email: string; name: string }; origin: string; now: Date },
) {
  const link = await issueAccountToken(db, {
    userId: input.user.id,
    purpose: "EMAIL_VERIFICATION",
    now: input.now,
  });
  return [
    ...link.statements,
    queueEmail(db, {
      to: input.user.email,
      ...emailVerificationEmail({
        name: input.user.name,
        link: verifyEmailLink(input.origin, link.token),
      }),
      at: input.now,
    }),
  ] as const;
}

/**
 * Why this account may not buy, download or request work yet, or null. Read from D1, not from
 * the caller, so no route can forget it.
 */
export async function unverifiedEmailRefusal(
  db: Database,
  userId: string,
): Promise<Refusal<EmailUnverifiedReason> | null> {
  const [user] = await db
    .select({ email: users.email, emailVerifiedAt: users.emailVerifiedAt })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  // No such account: the caller's own checks answer that.
  return user ? emailVerificationBlock(user) : null;
}

/** Who a verification link belongs to, for the page that asks "confirm?". */
export async function checkVerificationLink(
  db: Database,
  input: { token: string | undefined; now: Date },
): Promise<Result<{ email: string }, AccountTokenRefusal>> {
  const found = await findAccountToken(db, { ...input, purpose: "EMAIL_VERIFICATION" });
  if (!found.ok) return found;
  const [user] = await db
    .select({ email: users.email })
    .from(users)
    .where(eq(users.id, found.userId))
    .limit(1);
  return { ok: true, email: user?.email ?? "" };
}

/**
 * The link was used: one batch sets `email_verified_at` (kept if already set), writes
 * EMAIL_VERIFIED and spends the link, every statement guarded by the link still being usable,
 * so ten parallel uses verify once and write one audit row.
 */
export async function verifyEmail(
  db: Database,
  input: { token: string | undefined; now: Date; request: AuditRequestInfo },
): Promise<Result<{ userId: string; email: string }, AccountTokenRefusal>> {
  const { now } = input;
  const found = await findAccountToken(db, {
    token: input.token,
    purpose: "EMAIL_VERIFICATION",
    now,
  });
  if (!found.ok) return found;
  const usable = accountTokenUsable(found.tokenId, now);

  const [verified, , spent] = await db.batch([
    db
      .update(users)
      .set({
        emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now.getTime()})`,
        updatedAt: now,
      })
      .where(and(eq(users.id, found.userId), usable))
      .returning({ email: users.email }),
    insertWhen(
      db,
      auditLogs,
      auditStatement(db, {
        actor: null,
        action: "EMAIL_VERIFIED",
        entityType: "user",
        entityId: found.userId,
        metadata: { via: "email-link" },
        request: input.request,
        at: now,
      }),
      usable,
    ),
    spendAccountToken(db, found.tokenId, now),
  ]);
  if (spent.length === 0) return lostRace(db, input.token, "EMAIL_VERIFICATION", now);
  return { ok: true, userId: found.userId, email: verified[0]!.email };
}

export type VerifiedSignIn =
  | { signedIn: true; token: string; deletionCancelled: boolean; guardianPending: boolean }
  | { signedIn: false; why: "two-factor" | "account-inactive" | "device-blocked" };

/**
 * A verification link was just used (and spent): the mailbox is proven, so its account is
 * logged in the way sign-up used to log it in (device row, session, USER_LOGIN). Not when a
 * password alone would not do it: an account with two-factor (the link is no second factor),
 * an account that is not active, or a blocked device; those log in at /login as usual.
 * The first session of an account is audited as method "signup", as it always was.
 */
export async function signInAfterVerification(
  deps: { db: Database; env: AppEnv },
  input: DeviceInput & { userId: string; request: AuditRequestInfo; now: Date },
): Promise<VerifiedSignIn> {
  const { db, env } = deps;
  const [user] = await db
    .select({
      id: users.id,
      email: users.email,
      role: users.role,
      accountStatus: users.accountStatus,
      twoFactorEnabled: users.twoFactorEnabled,
      lastLoginAt: users.lastLoginAt,
      isMinor: users.isMinor,
      guardianConsentAt: users.guardianConsentAt,
      deletedAt: users.deletedAt,
    })
    .from(users)
    .where(eq(users.id, input.userId))
    .limit(1);
  if (!user || user.deletedAt || user.accountStatus !== "ACTIVE") {
    return { signedIn: false, why: "account-inactive" };
  }
  if (user.twoFactorEnabled) return { signedIn: false, why: "two-factor" };
  const device = await recordDevice(db, env, { ...input, userId: user.id });
  if (device.isBlocked) return { signedIn: false, why: "device-blocked" };
  const { token, deletionCancelled } = await startSession(deps, {
    user,
    deviceSessionId: device.id,
    newDevice: device.isNew,
    twoFactorVerified: false,
    method: user.lastLoginAt ? "email-link" : "signup",
    request: input.request,
    userAgent: input.userAgent,
    now: input.now,
  });
  return { signedIn: true, token, deletionCancelled, guardianPending: needsGuardianConsent(user) };
}

/**
 * Why a link whose batch spent nothing can't be used: another use of it won the race (used),
 * or it stopped working meanwhile (expired, replaced).
 */
export async function lostRace(
  db: Database,
  token: string | undefined,
  purpose: AccountTokenPurpose,
  now: Date,
): Promise<Refusal<AccountTokenRefusal>> {
  const again = await findAccountToken(db, { token, purpose, now });
  return again.ok
    ? refuse("gone", "used", "This link has already been used. Ask for a new one.")
    : again;
}

/** "Send it again" at most this often per account. */
export const VERIFICATION_RESEND_LIMIT = { limit: 3, windowMs: 60 * 60 * 1000 } as const;

export type ResendVerificationRefusal = "already-verified" | "rate-limited";

/**
 * "Send it again" from the banner: a new link (earlier ones stop working) to the account's
 * address, at most {@link VERIFICATION_RESEND_LIMIT} per hour, audited.
 */
export async function resendVerificationEmail(
  db: Database,
  input: {
    userId: string;
    actor: AuditActor;
    origin: string;
    now: Date;
    request: AuditRequestInfo;
  },
): Promise<Result<{ email: string }, ResendVerificationRefusal>> {
  const { now, userId } = input;
  const [user] = await db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.emailVerifiedAt)))
    .limit(1);
  if (!user) {
    return refuse("conflict", "already-verified", "Your email address is already confirmed.");
  }
  const decision = await consumeRateLimit(db, {
    scope: "verify-email-resend",
    subject: userId,
    ...VERIFICATION_RESEND_LIMIT,
    now,
  });
  if (!decision.allowed) {
    const minutes = Math.ceil(decision.retryAfterSeconds / 60);
    return refuse(
      "limit",
      "rate-limited",
      `We've sent the link ${VERIFICATION_RESEND_LIMIT.limit} times this hour. Check your spam folder, or ask again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
    );
  }
  await db.batch([
    ...(await verificationLinkStatements(db, { user, origin: input.origin, now })),
    auditStatement(db, {
      actor: input.actor,
      action: "EMAIL_VERIFICATION_SENT",
      entityType: "user",
      entityId: userId,
      metadata: { resent: true },
      request: input.request,
      at: now,
    }),
  ]);
  return { ok: true, email: user.email };
}
