import { eq, sql } from "drizzle-orm";
import type { Database } from "#db/client";
import { users, type User } from "#db/schema";
import {
  FAILED_LOGIN_LOCK_MS,
  FAILED_LOGIN_WINDOW_MS,
  MAX_FAILED_LOGINS_PER_WINDOW,
  accountStatusMessage,
  loginThrottle,
  throttleMessage,
} from "~/domain/auth/login-policy";
import { refuse, type Refusal, type Result } from "~/domain/refusal";
import { failedLoginLockEmail, newDeviceSignInEmail } from "~/domain/email/templates";
import type { AppEnv } from "~/lib/env.server";
import { hashIp } from "~/lib/hmac.server";
import { hashPassword, verifyPassword } from "~/lib/password.server";
import { auditStatement, recordAudit, type AuditRequestInfo } from "../audit.server";
import { queueEmail } from "../email-outbox.server";
import { namedBatch } from "../named-batch.server";
import { cancelDeletionStatements } from "../privacy/account-deletion.server";
import { deleteSessionStatement, newSessionStatement } from "../sessions.server";
import { verifyLoginCode, type CodeRefusalReason } from "../two-factor.server";
import { recordDevice, type DeviceInput } from "./devices.server";

export interface AuthDeps {
  db: Database;
  env: AppEnv;
}

export interface LoginAttempt extends DeviceInput {
  email: string;
  password: string;
  requestId?: string | null;
  now: Date;
}

/** A throttled attempt also says when the next one may come (the route sends Retry-After). */
export type ThrottledLogin = Refusal<"locked" | "backoff"> & { readonly retryAt: Date };

export type PasswordRefusal =
  Refusal<"wrong-credentials" | "account-inactive" | "device-blocked"> | ThrottledLogin;

export type PasswordCheck =
  { ok: true; user: User; deviceSessionId: string; newDevice: boolean } | PasswordRefusal;

const WRONG_CREDENTIALS = refuse(
  "invalid",
  "wrong-credentials",
  "That email and password don't match an account.",
);

function throttled(reason: "locked" | "backoff", retryAt: Date, now: Date): ThrottledLogin {
  return { ...refuse("limit", reason, throttleMessage(reason, retryAt, now)), retryAt };
}

// Verified against when the email is unknown, so both paths take the same time.
let dummyHash: Promise<string> | undefined;

async function requestInfo(env: AppEnv, attempt: LoginAttempt): Promise<AuditRequestInfo> {
  return {
    ipHash: attempt.ip ? await hashIp(attempt.ip, env.hmacSecret) : null,
    userAgent: attempt.userAgent ?? null,
    requestId: attempt.requestId ?? null,
  };
}

/**
 * Count one failed log-in in a single statement (parallel attempts can't lose a count) and
 * lock the account for a fixed time when the window's limit is reached.
 */
async function recordFailedLogin(db: Database, userId: string, now: Date) {
  const cutoff = now.getTime() - FAILED_LOGIN_WINDOW_MS;
  const windowExpired = sql`(${users.failedLoginWindowStart} is null or ${users.failedLoginWindowStart} <= ${cutoff})`;
  const nextCount = sql`case when ${windowExpired} then 1 else ${users.failedLoginCount} + 1 end`;
  const [row] = await db
    .update(users)
    .set({
      failedLoginCount: nextCount,
      failedLoginWindowStart: sql`case when ${windowExpired} then ${now.getTime()} else ${users.failedLoginWindowStart} end`,
      lastFailedLoginAt: now,
      lockedUntil: sql`case when ${nextCount} >= ${MAX_FAILED_LOGINS_PER_WINDOW} then ${now.getTime() + FAILED_LOGIN_LOCK_MS} else ${users.lockedUntil} end`,
    })
    .where(eq(users.id, userId))
    .returning({ count: users.failedLoginCount, lockedUntil: users.lockedUntil });
  return { count: row?.count ?? 0, lockedNow: row?.count === MAX_FAILED_LOGINS_PER_WINDOW };
}

/**
 * A failed attempt: counted atomically and audited. The one attempt that reaches the limit
 * also writes ACCOUNT_LOCKED and the "account locked" email, in the same batch.
 */
