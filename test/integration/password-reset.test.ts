import { env } from "cloudflare:test";
import { createId } from "@paralleldrive/cuid2";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { auditLogs, emailOutbox, sessions, users } from "#db/schema";
import { parseEnv } from "~/lib/env.server";
import { verifyPassword } from "~/lib/password.server";
import { ACCOUNT_TOKEN_TTL_MS } from "~/services/auth/account-tokens.server";
import { checkPassword } from "~/services/auth/login.server";
import { changePassword } from "~/services/auth/password-change.server";
import {
  PASSWORD_RESET_REQUEST_LIMITS,
  requestPasswordReset,
  resetPassword,
} from "~/services/auth/password-reset.server";
import { newSessionStatement } from "~/services/sessions.server";
import { createUser, DEFAULT_TEST_PASSWORD } from "../factories";

const db = createDb(env.DB);
const appEnv = parseEnv(env);
const deps = { db, env: appEnv };
const ORIGIN = "https://store.example";
const NEW_PASSWORD = "a brand new sentence for this account";
const TOTP_SECRET = "JBSWY3DPEHPK3PXP";
const now = new Date("2026-12-01T10:00:00Z");
const later = (ms: number, from = now) => new Date(from.getTime() + ms);

/** Each test asks from its own address, so the per-IP limit of one never hits another. */
const freshRequest = () => ({ ipHash: `ip-${createId()}`, userAgent: "vitest", requestId: null });

const outboxTo = (email: string) =>
  db.select().from(emailOutbox).where(eq(emailOutbox.toEmail, email));

/** Ask for a link the way /forgot-password does, and read it from the queued email. */
async function askForLink(email: string, at = now) {
  const result = await requestPasswordReset(deps, {
    email,
    origin: ORIGIN,
    request: freshRequest(),
    now: at,
  });
  expect(result).toEqual({ ok: true });
  const emails = (await outboxTo(email)).filter((row) => row.template === "password-reset");
  const body = emails.at(-1)?.bodyText ?? "";
  const token = new RegExp(`${ORIGIN}/reset-password/([A-Za-z0-9_-]{43})`).exec(body)?.[1];
  expect(token, "the email holds the link").toBeDefined();
  return token!;
}

const reset = (token: string, password = NEW_PASSWORD, at = later(60_000)) =>
  resetPassword(deps, { token, password, request: freshRequest(), now: at });

async function storedHash(userId: string) {
  const [row] = await db.select().from(users).where(eq(users.id, userId));
  return row!;
}

async function startSessions(userId: string, count: number) {
  for (let index = 0; index < count; index += 1) {
    const { statement } = await newSessionStatement(db, {
      userId,
      deviceSessionId: null,
      twoFactorVerified: false,
      now,
    });
    await statement;
  }
}

const auditRows = (userId: string, action: string) =>
  db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.entityId, userId), eq(auditLogs.action, action)));

