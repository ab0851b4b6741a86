import { and, eq, isNull } from "drizzle-orm";
import type { Database } from "#db/client";
import { auditLogs, sessions, users } from "#db/schema";
import { formatWait } from "~/domain/auth/login-policy";
import { passwordChangedEmail, passwordResetEmail } from "~/domain/email/templates";
import { refuse, type Refusal, type Result } from "~/domain/refusal";
import type { AppEnv } from "~/lib/env.server";
import { blindIndex, randomToken, sha256TokenHash } from "~/lib/hmac.server";
import { hashPassword } from "~/lib/password.server";
import { auditStatement, recordAudit, type AuditRequestInfo } from "../audit.server";
import { insertWhen } from "../conditional-insert.server";
import { queueEmail } from "../email-outbox.server";
import { consumeRateLimits, type RateLimitDecision } from "../rate-limit.server";
import {
  ACCOUNT_TOKEN_TTL_MS,
  accountTokenUsable,
  findAccountToken,
  issueAccountToken,
  spendAccountToken,
  type AccountTokenRefusal,
} from "./account-tokens.server";

/**
 * "Forgot password" (docs/architecture.md §5): an emailed single-use link, valid for 30
 * minutes, that sets a new password, ends every session of the account and clears its
 * failed-log-in counters. Asking for a link answers the same whether or not the address has
 * an account, and is limited per address and per IP.
 */

export interface PasswordResetDeps {
  db: Database;
  env: AppEnv;
}

/** Reset links asked for, per address and per IP, in one window. */
export const PASSWORD_RESET_REQUEST_LIMITS = {
  perEmail: 3,
  perIp: 10,
  windowMs: 15 * 60 * 1000,
} as const;

const RESET_LINK_MINUTES = ACCOUNT_TOKEN_TTL_MS.PASSWORD_RESET / 60_000;

/** A refusal of a rate limit, saying when to retry (the route sends it as Retry-After too). */
export type Throttled = Refusal<"throttled"> & { readonly retryAfterSeconds: number };

export function throttled(decision: RateLimitDecision, now: Date, what: string): Throttled {
  const retryAt = new Date(now.getTime() + decision.retryAfterSeconds * 1000);
  return {
    ...refuse("limit", "throttled", `${what} Try again in ${formatWait(retryAt, now)}.`),
    retryAfterSeconds: decision.retryAfterSeconds,
  };
}

/**
 * Email a reset link to the account with this address, if there is one. Every address gets
 * the same answer and about the same work (a token is made and hashed, and one write is done,
 * either way), so neither the answer nor its timing tells whether an account exists.
 */
export async function requestPasswordReset(
  deps: PasswordResetDeps,
  input: { email: string; origin: string; request: AuditRequestInfo; now: Date },
): Promise<{ ok: true } | Throttled> {
  const { db, env } = deps;
  const { now } = input;
  const { perEmail, perIp, windowMs } = PASSWORD_RESET_REQUEST_LIMITS;
  const decision = await consumeRateLimits(
    db,
    [
      {
        scope: "password-reset-email",
        subject: await blindIndex(input.email, env.hmacSecret, "password-reset-email"),
        limit: perEmail,
        windowMs,
      },
      {
        scope: "password-reset-ip",
        subject: input.request.ipHash ?? "unknown",
        limit: perIp,
        windowMs,
      },
    ],
    now,
  );
  if (!decision.allowed) return throttled(decision, now, "Too many reset links were asked for.");

  const [user] = await db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(and(eq(users.email, input.email), isNull(users.deletedAt)))
    .limit(1);

  if (!user) {
    // The same work as the real path (a token made and hashed, one write), and no email.
    // The address itself is not stored: it belongs to no one we know.
    await sha256TokenHash(randomToken(32));
    await recordAudit(db, {
      actor: null,
      action: "PASSWORD_RESET_REQUESTED",
      entityType: "user",
      metadata: { accountFound: false },
      request: input.request,
      at: now,
    });
    return { ok: true };
  }

  const link = await issueAccountToken(db, { userId: user.id, purpose: "PASSWORD_RESET", now });
  await db.batch([
    ...link.statements,
    queueEmail(db, {
      to: user.email,
      ...passwordResetEmail({
        name: user.name,
        link: `${input.origin}/reset-password/${link.token}`,
        validMinutes: RESET_LINK_MINUTES,
      }),
      at: now,
    }),
    auditStatement(db, {
      actor: null,
      action: "PASSWORD_RESET_REQUESTED",
      entityType: "user",
      entityId: user.id,
      metadata: { accountFound: true, expiresAt: link.expiresAt.toISOString() },
      request: input.request,
      at: now,
    }),
  ]);
  return { ok: true };
}

