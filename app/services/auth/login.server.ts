import { eq, sql } from "drizzle-orm";
import type { Database } from "#db/client";
import { users, type User } from "#db/schema";
import {
  CLIENT_FAILURE_WINDOW_MS,
  FAILED_LOGIN_WINDOW_MS,
  LOGIN_ATTEMPTS_PER_CLIENT,
  MAX_FAILED_LOGINS_PER_CLIENT,
  MAX_FAILED_LOGINS_PER_WINDOW,
  PAIR_FAILURE_WINDOW_MS,
  accountStatusMessage,
  holdsAfterFailure,
  strictestHold,
  throttleMessage,
  type Hold,
  type ThrottleReason,
} from "~/domain/auth/login-policy";
import { refuse, type Refusal, type Result } from "~/domain/refusal";
import { failedLoginLockEmail, newDeviceSignInEmail } from "~/domain/email/templates";
import type { AppEnv } from "~/lib/env.server";
import { blindIndex, hashIp } from "~/lib/hmac.server";
import { hashPassword, verifyPassword } from "~/lib/password.server";
import { auditStatement, recordAudit, type AuditRequestInfo } from "../audit.server";
import { queueEmail } from "../email-outbox.server";
import { namedBatch } from "../named-batch.server";
import { cancelDeletionStatements } from "../privacy/account-deletion.server";
import {
  activeHolds,
  clearRateLimitStatement,
  consumeRateLimit,
  countStatement,
  holdStatement,
  releaseHoldStatement,
  type RateLimitRule,
} from "../rate-limit.server";
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
export type ThrottledLogin = Refusal<ThrottleReason | "throttled"> & { readonly retryAt: Date };

export type PasswordRefusal =
  Refusal<"wrong-credentials" | "account-inactive" | "device-blocked"> | ThrottledLogin;

export type PasswordCheck =
  { ok: true; user: User; deviceSessionId: string; newDevice: boolean } | PasswordRefusal;

const WRONG_CREDENTIALS = refuse(
  "invalid",
  "wrong-credentials",
  "That email and password don't match an account.",
);