// Every reset hashes a password with the real scrypt cost, which takes a while on a busy machine.
describe("forgot password → reset link", { timeout: 60_000 }, () => {
  it("emails a single-use link that sets the new password once", async () => {
    const user = await createUser(db);
    const token = await askForLink(user.email);
    const [email] = await outboxTo(user.email);
    expect(email!.bodyText).toContain("30 minutes");
    expect(email!.bodyText).toContain("If you didn't ask for this, ignore this email");
    expect(await auditRows(user.id, "PASSWORD_RESET_REQUESTED")).toHaveLength(1);

    expect(await reset(token)).toEqual({ ok: true, userId: user.id });
    const row = await storedHash(user.id);
    expect((await verifyPassword(NEW_PASSWORD, row.passwordHash)).valid).toBe(true);
    expect((await verifyPassword(DEFAULT_TEST_PASSWORD, row.passwordHash)).valid).toBe(false);
    expect(row.passwordChangedAt).toEqual(later(60_000));
    expect(await auditRows(user.id, "PASSWORD_RESET_COMPLETED")).toHaveLength(1);
    const notice = (await outboxTo(user.email)).find((e) => e.template === "password-changed");
    expect(notice?.bodyText).toContain("If this wasn't you");

    // The second use of the same link changes nothing.
    expect(await reset(token, "yet another password entirely", later(120_000))).toMatchObject({
      ok: false,
      reason: "used",
    });
    expect((await storedHash(user.id)).passwordHash).toBe(row.passwordHash);
  });

  it("expires 30 minutes after it was asked for", async () => {
    const user = await createUser(db);
    const token = await askForLink(user.email);
    expect(ACCOUNT_TOKEN_TTL_MS.PASSWORD_RESET).toBe(30 * 60 * 1000);
    expect(await reset(token, NEW_PASSWORD, later(30 * 60 * 1000))).toMatchObject({
      ok: false,
      reason: "expired",
    });
    expect(await reset(token, NEW_PASSWORD, later(30 * 60 * 1000 - 1))).toMatchObject({
      ok: true,
    });
  });

  it("is refused after the password was changed another way", async () => {
    const user = await createUser(db);
    const token = await askForLink(user.email);
    const [session] = await db
      .insert(sessions)
      .values({
        tokenHash: createId(),
        userId: user.id,
        expiresAt: later(86_400_000),
        lastSeenAt: now,
        createdAt: now,
      })
      .returning();
    const changed = await changePassword(deps, {
      user: { id: user.id, role: user.role, sessionId: session!.id },
      currentPassword: DEFAULT_TEST_PASSWORD,
      newPassword: "changed on the security page",
      actor: { id: user.id, role: user.role },
      request: freshRequest(),
      now: later(30_000),
    });
    expect(changed).toMatchObject({ ok: true });
    expect(await reset(token)).toMatchObject({ ok: false, reason: "used" });
    const row = await storedHash(user.id);
    expect((await verifyPassword("changed on the security page", row.passwordHash)).valid).toBe(
      true,
    );
  });

  it("gives an unknown address the same answer, and queues nothing", async () => {
    const email = `nobody-${createId()}@example.test`;
    const result = await requestPasswordReset(deps, {
      email,
      origin: ORIGIN,
      request: freshRequest(),
      now,
    });
    expect(result).toEqual({ ok: true });
    expect(await outboxTo(email)).toHaveLength(0);
    // Logged without the address, which belongs to no one we know.
    const rows = await db
      .select()
      .from(auditLogs)
      .where(eq(auditLogs.action, "PASSWORD_RESET_REQUESTED"));
    expect(rows.some((row) => row.metadata?.accountFound === false)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(email);
  });

  it("does not send a link to a deleted account", async () => {
    const user = await createUser(db, { deletedAt: now });
    await requestPasswordReset(deps, {
      email: user.email,
      origin: ORIGIN,
      request: freshRequest(),
      now,
    });
    expect(await outboxTo(user.email)).toHaveLength(0);
  });

  it("ends every session of the account", async () => {
    const user = await createUser(db);
    await startSessions(user.id, 3);
    const token = await askForLink(user.email);
    await reset(token);
    expect(await db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
  });

  it("clears the failed log-in counters, but never lifts a status staff set", async () => {
    const lockedOut = await createUser(db, {
      failedLoginCount: 100,
      failedLoginWindowStart: now,
      lastFailedLoginAt: now,
      lockedUntil: later(15 * 60 * 1000),
    });
    await reset(await askForLink(lockedOut.email));
    expect(await storedHash(lockedOut.id)).toMatchObject({
      failedLoginCount: 0,
      failedLoginWindowStart: null,
      lastFailedLoginAt: null,
      lockedUntil: null,
      accountStatus: "ACTIVE",
    });

    for (const accountStatus of ["LOCKED", "SUSPENDED", "BANNED"] as const) {
      const restricted = await createUser(db, { accountStatus, accountLockedReason: "staff" });
      expect(await reset(await askForLink(restricted.email))).toMatchObject({ ok: true });
      expect((await storedHash(restricted.id)).accountStatus).toBe(accountStatus);
    }
  });

  it("leaves two-factor authentication on: the next log-in still asks for a code", async () => {
    const user = await createUser(
      db,
      { twoFactorSecret: TOTP_SECRET },
      { encryptionKeys: appEnv.encryptionKeys },
    );
    await reset(await askForLink(user.email));
    const check = await checkPassword(deps, {
      email: user.email,
      password: NEW_PASSWORD,
      fingerprint: "reset-test",
      userAgent: "vitest",
      ip: "198.51.100.9",
      now: later(120_000),
    });
    expect(check.ok && check.user.twoFactorEnabled).toBe(true);
    expect((await storedHash(user.id)).twoFactorSecret).toBe(user.twoFactorSecret);
  });

  it("is throttled per address, for known and unknown addresses alike", async () => {
    const { perEmail } = PASSWORD_RESET_REQUEST_LIMITS;
    for (const email of [(await createUser(db)).email, `nobody-${createId()}@example.test`]) {
      const ask = () =>
        requestPasswordReset(deps, { email, origin: ORIGIN, request: freshRequest(), now });
      for (let attempt = 0; attempt < perEmail; attempt += 1) {
        expect(await ask()).toEqual({ ok: true });
      }
      const throttled = await ask();
      expect(throttled).toMatchObject({ ok: false, kind: "limit", reason: "throttled" });
      expect(throttled.ok ? "" : throttled.message).toMatch(/Try again in \d+ (seconds|minutes)/);
    }
  });

  it("is throttled per IP address", async () => {
    const { perIp, windowMs } = PASSWORD_RESET_REQUEST_LIMITS;
    const request = freshRequest();
    const ask = (at = now) =>
      requestPasswordReset(deps, {
        email: `someone-${createId()}@example.test`,
        origin: ORIGIN,
        request,
        now: at,
      });
    for (let attempt = 0; attempt < perIp; attempt += 1) expect(await ask()).toEqual({ ok: true });
    const throttled = await ask();
    expect(throttled).toMatchObject({ ok: false, reason: "throttled" });
    expect(throttled.ok ? 0 : throttled.retryAfterSeconds).toBeGreaterThan(0);
    // The next window is open again.
    expect(await ask(later(windowMs))).toEqual({ ok: true });
  });

  it("changes the password exactly once when one link is used 10 times in parallel", async () => {
    const user = await createUser(db);
    await startSessions(user.id, 2);
    const token = await askForLink(user.email);
    const passwords = Array.from({ length: 10 }, (_, index) => `parallel password number ${index}`);
    const results = await Promise.all(passwords.map((password) => reset(token, password)));

    expect(results.filter((result) => result.ok)).toHaveLength(1);
    for (const result of results.filter((r) => !r.ok)) {
      expect(result).toMatchObject({ ok: false, reason: "used" });
    }
    expect(await auditRows(user.id, "PASSWORD_RESET_COMPLETED")).toHaveLength(1);
    const notices = (await outboxTo(user.email)).filter((e) => e.template === "password-changed");
    expect(notices).toHaveLength(1);
    // The stored hash is the winner's password.
    const winner = passwords[results.findIndex((result) => result.ok)]!;
    const { passwordHash } = await storedHash(user.id);
    expect((await verifyPassword(winner, passwordHash)).valid).toBe(true);
    expect(await db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
  }, 180_000);
});