/** Does this reset link still work? For the page that shows the form; it spends nothing. */
export async function checkResetLink(
  db: Database,
  token: string | undefined,
  now: Date,
): Promise<Result<object, AccountTokenRefusal>> {
  const link = await findAccountToken(db, { token, purpose: "PASSWORD_RESET", now });
  return link.ok ? { ok: true } : link;
}

/**
 * Set a new password through a reset link, in one batch: the new hash with the failed-log-in
 * counters cleared, every session of the account ended, the audit row and the notice email,
 * each guarded by the link still being usable, then the link spent. Of parallel uses of one
 * link exactly one changes the password; the others write nothing.
 *
 * Only the counters of failed log-ins are cleared: they lock an account for a while by
 * themselves (`locked_until`), without touching `account_status`. A LOCKED, SUSPENDED or
 * BANNED status is set by staff only, and a reset never lifts it. Two-factor authentication
 * stays as it was, so the next log-in still asks for a code.
 */
export async function resetPassword(
  deps: PasswordResetDeps,
  input: { token: string | undefined; password: string; request: AuditRequestInfo; now: Date },
): Promise<Result<{ userId: string }, AccountTokenRefusal>> {
  const { db } = deps;
  const { now } = input;
  const link = await findAccountToken(db, {
    token: input.token,
    purpose: "PASSWORD_RESET",
    now,
  });
  if (!link.ok) return link;
  const [user] = await db
    .select({ id: users.id, name: users.name, email: users.email, role: users.role })
    .from(users)
    .where(eq(users.id, link.userId))
    .limit(1);
  // The link was found through its account (and goes with it), so this can't happen.
  if (!user) throw new Error(`Reset link ${link.tokenId} has no account`);

  const passwordHash = await hashPassword(input.password);
  const usable = accountTokenUsable(link.tokenId, now);
  const results = await db.batch([
    db
      .update(users)
      .set({
        passwordHash,
        failedLoginCount: 0,
        failedLoginWindowStart: null,
        lastFailedLoginAt: null,
        lockedUntil: null,
        updatedAt: now,
      })
      .where(and(eq(users.id, user.id), usable)),
    db.delete(sessions).where(and(eq(sessions.userId, user.id), usable)),
    insertWhen(
      db,
      auditLogs,
      auditStatement(db, {
        actor: { id: user.id, role: user.role },
        action: "PASSWORD_RESET_COMPLETED",
        entityType: "user",
        entityId: user.id,
        metadata: { linkId: link.tokenId, sessionsEnded: "all" },
        request: input.request,
        at: now,
      }),
      usable,
    ),
    queueEmail(
      db,
      {
        to: user.email,
        ...passwordChangedEmail({ name: user.name, email: user.email, at: now, how: "reset" }),
        at: now,
      },
      { when: usable },
    ),
    spendAccountToken(db, link.tokenId, now),
    // After the spend: the change time voids every older reset link, this one included, so
    // it can't be guarded by the link. The new hash is unique to this batch (random salt),
    // so only the batch that set it gets here.
    db
      .update(users)
      .set({ passwordChangedAt: now })
      .where(and(eq(users.id, user.id), eq(users.passwordHash, passwordHash))),
  ]);
  const spent = results[4];
  if (spent.length === 0) {
    // A parallel use won, or the link ran out meanwhile: say which.
    const again = await findAccountToken(db, {
      token: input.token,
      purpose: "PASSWORD_RESET",
      now,
    });
    return again.ok ? USED_MEANWHILE : again;
  }
  return { ok: true, userId: user.id };
}

const USED_MEANWHILE = refuse(
  "gone",
  "used",
  "This link has already been used. Ask for a new one.",
) satisfies Refusal<AccountTokenRefusal>;
