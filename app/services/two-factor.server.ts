import { and, eq, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import type { SQLiteUpdateSetSource } from "drizzle-orm/sqlite-core";
import type { Database } from "#db/client";
import { refuse, type Refusal, type Result } from "~/domain/refusal";
import { auditLogs, sessions, users, type User } from "#db/schema";
import {
  RECOVERY_CODE_COUNT,
  generateRecoveryCodes,
  normalizeRecoveryCode,
} from "~/domain/auth/recovery-codes";
import {
  TOTP_REJECTION_LIMIT,
  TOTP_REJECTION_WINDOW_MS,
  generateTotpSecret,
  looksLikeTotpCode,
  matchTotpStep,
  otpauthUri,
} from "~/domain/auth/totp";
import { twoFactorChangedEmail } from "~/domain/email/templates";
import {
  DecryptionError,
  decryptField,
  encryptField,
  type EncryptionKeys,
} from "~/lib/encryption.server";
import type { AppEnv } from "~/lib/env.server";
import { blindIndex } from "~/lib/hmac.server";
import { insertWhen } from "./conditional-insert.server";
import { queueEmail } from "./email-outbox.server";
import { consumeRateLimit, refundRateLimit } from "./rate-limit.server";
import {
  auditStatement,
  recordAudit,
  type AuditActor,
  type AuditRequestInfo,
} from "~/services/audit.server";

/**
 * TOTP two-factor authentication: enrollment, the log-in step, and switching it off.
 *
 * Invariants, each held by the database rather than by luck:
 * - the secret is stored only encrypted (context {@link TWO_FACTOR_SECRET_CONTEXT});
 * - a TOTP step is accepted once: the stored last step is compared and moved in one
 *   conditional UPDATE, so two parallel submissions of one code give one success;
 * - a recovery code is removed from the JSON array by one conditional UPDATE, so it works once;
 * - every change writes its audit row and email in the same batch, guarded by the same
 *   condition as the UPDATE, so a request that loses a race writes nothing at all.
 */

export const TWO_FACTOR_SECRET_CONTEXT = "users.two_factor_secret";
/** Blind-index context for recovery code hashes (HMAC with the app's HMAC secret). */
const RECOVERY_CODE_CONTEXT = "users.two_factor_recovery_codes";

export interface TwoFactorDeps {
  db: Database;
  env: AppEnv;
}

/** A code submitted by (or for) `userId`. `actor` defaults to the user; `request` feeds the audit row. */
export interface TwoFactorCodeInput {
  userId: string;
  code: string;
  now: Date;
  actor?: AuditActor;
  request?: AuditRequestInfo;
}

export interface EnrollmentStart {
  /** Base32, for typing into an authenticator app by hand. */
  secret: string;
  /** For the QR code (`qrCodeSvg` in ~/lib/qr-svg). */
  otpauthUri: string;
}

export type TwoFactorState =
  | { status: "disabled" }
  | ({ status: "pending" } & EnrollmentStart)
  | { status: "enabled"; recoveryCodesLeft: number };

/** Why a submitted code was refused. */
export type CodeRefusalReason =
  | "invalid-code"
  | "code-already-used"
  | "invalid-recovery-code"
  | "recovery-code-already-used"
  | "too-many-attempts";

const CODE_REFUSALS: { readonly [R in CodeRefusalReason]: Refusal<R> } = {
  "invalid-code": refuse(
    "invalid",
    "invalid-code",
    "That code isn't right. Check the time on your phone and try the newest code.",
    { field: "code" },
  ),
  // Typically the code that just switched 2FA on, typed again within the same 30 seconds.
  "code-already-used": refuse(
    "invalid",
    "code-already-used",
    "That code was just used. Wait for the next one in your authenticator app (a new code comes every 30 seconds) and enter it.",
    { field: "code" },
  ),
  "invalid-recovery-code": refuse(
    "invalid",
    "invalid-recovery-code",
    "That isn't one of your recovery codes. Check it against the list you saved.",
    { field: "code" },
  ),
  "recovery-code-already-used": refuse(
    "invalid",
    "recovery-code-already-used",
    "That recovery code was already used: each one works once. Enter another of your recovery codes.",
    { field: "code" },
  ),
  "too-many-attempts": tooManyAttempts(TOTP_REJECTION_WINDOW_MS / 1000),
};

/**
 * Past the limit, the sentence says the real rule and the real wait: the count runs in fixed
 * windows of {@link TOTP_REJECTION_WINDOW_MS}, so the wait is what is left of this one.
 */
function tooManyAttempts(retryAfterSeconds: number): Refusal<"too-many-attempts"> {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  const windowMinutes = TOTP_REJECTION_WINDOW_MS / 60_000;
  return refuse(
    "limit",
    "too-many-attempts",
    `Too many wrong codes: ${TOTP_REJECTION_LIMIT} are allowed in ${windowMinutes} minutes. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
  );
}

const NOT_PENDING = refuse(
  "conflict",
  "not-pending",
  "Start the set-up again: the secret expired or 2FA is already on.",
);

export type ConfirmEnrollmentResult = Result<
  { recoveryCodes: string[] },
  "invalid-code" | "not-pending"
>;

export type VerifyLoginCodeResult =
  | { ok: true; method: "totp" }
  | { ok: true; method: "recovery"; recoveryCodesLeft: number }
  | Refusal<CodeRefusalReason | "not-enabled">;

export type DisableTwoFactorResult = Result<
  { method: "totp" | "recovery" },
  CodeRefusalReason | "not-enabled"
>;

type TwoFactorUser = Pick<
  User,
  | "id"
  | "email"
  | "name"
  | "role"
  | "twoFactorEnabled"
  | "twoFactorSecret"
  | "twoFactorLastUsedStep"
  | "twoFactorRecoveryCodes"
>;

async function loadUser(db: Database, userId: string): Promise<TwoFactorUser | null> {
  const [user] = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      twoFactorEnabled: users.twoFactorEnabled,
      twoFactorSecret: users.twoFactorSecret,
      twoFactorLastUsedStep: users.twoFactorLastUsedStep,
      twoFactorRecoveryCodes: users.twoFactorRecoveryCodes,
    })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  return user ?? null;
}

/**
 * How a recovery code is stored: HMAC of the user id and the normalized code. Keyed, so a
 * leaked table cannot be searched offline; per user, so equal codes never share a hash.
 */
export function hashRecoveryCode(hmacSecret: string, userId: string, normalizedCode: string) {
  return blindIndex(`${userId}:${normalizedCode}`, hmacSecret, RECOVERY_CODE_CONTEXT);
}

const whileUser = (condition: SQL) => sql`exists (select 1 from ${users} where ${condition})`;

/** Insert only while the user row still matches `condition` (see {@link insertWhen}). */
function insertWhenUser<TTable extends typeof auditLogs>(
  db: Database,
  table: TTable,
  insert: { toSQL(): { sql: string; params: unknown[] } },
  condition: SQL,
) {
  return insertWhen(db, table, insert, whileUser(condition));
}

/** The "two-factor is on / off" email, queued only while the user row still matches `condition`. */
function twoFactorEmail(
  db: Database,
  user: TwoFactorUser,
  now: Date,
  enabled: boolean,
  condition: SQL,
) {
  const words = twoFactorChangedEmail({ enabled, name: user.name, email: user.email, at: now });
  return queueEmail(db, { to: user.email, ...words, at: now }, { when: whileUser(condition) });
}

const actorOf = (user: TwoFactorUser, input: { actor?: AuditActor }): AuditActor =>
  input.actor ?? { id: user.id, role: user.role };

/**
 * Start (or restart) enrollment: a new secret, stored encrypted while 2FA stays off, so a
 * half-finished enrollment never locks anyone out. Call it from an action (it writes), then show
 * the secret and its QR code; {@link getEnrollmentState} shows them again after a redirect.
 */
export async function beginEnrollment(
  db: Database,
  keys: EncryptionKeys,
  userId: string,
  now: Date = new Date(),
): Promise<Result<EnrollmentStart, "already-enabled" | "user-not-found">> {
  const secret = generateTotpSecret();
  const ciphertext = await encryptField(secret, keys, TWO_FACTOR_SECRET_CONTEXT);
  const [row] = await db
    .update(users)
    .set({ twoFactorSecret: ciphertext, twoFactorLastUsedStep: null, updatedAt: now })
    .where(and(eq(users.id, userId), eq(users.twoFactorEnabled, false)))
    .returning({ email: users.email });
  if (!row) {
    return (await loadUser(db, userId))
      ? refuse("conflict", "already-enabled", "Two-factor authentication is already on.")
      : refuse("not-found", "user-not-found", "There is no such account.");
  }
  return { ok: true, secret, otpauthUri: otpauthUri({ secret, label: row.email }) };
}

/** What /account/security shows: off, waiting for the confirmation code, or on. Null: no such user. */
export async function getEnrollmentState(
  db: Database,
  keys: EncryptionKeys,
  userId: string,
): Promise<TwoFactorState | null> {
  const user = await loadUser(db, userId);
  if (!user) return null;
  if (user.twoFactorEnabled) {
    return { status: "enabled", recoveryCodesLeft: user.twoFactorRecoveryCodes.length };
  }
  if (!user.twoFactorSecret) return { status: "disabled" };
  try {
    const secret = await decryptField(user.twoFactorSecret, keys, TWO_FACTOR_SECRET_CONTEXT);
    return { status: "pending", secret, otpauthUri: otpauthUri({ secret, label: user.email }) };
  } catch (error) {
    // A pending secret under a retired key is simply an abandoned enrollment.
    if (error instanceof DecryptionError) return { status: "disabled" };
    throw error;
  }
}

/**
 * Finish enrollment with a code from the app: 2FA on, the code's step used up, recovery codes
 * stored hashed, audit row and email, all in one batch. The plain recovery codes are returned
 * once and never again.
 */
export async function confirmEnrollment(
  deps: TwoFactorDeps,
  input: TwoFactorCodeInput,
): Promise<ConfirmEnrollmentResult> {
  const { db, env } = deps;
  const user = await loadUser(db, input.userId);
  if (!user || user.twoFactorEnabled || !user.twoFactorSecret) {
    return NOT_PENDING;
  }
  const pendingCiphertext = user.twoFactorSecret;
  let secret: string;
  try {
    secret = await decryptField(pendingCiphertext, env.encryptionKeys, TWO_FACTOR_SECRET_CONTEXT);
  } catch (error) {
    // As in getEnrollmentState: a secret under a retired key is an abandoned enrollment.
    if (error instanceof DecryptionError) return NOT_PENDING;
    throw error;
  }
  const step = await matchTotpStep(
    secret,
    input.code,
    input.now.getTime(),
    user.twoFactorLastUsedStep,
  );
  if (step === null) return CODE_REFUSALS["invalid-code"];

  const recoveryCodes = generateRecoveryCodes(RECOVERY_CODE_COUNT);
  const hashes = await Promise.all(
    recoveryCodes.map((code) =>
      hashRecoveryCode(env.hmacSecret, user.id, normalizeRecoveryCode(code)!),
    ),
  );

  // Still pending, and still the secret this code was checked against (a parallel restart of
  // enrollment replaces it; enabling then would switch on a secret the user never confirmed).
  const stillPending = and(
    eq(users.id, user.id),
    eq(users.twoFactorEnabled, false),
    eq(users.twoFactorSecret, pendingCiphertext),
  )!;
  const [, , updated] = await db.batch([
    insertWhenUser(
      db,
      auditLogs,
      auditStatement(db, {
        actor: actorOf(user, input),
        action: "TWO_FACTOR_ENABLED",
        entityType: "user",
        entityId: user.id,
        metadata: { backupCodesIssued: hashes.length },
        request: input.request,
        at: input.now,
      }),
      stillPending,
    ),
    twoFactorEmail(db, user, input.now, true, stillPending),
    db
      .update(users)
      .set({
        twoFactorEnabled: true,
        twoFactorLastUsedStep: step,
        twoFactorRecoveryCodes: hashes,
        updatedAt: input.now,
      })
      .where(stillPending)
      .returning({ id: users.id }),
  ]);
  if (updated.length === 0) return NOT_PENDING;
  return { ok: true, recoveryCodes };
}

/** A code that proved itself, and the condition under which it may be spent. */
interface CodeProof {
  method: "totp" | "recovery";
  /** Holds while the code is still unspent; the UPDATE that spends it uses it as its WHERE. */
  unspent: SQL;
  /** Columns that spend the code. */
  spend: SQLiteUpdateSetSource<typeof users>;
  /** A recovery code's fingerprint, kept in the audit row that spends it (see below). */
  fingerprint?: string;
}

/**
 * What the audit row of a spent recovery code keeps of it: the start of its keyed hash, enough
 * to tell "already used" from "never issued" later, useless for finding the code itself.
 */
const recoveryFingerprint = (hash: string) => hash.slice(0, 16);

/** True when this user spent the recovery code with this fingerprint before. */
async function recoveryCodeWasUsed(db: Database, userId: string, fingerprint: string) {
  const [row] = await db
    .select({ id: auditLogs.id })
    .from(auditLogs)
    .where(
      and(
        eq(auditLogs.entityType, "user"),
        eq(auditLogs.entityId, userId),
        eq(auditLogs.action, "TWO_FACTOR_RECOVERY_CODE_USED"),
        sql`json_extract(${auditLogs.metadata}, '$.fingerprint') = ${fingerprint}`,
      ),
    )
    .limit(1);
  return row !== undefined;
}

type Purpose = "login" | "disable" | "step-up";

/**
 * Code checks per account: a slot is taken BEFORE a code is evaluated, in one atomic upsert, so
 * parallel guesses are counted exactly (30 at once → 5 evaluated); a code that matches gives its
 * slot back, so only wrong codes use up the window.
 */
function codeCheckLimit(userId: string, now: Date) {
  return {
    scope: "totp-code-check",
    subject: userId,
    limit: TOTP_REJECTION_LIMIT,
    windowMs: TOTP_REJECTION_WINDOW_MS,
    now,
  };
}

async function recordRejection(
  db: Database,
  user: TwoFactorUser,
  input: TwoFactorCodeInput,
  purpose: Purpose,
  reason: CodeRefusalReason,
): Promise<Refusal<CodeRefusalReason>> {
  await recordAudit(db, {
    actor: actorOf(user, input),
    action: "TWO_FACTOR_CODE_REJECTED",
    entityType: "user",
    entityId: user.id,
    metadata: { purpose, reason },
    request: input.request,
    at: input.now,
  });
  return CODE_REFUSALS[reason];
}

/**
 * Check a submitted TOTP or recovery code against an account with 2FA on, without spending it.
 * Wrong codes are audited and counted; past {@link TOTP_REJECTION_LIMIT} in the window, every
 * code is refused until the window moves on.
 */
async function proveCode(
  deps: TwoFactorDeps,
  user: TwoFactorUser,
  input: TwoFactorCodeInput,
  purpose: Purpose,
): Promise<CodeProof | Refusal<CodeRefusalReason>> {
  const { db, env } = deps;
  const limit = codeCheckLimit(user.id, input.now);
  const decision = await consumeRateLimit(db, limit);
  if (!decision.allowed) return tooManyAttempts(decision.retryAfterSeconds);
  const enabled = and(eq(users.id, user.id), eq(users.twoFactorEnabled, true))!;

  if (looksLikeTotpCode(input.code)) {
    const secret = await decryptField(
      user.twoFactorSecret!,
      env.encryptionKeys,
      TWO_FACTOR_SECRET_CONTEXT,
    );
    const nowMs = input.now.getTime();
    const step = await matchTotpStep(secret, input.code, nowMs, user.twoFactorLastUsedStep);
    if (step === null) {
      const replayed = (await matchTotpStep(secret, input.code, nowMs, null)) !== null;
      return recordRejection(
        db,
        user,
        input,
        purpose,
        replayed ? "code-already-used" : "invalid-code",
      );
    }
    await refundRateLimit(db, limit);
    return {
      method: "totp",
      unspent: and(
        enabled,
        or(isNull(users.twoFactorLastUsedStep), lt(users.twoFactorLastUsedStep, step)),
      )!,
      spend: { twoFactorLastUsedStep: step },
    };
  }

  const normalized = normalizeRecoveryCode(input.code);
  if (normalized === null) return recordRejection(db, user, input, purpose, "invalid-code");
  const hash = await hashRecoveryCode(env.hmacSecret, user.id, normalized);
  const fingerprint = recoveryFingerprint(hash);
  if (!user.twoFactorRecoveryCodes.includes(hash)) {
    const used = await recoveryCodeWasUsed(db, user.id, fingerprint);
    return recordRejection(
      db,
      user,
      input,
      purpose,
      used ? "recovery-code-already-used" : "invalid-recovery-code",
    );
  }
  await refundRateLimit(db, limit);
  return {
    method: "recovery",
    unspent: and(
      enabled,
      sql`exists (select 1 from json_each(${users.twoFactorRecoveryCodes}) where value = ${hash})`,
    )!,
    spend: {
      twoFactorRecoveryCodes: sql`(select json_group_array(value) from json_each(${users.twoFactorRecoveryCodes}) where value <> ${hash})`,
    },
    fingerprint,
  };
}

const NOT_ENABLED: { readonly [P in Purpose]: Refusal<"not-enabled"> } = {
  login: refuse(
    "conflict",
    "not-enabled",
    "Two-factor authentication is not switched on for this account.",
  ),
  disable: refuse("conflict", "not-enabled", "Two-factor authentication is already off."),
  "step-up": refuse(
    "conflict",
    "not-enabled",
    "Two-factor authentication is not switched on for this account.",
  ),
};

/** The account, if 2FA is on for it, and the proof of its submitted code ({@link proveCode}). */
async function proveUserCode(
  deps: TwoFactorDeps,
  input: TwoFactorCodeInput,
  purpose: Purpose,
): Promise<Result<{ user: TwoFactorUser; proof: CodeProof }, CodeRefusalReason | "not-enabled">> {
  const user = await loadUser(deps.db, input.userId);
  if (!user?.twoFactorEnabled || !user.twoFactorSecret) return NOT_ENABLED[purpose];
  const proof = await proveCode(deps, user, input, purpose);
  return "method" in proof ? { ok: true, user, proof } : proof;
}

/** The audit row of a recovery code spent, written only if the code is still unspent. */
function recoveryCodeUsed(
  db: Database,
  user: TwoFactorUser,
  input: TwoFactorCodeInput,
  proof: CodeProof,
  metadata: Record<string, string>,
) {
  return insertWhenUser(
    db,
    auditLogs,
    auditStatement(db, {
      actor: actorOf(user, input),
      action: "TWO_FACTOR_RECOVERY_CODE_USED",
      entityType: "user",
      entityId: user.id,
      metadata: {
        remaining: user.twoFactorRecoveryCodes.length - 1,
        ...(proof.fingerprint ? { fingerprint: proof.fingerprint } : {}),
        ...metadata,
      },
      request: input.request,
      at: input.now,
    }),
    proof.unspent,
  );
}

/**
 * The log-in step: a TOTP code (current or previous step, each step once) or a recovery code
 * (once). Only the conditional UPDATE decides, so of two parallel submissions of the same code
 * exactly one succeeds. The caller upgrades the session on `ok`.
 */
export async function verifyLoginCode(
  deps: TwoFactorDeps,
  input: TwoFactorCodeInput,
): Promise<VerifyLoginCodeResult> {
  const { db } = deps;
  const proved = await proveUserCode(deps, input, "login");
  if (!proved.ok) return proved;
  const { user, proof } = proved;

  const spend = db
    .update(users)
    .set({ ...proof.spend, updatedAt: input.now })
    .where(proof.unspent)
    .returning({
      id: users.id,
      recoveryCodesLeft: sql<number>`json_array_length(${users.twoFactorRecoveryCodes})`,
    });

  if (proof.method === "totp") {
    const [spent] = await spend;
    if (!spent) return recordRejection(db, user, input, "login", "code-already-used");
    return { ok: true, method: "totp" };
  }

  const [, spentRows] = await db.batch([recoveryCodeUsed(db, user, input, proof, {}), spend]);
  const [spent] = spentRows;
  if (!spent) return recordRejection(db, user, input, "login", "recovery-code-already-used");
  return { ok: true, method: "recovery", recoveryCodesLeft: spent.recoveryCodesLeft };
}

/**
 * Switch 2FA off. Needs a code that is valid now (TOTP, same replay rule, or a recovery code
 * for someone who lost the phone); secret, recovery codes and last step are wiped, with audit
 * row and email in the same batch.
 */
export async function disableTwoFactor(
  deps: TwoFactorDeps,
  input: TwoFactorCodeInput,
): Promise<DisableTwoFactorResult> {
  const { db } = deps;
  const proved = await proveUserCode(deps, input, "disable");
  if (!proved.ok) return proved;
  const { user, proof } = proved;

  const [, , updated] = await db.batch([
    insertWhenUser(
      db,
      auditLogs,
      auditStatement(db, {
        actor: actorOf(user, input),
        action: "TWO_FACTOR_DISABLED",
        entityType: "user",
        entityId: user.id,
        metadata: { method: proof.method },
        request: input.request,
        at: input.now,
      }),
      proof.unspent,
    ),
    twoFactorEmail(db, user, input.now, false, proof.unspent),
    db
      .update(users)
      .set({
        twoFactorEnabled: false,
        twoFactorSecret: null,
        twoFactorLastUsedStep: null,
        twoFactorRecoveryCodes: [],
        updatedAt: input.now,
      })
      .where(proof.unspent)
      .returning({ id: users.id }),
  ]);
  if (updated.length === 0) return recordRejection(db, user, input, "disable", "code-already-used");
  return { ok: true, method: proof.method };
}

/**
 * Staff step-up: a code (same rules as the log-in step: TOTP once per step, or a recovery code
 * once) proves the person at the keyboard is still the account's owner, and marks this session
 * verified now. Spending the code and refreshing the session are one batch under the same
 * condition, so a code that loses a race refreshes nothing.
 */
export async function verifyStepUpCode(
  deps: TwoFactorDeps,
  input: TwoFactorCodeInput & { sessionId: string },
): Promise<Result<{ method: "totp" | "recovery" }, CodeRefusalReason | "not-enabled">> {
  const { db } = deps;
  const proved = await proveUserCode(deps, input, "step-up");
  if (!proved.ok) return proved;
  const { user, proof } = proved;

  const refresh = db
    .update(sessions)
    .set({ twoFactorVerifiedAt: input.now })
    .where(
      and(eq(sessions.id, input.sessionId), eq(sessions.userId, user.id), whileUser(proof.unspent)),
    )
    .returning({ id: sessions.id });
  const spend = db
    .update(users)
    .set({ ...proof.spend, updatedAt: input.now })
    .where(proof.unspent)
    .returning({ id: users.id });

  let refreshed: { id: string }[];
  if (proof.method === "totp") {
    [refreshed] = await db.batch([refresh, spend]);
  } else {
    const audit = recoveryCodeUsed(db, user, input, proof, { purpose: "step-up" });
    [, refreshed] = await db.batch([audit, refresh, spend]);
  }
  if (refreshed.length === 0)
    return recordRejection(db, user, input, "step-up", "code-already-used");
  return { ok: true, method: proof.method };
}
