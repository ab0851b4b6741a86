import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { auditLogs, emailOutbox, users, type User } from "#db/schema";
import { normalizeRecoveryCode } from "~/domain/auth/recovery-codes";
import {
  TOTP_REJECTION_LIMIT,
  TOTP_REJECTION_WINDOW_MS,
  generateTotpSecret,
  totpCode,
} from "~/domain/auth/totp";
import type { AuditAction } from "~/domain/audit/actions";
import { decryptField } from "~/lib/encryption.server";
import { parseEnv } from "~/lib/env.server";
import {
  TWO_FACTOR_SECRET_CONTEXT,
  beginEnrollment,
  confirmEnrollment,
  disableTwoFactor,
  getEnrollmentState,
  hashRecoveryCode,
  verifyLoginCode,
} from "~/services/two-factor.server";
import { createUser } from "../factories";

const db = createDb(env.DB);
const appEnv = parseEnv(env);
const keys = appEnv.encryptionKeys;
const deps = { db, env: appEnv };

/** 10 s into a 30 s step, so "the previous step" is unambiguous. */
const NOW = new Date(Date.UTC(2026, 5, 1, 12, 0, 10));
const STEP_MS = 30_000;
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);
const request = { ipHash: "a".repeat(64), userAgent: "Vitest", requestId: "req-2fa" };

async function userRow(id: string): Promise<User> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row!;
}

function auditRows(userId: string, action: AuditAction) {
  return db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.entityId, userId), eq(auditLogs.action, action)));
}

function outboxRows(email: string, template: string) {
  return db
    .select()
    .from(emailOutbox)
    .where(and(eq(emailOutbox.toEmail, email), eq(emailOutbox.template, template)));
}

/** A refusal with this reason (its kind and sentence are the service's business). */
const refused = (reason: string) => expect.objectContaining({ ok: false, reason });

/** Enrollment started for a user who has 2FA off. */
async function startEnrollment(userId: string, now: Date) {
  const started = await beginEnrollment(db, keys, userId, now);
  if (!started.ok) throw new Error(`enrollment refused: ${started.reason}`);
  return started;
}

/** A user with 2FA on, enrolled through the service (so recovery codes exist). */
async function enrolledUser() {
  const user = await createUser(db);
  const { secret } = await startEnrollment(user.id, at(-10 * STEP_MS));
  const code = await totpCode(secret, at(-10 * STEP_MS).getTime());
  const result = await confirmEnrollment(deps, { userId: user.id, code, now: at(-10 * STEP_MS) });
  if (!result.ok) throw new Error(`enrollment failed: ${result.reason}`);
  return { user, secret, recoveryCodes: result.recoveryCodes };
}

