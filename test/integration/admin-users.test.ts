import { env } from "cloudflare:test";
import { createId } from "@paralleldrive/cuid2";
import { eq, inArray } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { createDb, type Database } from "#db/client";
import { auditLogs, deviceSessions, emailOutbox, sessions, users, type UserRole } from "#db/schema";
import { parseEnv } from "~/lib/env.server";
import { getAdminDashboard } from "~/services/admin-dashboard.server";
import { checkPassword } from "~/services/auth/login.server";
import { newSessionStatement } from "~/services/sessions.server";
import {
  blockDevice,
  changeRole,
  getUserDetail,
  searchUsers,
  setAccountStatus,
  unblockDevice,
} from "~/services/users-admin.server";
import { createUser, DEFAULT_TEST_PASSWORD } from "../factories";

const db = createDb(env.DB);
const appEnv = parseEnv(env);
const request = { ipHash: "a".repeat(64), userAgent: "Vitest", requestId: "req-admin-users" };

// ---- Helpers ------------------------------------------------------------------------------

async function createStaff(role: UserRole) {
  const user = await createUser(db, { role });
  return { user, actor: { id: user.id, role: user.role } };
}

async function createDevice(userId: string, label = "Firefox on Linux") {
  const [device] = await db
    .insert(deviceSessions)
    .values({ userId, fingerprintHash: createId(), label, lastSeenAt: new Date() })
    .returning();
  return device!;
}

async function createSession(userId: string, deviceSessionId: string | null = null) {
  const { statement } = await newSessionStatement(db, {
    userId,
    deviceSessionId,
    twoFactorVerified: false,
    now: new Date(),
  });
  await statement;
}

const sessionsOf = (userId: string) =>
  db.select().from(sessions).where(eq(sessions.userId, userId));
const auditAbout = (entityId: string) =>
  db.select().from(auditLogs).where(eq(auditLogs.entityId, entityId));
const reload = async (userId: string) =>
  (await db.select().from(users).where(eq(users.id, userId)).limit(1))[0]!;

/**
 * A D1 binding that records every statement the service sends and whether it went alone or
 * inside a `batch`, so a test can prove that a change and its audit row share one batch.
 */