async function registerFailedLogin(
  db: Database,
  user: Pick<User, "id" | "email">,
  request: AuditRequestInfo,
  now: Date,
  reason: "wrong-password" | "backoff",
): Promise<{ lockedUntil: Date | null }> {
  const failure = await recordFailedLogin(db, user.id, now);
  const failed = auditStatement(db, {
    actor: null,
    action: "LOGIN_FAILED",
    entityType: "user",
    entityId: user.id,
    metadata: { reason, failuresInWindow: failure.count },
    request,
    at: now,
  });
  if (!failure.lockedNow) {
    await failed;
    return { lockedUntil: null };
  }
  const lockedUntil = new Date(now.getTime() + FAILED_LOGIN_LOCK_MS);
  await db.batch([
    failed,
    auditStatement(db, {
      actor: null,
      action: "ACCOUNT_LOCKED",
      entityType: "user",
      entityId: user.id,
      metadata: { reason: "too-many-failed-logins", until: lockedUntil.toISOString() },
      request,
      at: now,
    }),
    queueEmail(db, {
      to: user.email,
      ...failedLoginLockEmail({ failedAttempts: MAX_FAILED_LOGINS_PER_WINDOW }),
      dedupeKey: `account-locked:${user.id}:${now.getTime()}`,
    }),
  ]);
  return { lockedUntil };
}

/**
 * The password step of a log-in: throttling, verification, account status, device. Writes
 * the failure audit rows itself; success is audited when the session starts.
 */
export async function checkPassword(deps: AuthDeps, attempt: LoginAttempt): Promise<PasswordCheck> {
  const { db, env } = deps;
  const { now } = attempt;
  const [user] = await db.select().from(users).where(eq(users.email, attempt.email)).limit(1);
  const request = await requestInfo(env, attempt);

  // An erased account is no account: same answer, same time as an unknown email.
  if (!user || user.deletedAt) {
    dummyHash ??= hashPassword("not-a-real-password-but-the-same-cost");
    await verifyPassword(attempt.password, await dummyHash);
    await recordAudit(db, {
      actor: null,
      action: "LOGIN_FAILED",
      entityType: "user",
      metadata: { email: attempt.email, reason: "unknown-email" },
      request,
      at: now,
    });
    return WRONG_CREDENTIALS;
  }

  const throttle = loginThrottle(user, now);
  if (!throttle.allowed) {
    // An attempt during the backoff counts as a failure too (without spending a hash on it);
    // during a lock nothing is counted, so the lock ends on time.
    if (throttle.reason === "backoff") {
      const failure = await registerFailedLogin(db, user, request, now, "backoff");
      if (failure.lockedUntil) return throttled("locked", failure.lockedUntil, now);
    } else {
      await recordAudit(db, {
        actor: null,
        action: "LOGIN_FAILED",
        entityType: "user",
        entityId: user.id,
        metadata: { reason: "locked", retryAt: throttle.retryAt.toISOString() },
        request,
        at: now,
      });
    }
    return throttled(throttle.reason, throttle.retryAt, now);
  }

  const verification = await verifyPassword(attempt.password, user.passwordHash);
  if (!verification.valid) {
    const failure = await registerFailedLogin(db, user, request, now, "wrong-password");
    if (failure.lockedUntil) return throttled("locked", failure.lockedUntil, now);
    return WRONG_CREDENTIALS;
  }

  if (user.accountStatus !== "ACTIVE") {
    await recordAudit(db, {
      actor: null,
      action: "LOGIN_FAILED",
      entityType: "user",
      entityId: user.id,
      metadata: { reason: `account-${user.accountStatus.toLowerCase()}` },
      request,
      at: now,
    });
    return refuse(
      "forbidden",
      "account-inactive",
      accountStatusMessage(user.accountStatus, user.accountLockedReason),
    );
  }

  const device = await recordDevice(db, env, { ...attempt, userId: user.id });
  if (device.isBlocked) {
    await recordAudit(db, {
      actor: null,
      action: "LOGIN_FAILED",
      entityType: "device_session",
      entityId: device.id,
      metadata: { reason: "device-blocked", userId: user.id },
      request,
      at: now,
    });
    return refuse(
      "forbidden",
      "device-blocked",
      "This device has been blocked from signing in. Contact support if this is a mistake.",
    );
  }

  // Clear the failure window and upgrade the hash if its parameters are outdated.
  await db
    .update(users)
    .set({
      failedLoginCount: 0,
      failedLoginWindowStart: null,
      lastFailedLoginAt: null,
      lockedUntil: null,
      ...(verification.needsRehash ? { passwordHash: await hashPassword(attempt.password) } : {}),
      updatedAt: now,
    })
    .where(eq(users.id, user.id));
  return { ok: true, user, deviceSessionId: device.id, newDevice: device.isNew };
}