describe("2FA enrollment", () => {
  it("stores a new secret encrypted while 2FA stays off, and offers it for the QR code", async () => {
    const user = await createUser(db);
    const { secret, otpauthUri } = await startEnrollment(user.id, NOW);

    const row = await userRow(user.id);
    expect(row.twoFactorEnabled).toBe(false);
    expect(row.twoFactorSecret).not.toBeNull();
    expect(row.twoFactorSecret).not.toContain(secret);
    expect(row.twoFactorSecret).toMatch(/^v\d+\./);
    expect(await decryptField(row.twoFactorSecret!, keys, TWO_FACTOR_SECRET_CONTEXT)).toBe(secret);
    expect(otpauthUri).toContain(`secret=${secret}`);
    expect(otpauthUri).toContain(encodeURIComponent(user.email));
    expect(await getEnrollmentState(db, keys, user.id)).toEqual({
      status: "pending",
      secret,
      otpauthUri,
    });
  });

  it("turns 2FA on with a current code: step used, recovery codes hashed, audit row and email written", async () => {
    const user = await createUser(db);
    const { secret } = await startEnrollment(user.id, NOW);
    const code = await totpCode(secret, NOW.getTime());

    const result = await confirmEnrollment(deps, { userId: user.id, code, now: NOW, request });
    expect(result.ok).toBe(true);
    const recoveryCodes = result.ok ? result.recoveryCodes : [];
    expect(recoveryCodes).toHaveLength(10);

    const row = await userRow(user.id);
    expect(row.twoFactorEnabled).toBe(true);
    expect(row.twoFactorLastUsedStep).toBe(Math.floor(NOW.getTime() / STEP_MS));
    expect(row.twoFactorSecret).not.toContain(secret);
    expect(row.twoFactorRecoveryCodes).toHaveLength(10);
    const expectedHashes = await Promise.all(
      recoveryCodes.map((plain) =>
        hashRecoveryCode(appEnv.hmacSecret, user.id, normalizeRecoveryCode(plain)!),
      ),
    );
    expect(row.twoFactorRecoveryCodes).toEqual(expectedHashes);
    for (const plain of recoveryCodes) {
      expect(JSON.stringify(row.twoFactorRecoveryCodes)).not.toContain(plain);
    }

    const [audit] = await auditRows(user.id, "TWO_FACTOR_ENABLED");
    expect(audit).toMatchObject({
      actorId: user.id,
      actorRole: "USER",
      entityType: "user",
      ipHash: request.ipHash,
      requestId: "req-2fa",
      createdAt: NOW,
    });
    expect(JSON.stringify(audit!.metadata)).not.toContain(secret);
    const mails = await outboxRows(user.email, "two-factor-enabled");
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ status: "PENDING", sendAfter: NOW });
    expect(mails[0]!.bodyText).toContain("turned on");
    expect(await getEnrollmentState(db, keys, user.id)).toEqual({
      status: "enabled",
      recoveryCodesLeft: 10,
    });
  });

  it("changes nothing when the confirmation code is wrong", async () => {
    const user = await createUser(db);
    const { secret } = await startEnrollment(user.id, NOW);
    const before = await userRow(user.id);
    const stale = await totpCode(secret, NOW.getTime() - 2 * STEP_MS);

    for (const code of [stale, "000000", "not a code"]) {
      expect(await confirmEnrollment(deps, { userId: user.id, code, now: NOW })).toEqual(
        refused("invalid-code"),
      );
    }
    expect(await userRow(user.id)).toEqual(before);
    expect(await auditRows(user.id, "TWO_FACTOR_ENABLED")).toHaveLength(0);
    expect(await outboxRows(user.email, "two-factor-enabled")).toHaveLength(0);
  });

  it("enables once when the same confirmation is submitted twice in parallel", async () => {
    const user = await createUser(db);
    const { secret } = await startEnrollment(user.id, NOW);
    const code = await totpCode(secret, NOW.getTime());

    const results = await Promise.all([
      confirmEnrollment(deps, { userId: user.id, code, now: NOW }),
      confirmEnrollment(deps, { userId: user.id, code, now: NOW }),
    ]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok)).toEqual([refused("not-pending")]);
    expect(await auditRows(user.id, "TWO_FACTOR_ENABLED")).toHaveLength(1);
    expect(await outboxRows(user.email, "two-factor-enabled")).toHaveLength(1);
  });

  it("refuses to start enrollment again while 2FA is on, and keeps the secret", async () => {
    const { user } = await enrolledUser();
    const before = await userRow(user.id);
    expect(await beginEnrollment(db, keys, user.id, NOW)).toEqual({
      ok: false,
      kind: "conflict",
      reason: "already-enabled",
      message: "Two-factor authentication is already on.",
    });
    expect(await userRow(user.id)).toEqual(before);
  });
});