function throttled(reason: ThrottleReason | "throttled", retryAt: Date, now: Date): ThrottledLogin {
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
 * The counters and holds of one attempt (app/domain/auth/login-policy.ts), all in
 * `rate_limits`: keyed by the address typed (an HMAC, whether or not it has an account), the
 * client (IP hash) and the pair of both.
 */
function loginLimits(address: string, client: string) {
  const pair = `${address}.${client}`;
  return {
    attempts: { scope: "login-attempt-ip", subject: client, ...LOGIN_ATTEMPTS_PER_CLIENT },
    pairFailures: {
      scope: "login-fail-pair",
      subject: pair,
      limit: MAX_FAILED_LOGINS_PER_WINDOW,
      windowMs: PAIR_FAILURE_WINDOW_MS,
    },
    clientFailures: {
      scope: "login-fail-ip",
      subject: client,
      limit: MAX_FAILED_LOGINS_PER_CLIENT,
      windowMs: CLIENT_FAILURE_WINDOW_MS,
    },
    addressFailures: {
      scope: "login-fail-address",
      subject: address,
      limit: MAX_FAILED_LOGINS_PER_WINDOW,
      windowMs: FAILED_LOGIN_WINDOW_MS,
    },
    holds: {
      backoff: { scope: "login-hold-pair", subject: pair },
      client: { scope: "login-hold-ip", subject: client },
      // A real account's lock is `users.locked_until` (staff unlock and the reset link clear it).
      locked: { scope: "login-hold-address", subject: address },
    },
  } satisfies Record<string, RateLimitRule | object>;
}

type LoginLimits = ReturnType<typeof loginLimits>;
type BatchItem = Parameters<Database["batch"]>[0][number];

/** The hold that stops this attempt before any password is checked, if one is running. */
async function runningHold(
  db: Database,
  limits: LoginLimits,
  user: Pick<User, "lockedUntil"> | null,
  now: Date,
): Promise<Hold | null> {
  const { backoff, client, locked } = limits.holds;
  const keys = [
    { ...backoff, reason: "backoff" as const },
    { ...client, reason: "client" as const },
    ...(user ? [] : [{ ...locked, reason: "locked" as const }]),
  ];
  const holds: Hold[] = (await activeHolds(db, keys, now)).map(({ reason, until }) => ({
    reason,
    until,
  }));
  if (user?.lockedUntil) holds.push({ reason: "locked", until: user.lockedUntil });
  return strictestHold(holds, now);
}

/**
 * A failed attempt (wrong password, or an address with no account): counted per pair, client
 * and address in one batch with its audit row (parallel attempts can't lose a count), then the
 * holds the counts call for. The one attempt that reaches the address limit locks it, starts
 * its count again, and for a real account writes ACCOUNT_LOCKED and the email, in one batch.
 */
async function registerFailedLogin(
  db: Database,
  input: {
    limits: LoginLimits;
    user: Pick<User, "id" | "email"> | null;
    email: string;
    request: AuditRequestInfo;
    now: Date;
  },
): Promise<{ lockedUntil: Date | null }> {
  const { limits, user, request, now } = input;
  const [pair, client, address] = await db.batch([
    countStatement(db, limits.pairFailures, now),
    countStatement(db, limits.clientFailures, now),
    countStatement(db, limits.addressFailures, now),
    auditStatement(db, {
      actor: null,
      action: "LOGIN_FAILED",
      entityType: "user",
      entityId: user?.id ?? null,
      metadata: user
        ? { reason: "wrong-password" }
        : { email: input.email, reason: "unknown-email" },
      request,
      at: now,
    }),
  ]);
  const counts = {
    pair: pair[0]?.count ?? 0,
    client: client[0]?.count ?? 0,
    address: address[0]?.count ?? 0,
  };
  const { holds, locks } = holdsAfterFailure(counts, now);
  const lock = holds.find((hold) => hold.reason === "locked");
  const statements: BatchItem[] = holds.flatMap((hold) =>
    hold.reason === "locked" && user
      ? []
      : [holdStatement(db, { ...limits.holds[hold.reason], until: hold.until })],
  );
  if (locks) statements.push(clearRateLimitStatement(db, limits.addressFailures, now));
  const accountStatements = user
    ? [
        // Mirrored on the account for staff (/admin/users) and for unlocking. While a lock
        // runs the count that locked it stays: a parallel attempt counted after the lock
        // restarted the window must not overwrite 100 with 1 (SET reads the old row).
        db
          .update(users)
          .set({
            failedLoginCount: lock
              ? counts.address
              : sql`CASE WHEN ${users.lockedUntil} > ${now.getTime()} THEN ${users.failedLoginCount} ELSE ${counts.address} END`,
            lastFailedLoginAt: now,
            ...(lock ? { lockedUntil: lock.until } : {}),
          })
          .where(eq(users.id, user.id)),
        ...(lock
          ? [
              auditStatement(db, {
                actor: null,
                action: "ACCOUNT_LOCKED",
                entityType: "user",
                entityId: user.id,
                metadata: { reason: "too-many-failed-logins", until: lock.until.toISOString() },
                request,
                at: now,
              }),
              queueEmail(db, {
                to: user.email,
                ...failedLoginLockEmail({ failedAttempts: MAX_FAILED_LOGINS_PER_WINDOW }),
                dedupeKey: `account-locked:${user.id}:${now.getTime()}`,
              }),
            ]
          : []),
      ]
    : [];
  const all = [...statements, ...accountStatements];
  if (all.length > 0) {
    const [first, ...rest] = all;
    await db.batch([first!, ...rest]);
  }
  return { lockedUntil: lock?.until ?? null };
}

/**
 * The password step of a log-in: throttling, verification, account status, device. Writes
 * the failure audit rows itself; success is audited when the session starts. An address with
 * no account goes through the same throttling and the same hash, and gets the same answers.
 */
export async function checkPassword(deps: AuthDeps, attempt: LoginAttempt): Promise<PasswordCheck> {
  const { db, env } = deps;
  const { now } = attempt;
  const request = await requestInfo(env, attempt);
  const limits = loginLimits(
    await blindIndex(attempt.email, env.hmacSecret, "login-address"),
    request.ipHash ?? "unknown",
  );

  // Every attempt costs a hash: each client gets a few a minute, refused before any work.
  const attempts = await consumeRateLimit(db, { ...limits.attempts, now });
  if (!attempts.allowed) {
    return throttled("throttled", new Date(now.getTime() + attempts.retryAfterSeconds * 1000), now);
  }

  const [found] = await db.select().from(users).where(eq(users.email, attempt.email)).limit(1);
  // An erased account is no account: same answer, same time as an unknown email.
  const user = found && !found.deletedAt ? found : null;

  // A running back-off or lock refuses without a hash and without counting the attempt.
  const hold = await runningHold(db, limits, user, now);
  if (hold) {
    await recordAudit(db, {
      actor: null,
      action: "LOGIN_FAILED",
      entityType: "user",
      entityId: user?.id ?? null,
      metadata: {
        ...(user ? {} : { email: attempt.email }),
        reason: hold.reason,
        retryAt: hold.until.toISOString(),
      },
      request,
      at: now,
    });
    return throttled(hold.reason, hold.until, now);
  }

  dummyHash ??= hashPassword("not-a-real-password-but-the-same-cost");
  const verification = await verifyPassword(
    attempt.password,
    user ? user.passwordHash : await dummyHash,
  );
  if (!user || !verification.valid) {
    const failure = await registerFailedLogin(db, {
      limits,
      user,
      email: attempt.email,
      request,
      now,
    });
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

  // The owner is in: their failures start again from zero (this client's and the address's),
  // and the hash is upgraded if its parameters are outdated.
  await db.batch([
    db
      .update(users)
      .set({
        failedLoginCount: 0,
        failedLoginWindowStart: null,
        lastFailedLoginAt: null,
        lockedUntil: null,
        ...(verification.needsRehash ? { passwordHash: await hashPassword(attempt.password) } : {}),
        updatedAt: now,
      })
      .where(eq(users.id, user.id)),
    clearRateLimitStatement(db, limits.pairFailures, now),
    clearRateLimitStatement(db, limits.addressFailures, now),
    releaseHoldStatement(db, limits.holds.backoff),
  ]);
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
    /** "email-link": a verification link just used logged the account in. */
    method: "password" | "totp" | "recovery-code" | "signup" | "email-link";
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