/**
 * Start a session after every factor passed: one batch writes the session, the audit row
 * and, for a device never seen before, the "new sign-in" email.
 */
export async function startSession(
  deps: AuthDeps,
  input: {
    user: Pick<User, "id" | "email" | "role">;
    deviceSessionId: string;
    newDevice: boolean;
    twoFactorVerified: boolean;
    method: "password" | "totp" | "recovery-code" | "signup";
    request: AuditRequestInfo;
    userAgent?: string | null;
    /** A step-up replaces the current session: the old token stops working in the same batch. */
    replaceSessionId?: string;
    now: Date;
  },
): Promise<{ token: string; deletionCancelled: boolean }> {
  const { db } = deps;
  const { token, statement } = await newSessionStatement(db, {
    userId: input.user.id,
    deviceSessionId: input.deviceSessionId,
    twoFactorVerified: input.twoFactorVerified,
    now: input.now,
  });
  const emails =
    input.newDevice && input.method !== "signup"
      ? [
          queueEmail(db, {
            to: input.user.email,
            ...newDeviceSignInEmail({ userAgent: input.userAgent ?? null }),
            dedupeKey: `new-device:${input.deviceSessionId}`,
          }),
        ]
      : [];
  const replaced = input.replaceSessionId
    ? [deleteSessionStatement(db, input.replaceSessionId)]
    : [];
  const { cancelled } = await namedBatch(db, {
    session: statement,
    replaced,
    lastLogin: db.update(users).set({ lastLoginAt: input.now }).where(eq(users.id, input.user.id)),
    audit: auditStatement(db, {
      actor: { id: input.user.id, role: input.user.role },
      action: "USER_LOGIN",
      entityType: "user",
      entityId: input.user.id,
      metadata: {
        method: input.method,
        deviceSessionId: input.deviceSessionId,
        newDevice: input.newDevice,
      },
      request: input.request,
      at: input.now,
    }),
    emails,
    // Logging in during the grace period cancels a requested deletion (issue 13).
    ...cancelDeletionStatements(db, { user: input.user, request: input.request, now: input.now }),
  });
  return { token, deletionCancelled: cancelled.length > 0 };
}

/**
 * The code step of a log-in (a password step's challenge, or a session stepping up): the
 * account must still be active, the code must be good (and is spent), and then a new session
 * starts, replacing the stepping-up one.
 */
export async function completeTwoFactorLogin(
  deps: AuthDeps,
  input: {
    userId: string;
    code: string;
    deviceSessionId: string;
    newDevice: boolean;
    replaceSessionId?: string;
    request: AuditRequestInfo;
    userAgent?: string | null;
    now: Date;
  },
): Promise<
  Result<
    { token: string; deletionCancelled: boolean },
    CodeRefusalReason | "not-enabled" | "login-expired" | "account-inactive"
  >
> {
  const [user] = await deps.db
    .select({
      id: users.id,
      email: users.email,
      role: users.role,
      accountStatus: users.accountStatus,
      accountLockedReason: users.accountLockedReason,
    })
    .from(users)
    .where(eq(users.id, input.userId))
    .limit(1);
  if (!user) return refuse("forbidden", "login-expired", "Your log-in expired. Start again.");
  if (user.accountStatus !== "ACTIVE") {
    return refuse(
      "forbidden",
      "account-inactive",
      accountStatusMessage(user.accountStatus, user.accountLockedReason),
    );
  }

  const verified = await verifyLoginCode(deps, {
    userId: user.id,
    code: input.code,
    now: input.now,
    request: input.request,
  });
  if (!verified.ok) return verified;

  const { token, deletionCancelled } = await startSession(deps, {
    user,
    deviceSessionId: input.deviceSessionId,
    newDevice: input.newDevice,
    twoFactorVerified: true,
    method: verified.method === "totp" ? "totp" : "recovery-code",
    request: input.request,
    userAgent: input.userAgent,
    replaceSessionId: input.replaceSessionId,
    now: input.now,
  });
  return { ok: true, token, deletionCancelled };
}