describe("2FA log-in step", () => {
  it("accepts a current code once and records its step", async () => {
    const secret = generateTotpSecret();
    const user = await createUser(db, { twoFactorSecret: secret }, { encryptionKeys: keys });
    const code = await totpCode(secret, NOW.getTime());

    expect(await verifyLoginCode(deps, { userId: user.id, code, now: NOW })).toEqual({
      ok: true,
      method: "totp",
    });
    expect((await userRow(user.id)).twoFactorLastUsedStep).toBe(
      Math.floor(NOW.getTime() / STEP_MS),
    );
    expect(await verifyLoginCode(deps, { userId: user.id, code, now: at(5_000) })).toEqual(
      refused("code-already-used"),
    );
  });

  it("gives exactly one success when the same code is submitted twice in parallel", async () => {
    const secret = generateTotpSecret();
    const user = await createUser(db, { twoFactorSecret: secret }, { encryptionKeys: keys });
    const code = await totpCode(secret, NOW.getTime());

    const results = await Promise.all([
      verifyLoginCode(deps, { userId: user.id, code, now: NOW }),
      verifyLoginCode(deps, { userId: user.id, code, now: NOW }),
    ]);
    expect(results.filter((result) => result.ok)).toEqual([{ ok: true, method: "totp" }]);
    expect(results.filter((result) => !result.ok)).toEqual([refused("code-already-used")]);
    const rejected = await auditRows(user.id, "TWO_FACTOR_CODE_REJECTED");
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.metadata).toEqual({ purpose: "login", reason: "code-already-used" });
  });

  it("accepts the previous step's code, but not one two steps old or from the next step", async () => {
    const secret = generateTotpSecret();
    const user = await createUser(db, { twoFactorSecret: secret }, { encryptionKeys: keys });
    const codeAt = (offset: number) => totpCode(secret, NOW.getTime() + offset);

    for (const code of [await codeAt(-2 * STEP_MS), await codeAt(STEP_MS)]) {
      expect(await verifyLoginCode(deps, { userId: user.id, code, now: NOW })).toEqual(
        refused("invalid-code"),
      );
    }
    expect(
      await verifyLoginCode(deps, { userId: user.id, code: await codeAt(-STEP_MS), now: NOW }),
    ).toEqual({ ok: true, method: "totp" });
    // After the previous step was used, the current one still works; the used one no longer does.
    expect(
      await verifyLoginCode(deps, { userId: user.id, code: await codeAt(-STEP_MS), now: NOW }),
    ).toEqual(refused("code-already-used"));
    expect(
      await verifyLoginCode(deps, { userId: user.id, code: await codeAt(0), now: NOW }),
    ).toEqual({ ok: true, method: "totp" });
  });

  it("accepts a recovery code once, even when it is submitted twice in parallel", async () => {
    const { user, recoveryCodes } = await enrolledUser();
    const code = recoveryCodes[3]!;

    const results = await Promise.all([
      verifyLoginCode(deps, { userId: user.id, code, now: NOW, request }),
      verifyLoginCode(deps, { userId: user.id, code, now: NOW, request }),
    ]);
    expect(results.filter((result) => result.ok)).toEqual([
      { ok: true, method: "recovery", recoveryCodesLeft: 9 },
    ]);
    // The loser either lost the UPDATE or already saw the code gone; either way it is refused.
    expect(results.filter((result) => !result.ok)).toHaveLength(1);
    expect((await userRow(user.id)).twoFactorRecoveryCodes).toHaveLength(9);
    const used = await auditRows(user.id, "TWO_FACTOR_RECOVERY_CODE_USED");
    expect(used).toHaveLength(1);
    expect(used[0]).toMatchObject({ requestId: "req-2fa", metadata: { remaining: 9 } });

    expect(await verifyLoginCode(deps, { userId: user.id, code, now: at(STEP_MS) })).toEqual(
      refused("recovery-code-already-used"),
    );
  });

  it("says a code used to switch 2FA on moments ago was just used, not that it is wrong", async () => {
    const user = await createUser(db);
    const { secret } = await startEnrollment(user.id, NOW);
    const code = await totpCode(secret, NOW.getTime());
    expect((await confirmEnrollment(deps, { userId: user.id, code, now: NOW })).ok).toBe(true);

    const again = await verifyLoginCode(deps, { userId: user.id, code, now: at(8_000) });
    expect(again).toEqual(refused("code-already-used"));
    expect(again.ok ? "" : again.message).toMatch(/just used/);
    expect(again.ok ? "" : again.message).toMatch(/wait for the next/i);
    expect(again.ok ? "" : again.message).not.toMatch(/isn't right|time on your phone/);
  });

  it("says a recovery code that was spent already was used, not to check the phone's time", async () => {
    const { user, recoveryCodes } = await enrolledUser();
    const code = recoveryCodes[5]!;
    expect(await verifyLoginCode(deps, { userId: user.id, code, now: NOW })).toMatchObject({
      ok: true,
      method: "recovery",
    });
    for (const typed of [code, code.toUpperCase().replaceAll("-", " ")]) {
      const reused = await verifyLoginCode(deps, {
        userId: user.id,
        code: typed,
        now: at(STEP_MS),
      });
      expect(reused).toEqual(refused("recovery-code-already-used"));
      expect(reused.ok ? "" : reused.message).toMatch(/already used/);
      expect(reused.ok ? "" : reused.message).not.toMatch(/time on your phone/);
    }
    // A recovery code that was never issued is still just wrong, and says so without the clock.
    const unknown = await verifyLoginCode(deps, {
      userId: user.id,
      code: "zzzz-zzzz-zzzz",
      now: at(STEP_MS),
    });
    expect(unknown.ok ? "" : unknown.message).not.toMatch(/time on your phone/);
  });

  it("reads recovery codes in any case, with spaces instead of dashes", async () => {
    const { user, recoveryCodes } = await enrolledUser();
    const typed = recoveryCodes[0]!.toUpperCase().replaceAll("-", " ");
    expect(await verifyLoginCode(deps, { userId: user.id, code: typed, now: NOW })).toEqual({
      ok: true,
      method: "recovery",
      recoveryCodesLeft: 9,
    });
  });

  it(`pauses code checks after ${TOTP_REJECTION_LIMIT} wrong codes in the window, then lets the owner in again`, async () => {
    const secret = generateTotpSecret();
    const user = await createUser(db, { twoFactorSecret: secret }, { encryptionKeys: keys });
    const current = await totpCode(secret, NOW.getTime());
    const wrong = current === "123456" ? "654321" : "123456";

    for (let i = 0; i < TOTP_REJECTION_LIMIT; i++) {
      expect(await verifyLoginCode(deps, { userId: user.id, code: wrong, now: NOW })).toEqual(
        refused("invalid-code"),
      );
    }
    expect(await verifyLoginCode(deps, { userId: user.id, code: current, now: NOW })).toEqual(
      refused("too-many-attempts"),
    );
    expect((await userRow(user.id)).twoFactorLastUsedStep).toBeNull();

    const later = at(TOTP_REJECTION_WINDOW_MS + STEP_MS);
    const fresh = await totpCode(secret, later.getTime());
    expect(await verifyLoginCode(deps, { userId: user.id, code: fresh, now: later })).toEqual({
      ok: true,
      method: "totp",
    });
  });

  it(`evaluates exactly ${TOTP_REJECTION_LIMIT} of 30 parallel wrong guesses`, async () => {
    const secret = generateTotpSecret();
    const user = await createUser(db, { twoFactorSecret: secret }, { encryptionKeys: keys });
    const current = await totpCode(secret, NOW.getTime());
    const guesses = Array.from({ length: 30 }, (_, i) =>
      String((Number(current) + 1 + i * 7919) % 1_000_000).padStart(6, "0"),
    );
    const results = await Promise.all(
      guesses.map((code) => verifyLoginCode(deps, { userId: user.id, code, now: NOW })),
    );
    const evaluated = results.filter((r) => !r.ok && r.reason === "invalid-code");
    const limited = results.filter((r) => !r.ok && r.reason === "too-many-attempts");
    expect(evaluated).toHaveLength(TOTP_REJECTION_LIMIT);
    expect(limited).toHaveLength(30 - TOTP_REJECTION_LIMIT);
    expect(await verifyLoginCode(deps, { userId: user.id, code: current, now: NOW })).toEqual(
      refused("too-many-attempts"),
    );
  });

  it("does not count right codes against the limit", async () => {
    const { user, recoveryCodes } = await enrolledUser();
    for (const code of recoveryCodes.slice(0, TOTP_REJECTION_LIMIT + 2)) {
      expect(await verifyLoginCode(deps, { userId: user.id, code, now: NOW })).toMatchObject({
        ok: true,
      });
    }
  });

  it("refuses a wrong code with a sentence for the code field, and too many as a limit", async () => {
    const secret = generateTotpSecret();
    const user = await createUser(db, { twoFactorSecret: secret }, { encryptionKeys: keys });
    const current = await totpCode(secret, NOW.getTime());
    const wrong = current === "123456" ? "654321" : "123456";
    expect(await verifyLoginCode(deps, { userId: user.id, code: wrong, now: NOW })).toEqual({
      ok: false,
      kind: "invalid",
      reason: "invalid-code",
      field: "code",
      message: "That code isn't right. Check the time on your phone and try the newest code.",
    });
    for (let i = 1; i < TOTP_REJECTION_LIMIT; i++) {
      await verifyLoginCode(deps, { userId: user.id, code: wrong, now: NOW });
    }
    expect(await verifyLoginCode(deps, { userId: user.id, code: current, now: NOW })).toEqual({
      ok: false,
      kind: "limit",
      reason: "too-many-attempts",
      // NOW is 10 s into a 15-minute window: the wait is what is left of it, rounded up.
      message: "Too many wrong codes: 5 are allowed in 15 minutes. Try again in 15 minutes.",
    });
  });

  it("says 2FA is not enabled for an account without it", async () => {
    const user = await createUser(db);
    expect(await verifyLoginCode(deps, { userId: user.id, code: "123456", now: NOW })).toEqual(
      refused("not-enabled"),
    );
  });
});