function recordingDb(): { db: Database; calls: Array<{ batch: boolean; sql: string[] }> } {
  const calls: Array<{ batch: boolean; sql: string[] }> = [];
  const real = Symbol("real");
  type Wrapped = D1PreparedStatement & { [real]: D1PreparedStatement; sql: string };
  const wrap = (statement: D1PreparedStatement, sql: string): Wrapped => {
    const single =
      <K extends "run" | "all" | "raw" | "first">(method: K) =>
      (...args: unknown[]) => {
        calls.push({ batch: false, sql: [sql] });
        return (statement[method] as (...a: unknown[]) => unknown)(...args);
      };
    return {
      [real]: statement,
      sql,
      bind: (...values: unknown[]) => wrap(statement.bind(...values), sql),
      run: single("run"),
      all: single("all"),
      raw: single("raw"),
      first: single("first"),
    } as unknown as Wrapped;
  };
  const d1 = new Proxy(env.DB, {
    get(target, property) {
      if (property === "prepare") return (sql: string) => wrap(target.prepare(sql), sql);
      if (property === "batch") {
        return (statements: Wrapped[]) => {
          calls.push({ batch: true, sql: statements.map((statement) => statement.sql) });
          return target.batch(statements.map((statement) => statement[real]));
        };
      }
      const value = Reflect.get(target, property) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db: createDb(d1), calls };
}

const isWrite = (sql: string) => /^\s*(insert|update|delete)\b/i.test(sql);

/** Every write went into exactly one batch; reads may happen before it. */
function expectOneBatchOfWrites(calls: Array<{ batch: boolean; sql: string[] }>) {
  const loneWrites = calls.filter((call) => !call.batch && call.sql.some(isWrite));
  expect(loneWrites).toEqual([]);
  const batches = calls.filter((call) => call.batch);
  expect(batches).toHaveLength(1);
  return batches[0]!.sql;
}

// ---- Account status -------------------------------------------------------------------------

describe("setAccountStatus", () => {
  let admin: Awaited<ReturnType<typeof createStaff>>;
  beforeEach(async () => {
    admin = await createStaff("ADMIN");
    await createSession(admin.user.id);
  });

  it("locks an account: ends all its sessions, stores the reason, audits and emails in one batch", async () => {
    const target = await createUser(db);
    const device = await createDevice(target.id);
    await createSession(target.id, device.id);
    await createSession(target.id);
    const now = new Date();
    const recorder = recordingDb();

    const result = await setAccountStatus(
      { db: recorder.db },
      {
        actor: admin.actor,
        targetId: target.id,
        status: "LOCKED",
        reason: "  Chargeback fraud  ",
        request,
        now,
      },
    );

    expect(result).toEqual({ ok: true, sessionsEnded: 2 });
    const batch = expectOneBatchOfWrites(recorder.calls);
    expect(batch.map((sql) => sql.split(" ").slice(0, 3).join(" "))).toEqual([
      'update "users" set',
      'delete from "sessions"',
      'insert into "audit_logs"',
      'insert into "email_outbox"',
    ]);

    const row = await reload(target.id);
    expect(row.accountStatus).toBe("LOCKED");
    expect(row.accountLockedReason).toBe("Chargeback fraud");
    expect(row.accountLockedAt?.getTime()).toBe(now.getTime());
    expect(await sessionsOf(target.id)).toHaveLength(0);
    // Only the target's sessions end.
    expect(await sessionsOf(admin.user.id)).toHaveLength(1);

    const [audit] = await auditAbout(target.id);
    expect(audit).toMatchObject({
      action: "ACCOUNT_LOCKED",
      actorId: admin.user.id,
      actorRole: "ADMIN",
      entityType: "user",
      metadata: { reason: "Chargeback fraud", previousStatus: "ACTIVE", status: "LOCKED" },
      requestId: "req-admin-users",
    });
    const mail = await db.select().from(emailOutbox).where(eq(emailOutbox.toEmail, target.email));
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({ template: "account-locked", status: "PENDING" });
    expect(mail[0]!.bodyText).toContain("Chargeback fraud");
  });

  it.each([
    ["SUSPENDED", "ACCOUNT_SUSPENDED", "account-suspended"],
    ["BANNED", "ACCOUNT_BANNED", "account-banned"],
  ] as const)("sets %s with its own audit action and email", async (status, action, template) => {
    const target = await createUser(db);
    await createSession(target.id);
    const result = await setAccountStatus(
      { db },
      {
        actor: admin.actor,
        targetId: target.id,
        status,
        reason: "Review",
        request,
        now: new Date(),
      },
    );
    expect(result).toEqual({ ok: true, sessionsEnded: 1 });
    expect((await reload(target.id)).accountStatus).toBe(status);
    expect(await sessionsOf(target.id)).toHaveLength(0);
    expect((await auditAbout(target.id)).map((row) => row.action)).toEqual([action]);
    const mail = await db.select().from(emailOutbox).where(eq(emailOutbox.toEmail, target.email));
    expect(mail.map((email) => email.template)).toEqual([template]);
  });

  it("a banned user's log-in is refused with the reason", async () => {
    const target = await createUser(db);
    await setAccountStatus(
      { db },
      {
        actor: admin.actor,
        targetId: target.id,
        status: "BANNED",
        reason: "Reselling licenses",
        now: new Date(),
      },
    );
    const attempt = await checkPassword(
      { db, env: appEnv },
      { email: target.email, password: DEFAULT_TEST_PASSWORD, now: new Date() },
    );
    expect(attempt).toMatchObject({ ok: false, reason: "account-inactive" });
    expect(!attempt.ok && attempt.message).toContain("Reselling licenses");
  });

  it("reactivates: clears the reason and the failed-login lock, audits the previous status, no email", async () => {
    const target = await createUser(db, {
      lockedUntil: new Date(Date.now() + 60_000),
      failedLoginCount: 100,
    });
    await setAccountStatus(
      { db },
      {
        actor: admin.actor,
        targetId: target.id,
        status: "SUSPENDED",
        reason: "Review",
        now: new Date(),
      },
    );
    const recorder = recordingDb();
    const result = await setAccountStatus(
      { db: recorder.db },
      {
        actor: admin.actor,
        targetId: target.id,
        status: "ACTIVE",
        reason: "",
        request,
        now: new Date(),
      },
    );
    expect(result).toEqual({ ok: true, sessionsEnded: 0 });
    expectOneBatchOfWrites(recorder.calls);
    const row = await reload(target.id);
    expect(row).toMatchObject({
      accountStatus: "ACTIVE",
      accountLockedReason: null,
      accountLockedAt: null,
      lockedUntil: null,
      failedLoginCount: 0,
    });
    const audit = await auditAbout(target.id);
    expect(audit.find((entry) => entry.action === "ACCOUNT_UNLOCKED")?.metadata).toEqual({
      reason: null,
      previousStatus: "SUSPENDED",
      status: "ACTIVE",
    });
    const mail = await db.select().from(emailOutbox).where(eq(emailOutbox.toEmail, target.email));
    expect(mail.map((email) => email.template)).toEqual(["account-suspended"]);
  });

  it("requires a reason of at most 500 characters to restrict an account", async () => {
    const target = await createUser(db);
    for (const reason of ["", "   ", null, "x".repeat(501)]) {
      const result = await setAccountStatus(
        { db },
        { actor: admin.actor, targetId: target.id, status: "LOCKED", reason, now: new Date() },
      );
      expect(result).toMatchObject({ ok: false, kind: "invalid", field: "reason" });
    }
    expect((await reload(target.id)).accountStatus).toBe("ACTIVE");
    expect(await auditAbout(target.id)).toHaveLength(0);
    const ok = await setAccountStatus(
      { db },
      {
        actor: admin.actor,
        targetId: target.id,
        status: "LOCKED",
        reason: "x".repeat(500),
        now: new Date(),
      },
    );
    expect(ok.ok).toBe(true);
  });

  it("a moderator locks and suspends customers but cannot ban, touch staff, or lift a ban", async () => {
    const moderator = await createStaff("MODERATOR");
    const customer = await createUser(db);
    await createSession(customer.id);
    const deps = { db };
    const as = (targetId: string, status: "LOCKED" | "BANNED" | "ACTIVE" | "SUSPENDED") =>
      setAccountStatus(deps, {
        actor: moderator.actor,
        targetId,
        status,
        reason: "Because",
        now: new Date(),
      });

    const ban = await as(customer.id, "BANNED");
    expect(ban).toMatchObject({ ok: false, kind: "forbidden" });
    expect((await reload(customer.id)).accountStatus).toBe("ACTIVE");
    expect(await sessionsOf(customer.id)).toHaveLength(1);
    expect(await auditAbout(customer.id)).toHaveLength(0);

    const viewer = await createUser(db, { role: "VIEWER" });
    expect(await as(viewer.id, "LOCKED")).toMatchObject({ ok: false, kind: "forbidden" });
    expect((await reload(viewer.id)).accountStatus).toBe("ACTIVE");

    expect(await as(customer.id, "SUSPENDED")).toMatchObject({ ok: true });
    expect(await as(customer.id, "ACTIVE")).toMatchObject({ ok: true });

    await setAccountStatus(deps, {
      actor: admin.actor,
      targetId: customer.id,
      status: "BANNED",
      reason: "Fraud",
      now: new Date(),
    });
    expect(await as(customer.id, "ACTIVE")).toMatchObject({ ok: false, kind: "forbidden" });
    expect(await as(customer.id, "LOCKED")).toMatchObject({ ok: false, kind: "forbidden" });
    expect((await reload(customer.id)).accountStatus).toBe("BANNED");
  });

  it("nobody changes their own status, and only an owner acts on an equal or higher role", async () => {
    const otherAdmin = await createStaff("ADMIN");
    const owner = await createStaff("OWNER");
    const now = new Date();
    expect(
      await setAccountStatus(
        { db },
        { actor: admin.actor, targetId: admin.user.id, status: "LOCKED", reason: "x", now },
      ),
    ).toMatchObject({ ok: false, kind: "forbidden" });
    expect(
      await setAccountStatus(
        { db },
        { actor: owner.actor, targetId: owner.user.id, status: "BANNED", reason: "x", now },
      ),
    ).toMatchObject({ ok: false, kind: "forbidden" });
    expect(
      await setAccountStatus(
        { db },
        { actor: admin.actor, targetId: otherAdmin.user.id, status: "LOCKED", reason: "x", now },
      ),
    ).toMatchObject({ ok: false, kind: "forbidden" });
    expect(
      await setAccountStatus(
        { db },
        { actor: admin.actor, targetId: owner.user.id, status: "SUSPENDED", reason: "x", now },
      ),
    ).toMatchObject({ ok: false, kind: "forbidden" });
    expect(
      await setAccountStatus(
        { db },
        { actor: owner.actor, targetId: otherAdmin.user.id, status: "BANNED", reason: "x", now },
      ),
    ).toMatchObject({ ok: true });
  });

  it("refuses an unknown account and a status the account already has", async () => {
    const now = new Date();
    expect(
      await setAccountStatus(
        { db },
        { actor: admin.actor, targetId: createId(), status: "LOCKED", reason: "x", now },
      ),
    ).toMatchObject({ ok: false, kind: "not-found" });
    const target = await createUser(db);
    expect(
      await setAccountStatus(
        { db },
        { actor: admin.actor, targetId: target.id, status: "ACTIVE", now },
      ),
    ).toMatchObject({ ok: false, kind: "conflict" });
  });
});

// ---- Role -------------------------------------------------------------------------------------

describe("changeRole", () => {
  it("an admin grants up to MODERATOR, audited as SETTINGS_CHANGED with from and to", async () => {
    const admin = await createStaff("ADMIN");
    const target = await createUser(db);
    const recorder = recordingDb();
    const result = await changeRole(
      { db: recorder.db },
      { actor: admin.actor, targetId: target.id, role: "MODERATOR", request, now: new Date() },
    );
    expect(result).toEqual({ ok: true });
    const batch = expectOneBatchOfWrites(recorder.calls);
    expect(batch).toHaveLength(2);
    expect((await reload(target.id)).role).toBe("MODERATOR");
    const [audit] = await auditAbout(target.id);
    expect(audit).toMatchObject({
      action: "SETTINGS_CHANGED",
      actorId: admin.user.id,
      metadata: { field: "role", from: "USER", to: "MODERATOR" },
    });
  });

  it("an admin cannot grant ADMIN or OWNER, nor change another admin's or an owner's role", async () => {
    const admin = await createStaff("ADMIN");
    const target = await createUser(db);
    const otherAdmin = await createUser(db, { role: "ADMIN" });
    const owner = await createUser(db, { role: "OWNER" });
    const now = new Date();
    for (const role of ["ADMIN", "OWNER"] as const) {
      const result = await changeRole(
        { db },
        { actor: admin.actor, targetId: target.id, role, now },
      );
      expect(result).toMatchObject({ ok: false, kind: "forbidden", field: "role" });
    }
    for (const victim of [otherAdmin, owner]) {
      const result = await changeRole(
        { db },
        { actor: admin.actor, targetId: victim.id, role: "USER", now },
      );
      expect(result).toMatchObject({ ok: false, kind: "forbidden" });
      expect((await reload(victim.id)).role).toBe(victim.role);
    }
    expect((await reload(target.id)).role).toBe("USER");
    expect(await auditAbout(target.id)).toHaveLength(0);
  });

  it("an owner grants any role, including ADMIN and OWNER", async () => {
    const owner = await createStaff("OWNER");
    const target = await createUser(db);
    const now = new Date();
    expect(
      await changeRole({ db }, { actor: owner.actor, targetId: target.id, role: "ADMIN", now }),
    ).toEqual({ ok: true });
    expect(
      await changeRole({ db }, { actor: owner.actor, targetId: target.id, role: "OWNER", now }),
    ).toEqual({ ok: true });
    expect((await reload(target.id)).role).toBe("OWNER");
  });

  it("nobody changes their own role; moderators change none; the same role is a conflict", async () => {
    const owner = await createStaff("OWNER");
    const moderator = await createStaff("MODERATOR");
    const target = await createUser(db);
    const now = new Date();
    expect(
      await changeRole({ db }, { actor: owner.actor, targetId: owner.user.id, role: "USER", now }),
    ).toMatchObject({
      ok: false,
      kind: "forbidden",
    });
    expect(
      await changeRole(
        { db },
        { actor: moderator.actor, targetId: target.id, role: "VIEWER", now },
      ),
    ).toMatchObject({
      ok: false,
      kind: "forbidden",
    });
    expect(
      await changeRole({ db }, { actor: owner.actor, targetId: target.id, role: "USER", now }),
    ).toMatchObject({
      ok: false,
      kind: "conflict",
    });
    expect((await reload(owner.user.id)).role).toBe("OWNER");
  });
});

// ---- Devices ----------------------------------------------------------------------------------

describe("blockDevice / unblockDevice", () => {
  it("blocks a device and ends its sessions (only its own) in the batch that audits it", async () => {
    const admin = await createStaff("ADMIN");
    const target = await createUser(db);
    const laptop = await createDevice(target.id, "Firefox on Linux");
    const phone = await createDevice(target.id, "Safari on iOS");
    await createSession(target.id, laptop.id);
    await createSession(target.id, laptop.id);
    await createSession(target.id, phone.id);
    const now = new Date();
    const recorder = recordingDb();

    const result = await blockDevice(
      { db: recorder.db },
      {
        actor: admin.actor,
        deviceId: laptop.id,
        userId: target.id,
        reason: "Shared license key",
        request,
        now,
      },
    );

    expect(result).toEqual({ ok: true, sessionsEnded: 2 });
    expect(expectOneBatchOfWrites(recorder.calls)).toHaveLength(3);
    const [device] = await db.select().from(deviceSessions).where(eq(deviceSessions.id, laptop.id));
    expect(device).toMatchObject({
      isBlocked: true,
      blockedReason: "Shared license key",
      blockedById: admin.user.id,
    });
    expect(device!.blockedAt?.getTime()).toBe(now.getTime());
    const left = await sessionsOf(target.id);
    expect(left.map((session) => session.deviceSessionId)).toEqual([phone.id]);
    const [audit] = await auditAbout(laptop.id);
    expect(audit).toMatchObject({
      action: "DEVICE_BLOCKED",
      entityType: "device_session",
      actorId: admin.user.id,
      metadata: { reason: "Shared license key", userId: target.id },
    });
  });

  it("a blocked device can't log in", async () => {
    const admin = await createStaff("ADMIN");
    const target = await createUser(db);
    const fingerprint = createId();
    const userAgent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0";
    const first = await checkPassword(
      { db, env: appEnv },
      {
        email: target.email,
        password: DEFAULT_TEST_PASSWORD,
        fingerprint,
        userAgent,
        now: new Date(),
      },
    );
    expect(first.ok).toBe(true);
    const deviceId = first.ok ? first.deviceSessionId : "";
    expect(
      await blockDevice(
        { db },
        { actor: admin.actor, deviceId, reason: "Stolen laptop", now: new Date() },
      ),
    ).toMatchObject({ ok: true });
    const again = await checkPassword(
      { db, env: appEnv },
      {
        email: target.email,
        password: DEFAULT_TEST_PASSWORD,
        fingerprint,
        userAgent,
        now: new Date(),
      },
    );
    expect(again).toMatchObject({ ok: false, reason: "device-blocked" });
  });

  it("unblocks with an audit row and clears the block fields", async () => {
    const admin = await createStaff("ADMIN");
    const target = await createUser(db);
    const device = await createDevice(target.id);
    await blockDevice(
      { db },
      { actor: admin.actor, deviceId: device.id, reason: "Check", now: new Date() },
    );
    const result = await unblockDevice(
      { db },
      { actor: admin.actor, deviceId: device.id, userId: target.id, now: new Date() },
    );
    expect(result).toEqual({ ok: true });
    const [row] = await db.select().from(deviceSessions).where(eq(deviceSessions.id, device.id));
    expect(row).toMatchObject({
      isBlocked: false,
      blockedReason: null,
      blockedAt: null,
      blockedById: null,
    });
    expect((await auditAbout(device.id)).map((entry) => entry.action).sort()).toEqual([
      "DEVICE_BLOCKED",
      "DEVICE_UNBLOCKED",
    ]);
    expect(
      await unblockDevice({ db }, { actor: admin.actor, deviceId: device.id, now: new Date() }),
    ).toMatchObject({
      ok: false,
      kind: "conflict",
    });
  });

  it("needs devices:block, a reason, the right owner, and follows the rank rules", async () => {
    const admin = await createStaff("ADMIN");
    const moderator = await createStaff("MODERATOR");
    const target = await createUser(db);
    const stranger = await createUser(db);
    const device = await createDevice(target.id);
    await createSession(target.id, device.id);
    const ownDevice = await createDevice(admin.user.id);
    const ownerDevice = await createDevice((await createUser(db, { role: "OWNER" })).id);
    const now = new Date();

    expect(
      await blockDevice({ db }, { actor: moderator.actor, deviceId: device.id, reason: "x", now }),
    ).toMatchObject({ ok: false, kind: "forbidden" });
    expect(
      await blockDevice({ db }, { actor: admin.actor, deviceId: device.id, reason: " ", now }),
    ).toMatchObject({
      ok: false,
      kind: "invalid",
      field: "reason",
    });
    expect(
      await blockDevice(
        { db },
        { actor: admin.actor, deviceId: device.id, userId: stranger.id, reason: "x", now },
      ),
    ).toMatchObject({ ok: false, kind: "not-found" });
    expect(
      await blockDevice({ db }, { actor: admin.actor, deviceId: ownDevice.id, reason: "x", now }),
    ).toMatchObject({
      ok: false,
      kind: "forbidden",
    });
    expect(
      await blockDevice({ db }, { actor: admin.actor, deviceId: ownerDevice.id, reason: "x", now }),
    ).toMatchObject({
      ok: false,
      kind: "forbidden",
    });

    const rows = await db
      .select()
      .from(deviceSessions)
      .where(inArray(deviceSessions.id, [device.id, ownDevice.id, ownerDevice.id]));
    expect(rows.every((row) => !row.isBlocked)).toBe(true);
    expect(await sessionsOf(target.id)).toHaveLength(1);
    expect(await auditAbout(device.id)).toHaveLength(0);
  });
});

// ---- Reading ------------------------------------------------------------------------------------

describe("searchUsers and getUserDetail", () => {
  it("matches email or name literally (LIKE wildcards escaped), filters, and pages by (created_at, id)", async () => {
    const marker = createId().slice(0, 10);
    const at = new Date("2030-01-01T00:00:00Z");
    const percent = await createUser(db, { name: `Fifty 50% ${marker}`, createdAt: at });
    const underscore = await createUser(db, { name: `Under_score ${marker}`, createdAt: at });
    const plain = await createUser(db, {
      name: `Plain 500 ${marker}`,
      createdAt: at,
      role: "EDITOR",
    });

    const literal = await searchUsers(db, { q: `50% ${marker}` });
    expect(literal.items.map((user) => user.id)).toEqual([percent.id]);
    // Unescaped, "_" would match the "0" of "Plain 500".
    expect((await searchUsers(db, { q: "Plain 50_ " + marker })).items).toEqual([]);
    expect(
      (await searchUsers(db, { q: `Under_score ${marker}` })).items.map((user) => user.id),
    ).toEqual([underscore.id]);
    expect(
      (await searchUsers(db, { q: percent.email.toUpperCase() })).items.map((user) => user.id),
    ).toEqual([percent.id]);
    expect(
      (await searchUsers(db, { q: marker, role: "EDITOR" })).items.map((user) => user.id),
    ).toEqual([plain.id]);

    const first = await searchUsers(db, { q: marker, pageSize: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toBeTruthy();
    const second = await searchUsers(db, { q: marker, pageSize: 2, cursor: first.nextCursor! });
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const all = [...first.items, ...second.items].map((user) => user.id);
    expect(new Set(all)).toEqual(new Set([percent.id, underscore.id, plain.id]));
    // Same created_at: the id breaks the tie, newest (largest) first.
    expect(all).toEqual([...all].sort().reverse());
    expect(first.items[0]).not.toHaveProperty("passwordHash");
  });

  it("filters by status and defaults to pages of 25", async () => {
    const marker = createId().slice(0, 10);
    const locked = await createUser(db, { name: `Locked ${marker}`, accountStatus: "LOCKED" });
    await createUser(db, { name: `Active ${marker}` });
    const page = await searchUsers(db, { q: marker, status: "LOCKED" });
    expect(page.items.map((user) => user.id)).toEqual([locked.id]);
    const everyone = await searchUsers(db, {});
    expect(everyone.items.length).toBeLessThanOrEqual(25);
  });

  it("shows a user without secrets, with devices, live sessions and the last 20 audit rows", async () => {
    const admin = await createStaff("ADMIN");
    const target = await createUser(
      db,
      { twoFactorSecret: "JBSWY3DPEHPK3PXP" },
      { encryptionKeys: appEnv.encryptionKeys },
    );
    const device = await createDevice(target.id);
    await createSession(target.id, device.id);
    await createSession(target.id, device.id);
    await createSession(target.id);
    for (let index = 0; index < 22; index += 1) {
      await db.insert(auditLogs).values({
        actorId: index % 2 ? target.id : admin.user.id,
        action: "SETTINGS_CHANGED",
        entityType: "user",
        entityId: index % 2 ? createId() : target.id,
        metadata: { index },
        createdAt: new Date(Date.UTC(2030, 0, 1, 0, 0, index)),
      });
    }
    await db.insert(auditLogs).values({
      actorId: admin.user.id,
      action: "SETTINGS_CHANGED",
      entityType: "user",
      entityId: createId(),
      metadata: { unrelated: true },
    });

    const detail = await getUserDetail(db, target.id);
    expect(detail).not.toBeNull();
    const { user, devices, activeSessions, audit } = detail!;
    expect(user.id).toBe(target.id);
    expect(user.twoFactorEnabled).toBe(true);
    for (const secret of [
      "passwordHash",
      "twoFactorSecret",
      "twoFactorRecoveryCodes",
      "guardianConsentTokenHash",
    ]) {
      expect(user).not.toHaveProperty(secret);
    }
    expect(devices).toEqual([
      expect.objectContaining({ id: device.id, sessionCount: 2, isBlocked: false }),
    ]);
    expect(activeSessions).toBe(3);
    expect(audit).toHaveLength(20);
    expect(audit!.map((row) => (row.metadata as { index: number }).index)).toEqual(
      Array.from({ length: 20 }, (_, offset) => 21 - offset),
    );

    expect((await getUserDetail(db, target.id, { includeAudit: false }))!.audit).toBeNull();
    expect(await getUserDetail(db, createId())).toBeNull();
  });

  it("counts accounts by role and status for the dashboard, hiding audit rows unless asked", async () => {
    const before = await getAdminDashboard(db, { now: new Date(), includeAudit: false });
    await createUser(db, { role: "EDITOR" });
    await createUser(db, { accountStatus: "BANNED" });
    const after = await getAdminDashboard(db, { now: new Date(), includeAudit: true });
    expect(after.usersByRole.EDITOR).toBe(before.usersByRole.EDITOR + 1);
    expect(after.usersByStatus.BANNED).toBe(before.usersByStatus.BANNED + 1);
    expect(after.totalUsers).toBe(before.totalUsers + 2);
    expect(before.recentAudit).toBeNull();
    expect(Array.isArray(after.recentAudit)).toBe(true);
    expect(await db.select().from(users).where(eq(users.role, "EDITOR"))).toHaveLength(
      after.usersByRole.EDITOR,
    );
  });
});