describe("turning 2FA off", () => {
  it("needs a valid code: a wrong one changes nothing", async () => {
    const { user } = await enrolledUser();
    const before = await userRow(user.id);

    expect(
      await disableTwoFactor(deps, { userId: user.id, code: "000000", now: NOW }),
    ).toMatchObject({ ok: false });
    expect(await userRow(user.id)).toEqual(before);
    expect(await auditRows(user.id, "TWO_FACTOR_DISABLED")).toHaveLength(0);
    expect(await outboxRows(user.email, "two-factor-disabled")).toHaveLength(0);
  });

  it("with a current code wipes secret, recovery codes and last step, with audit row and email", async () => {
    const { user, secret } = await enrolledUser();
    const code = await totpCode(secret, NOW.getTime());

    expect(await disableTwoFactor(deps, { userId: user.id, code, now: NOW, request })).toEqual({
      ok: true,
      method: "totp",
    });
    const row = await userRow(user.id);
    expect(row).toMatchObject({
      twoFactorEnabled: false,
      twoFactorSecret: null,
      twoFactorLastUsedStep: null,
      twoFactorRecoveryCodes: [],
    });
    const [audit] = await auditRows(user.id, "TWO_FACTOR_DISABLED");
    expect(audit).toMatchObject({
      actorId: user.id,
      requestId: "req-2fa",
      metadata: { method: "totp" },
    });
    const mails = await outboxRows(user.email, "two-factor-disabled");
    expect(mails).toHaveLength(1);
    expect(mails[0]!.bodyText).toContain("turned off");
    expect(await getEnrollmentState(db, keys, user.id)).toEqual({ status: "disabled" });
  });

  it("refuses a code that was already used to log in", async () => {
    const { user, secret } = await enrolledUser();
    const code = await totpCode(secret, NOW.getTime());
    expect(await verifyLoginCode(deps, { userId: user.id, code, now: NOW })).toMatchObject({
      ok: true,
    });

    expect(await disableTwoFactor(deps, { userId: user.id, code, now: NOW })).toEqual(
      refused("code-already-used"),
    );
    expect((await userRow(user.id)).twoFactorEnabled).toBe(true);
  });

  it("accepts a recovery code for someone who lost their phone", async () => {
    const { user, recoveryCodes } = await enrolledUser();
    expect(
      await disableTwoFactor(deps, { userId: user.id, code: recoveryCodes[9]!, now: NOW }),
    ).toEqual({ ok: true, method: "recovery" });
    expect((await userRow(user.id)).twoFactorEnabled).toBe(false);
  });

  it("disables once, with one audit row and one email, when submitted twice in parallel", async () => {
    const { user, secret } = await enrolledUser();
    const code = await totpCode(secret, NOW.getTime());

    const results = await Promise.all([
      disableTwoFactor(deps, { userId: user.id, code, now: NOW }),
      disableTwoFactor(deps, { userId: user.id, code, now: NOW }),
    ]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(await auditRows(user.id, "TWO_FACTOR_DISABLED")).toHaveLength(1);
    expect(await outboxRows(user.email, "two-factor-disabled")).toHaveLength(1);
  });
});
