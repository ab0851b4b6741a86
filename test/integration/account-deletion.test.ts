import { env } from "cloudflare:test";
import { SELF } from "../helpers/worker";
import { and, eq, ne } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import {
  auditLogs,
  creditTransactions,
  digitalProductPurchases,
  emailOutbox,
  licenses,
  memberships,
  serviceAddOns,
  serviceProjects,
  sessions,
  users,
} from "#db/schema";
import { generateTotpSecret, totpCode } from "~/domain/auth/totp";
import { DELETION_GRACE_DAYS, ERASED_NAME } from "~/domain/privacy/deletion";
import { AccountDeletionFormSchema } from "~/domain/privacy/privacy-forms";
import { parseEnv } from "~/lib/env.server";
import { parseForm } from "~/lib/forms.server";
import { JOB_REGISTRY, DAILY } from "~/jobs/registry";
import { eraseDeletedAccountsJob } from "~/jobs/erase-deleted-accounts";
import { checkPassword, startSession } from "~/services/auth/login.server";
import { checkLedgers } from "~/services/ledger.server";
import { validateLicense } from "~/services/license-api.server";
import { requestAccountDeletion } from "~/services/privacy/account-deletion.server";
import { eraseDueAccounts } from "~/services/privacy/erasure.server";
import { createUser, DEFAULT_TEST_PASSWORD } from "../factories";
import { seedPerson } from "../helpers/personal-data";
import { postForm, sessionCookieFor } from "../helpers/session";

const db = createDb(env.DB);
const appEnv = parseEnv(env);
const deps = { db, env: appEnv };
const request = { ipHash: "deletion-test-ip", userAgent: "Vitest", requestId: "req-delete" };
const DAY_MS = 24 * 60 * 60 * 1000;

async function ask(
  userId: string,
  input: { password?: string; code?: string; now?: Date; role?: "USER" | "OWNER" } = {},
) {
  return requestAccountDeletion(deps, {
    userId,
    actor: { id: userId, role: input.role ?? "USER" },
    password: input.password ?? DEFAULT_TEST_PASSWORD,
    code: input.code,
    request,
    now: input.now ?? new Date(),
  });
}

async function userRow(id: string) {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row!;
}

const sessionCount = async (userId: string) =>
  (await db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, userId))).length;

/** Every table, every column: the rows that hold `value` anywhere in their text. */
async function tablesHolding(value: string): Promise<string[]> {
  const { results: tables } = await env.DB.prepare(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%' and name <> 'd1_migrations'",
  ).all<{ name: string }>();
  const found: string[] = [];
  for (const { name } of tables) {
    const { results: columns } = await env.DB.prepare(
      `select name from pragma_table_info('${name}')`,
    ).all<{ name: string }>();
    const where = columns.map((c) => `instr(cast("${c.name}" as text), ?1) > 0`).join(" or ");
    const row = await env.DB.prepare(`select count(*) as n from "${name}" where ${where}`)
      .bind(value)
      .first<{ n: number }>();
    if (row && row.n > 0) found.push(`${name} (${row.n})`);
  }
  return found;
}

describe("asking to delete one's account", () => {
  it("refuses a wrong password, a missing DELETE and the last owner, changing nothing", async () => {
    const user = await createUser(db);
    await sessionCookieFor(user.id);

    expect(await ask(user.id, { password: "not my password" })).toMatchObject({
      ok: false,
      reason: "wrong-password",
      field: "password",
    });

    const form = new FormData();
    form.set("intent", "delete");
    form.set("password", DEFAULT_TEST_PASSWORD);
    form.set("confirm", "delete please");
    const parsed = parseForm(form, AccountDeletionFormSchema);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reply.fieldErrors.confirm).toBe("Type DELETE to confirm.");

    // The only owner: demote any other owner a previous test left behind.
    const owner = await createUser(db, { role: "OWNER" });
    await db
      .update(users)
      .set({ role: "ADMIN" })
      .where(and(eq(users.role, "OWNER"), ne(users.id, owner.id)));
    await sessionCookieFor(owner.id);
    expect(await ask(owner.id, { role: "OWNER" })).toMatchObject({
      ok: false,
      kind: "conflict",
      reason: "last-owner",
    });

    for (const id of [user.id, owner.id]) {
      const row = await userRow(id);
      expect(row.deletionRequestedAt).toBeNull();
      expect(row.deletionDueAt).toBeNull();
      expect(await sessionCount(id)).toBe(1);
    }

    // With a second owner, the first may go.
    await createUser(db, { role: "OWNER" });
    expect(await ask(owner.id, { role: "OWNER" })).toMatchObject({ ok: true });
  });

  it("schedules the erasure in 7 days, ends every session, audits and emails the date", async () => {
    const user = await createUser(db);
    await sessionCookieFor(user.id);
    await sessionCookieFor(user.id);
    const now = new Date(Date.UTC(2026, 6, 1, 9, 0));

    const result = await ask(user.id, { now });
    expect(result).toMatchObject({ ok: true });
    const row = await userRow(user.id);
    expect(row.deletionRequestedAt).toEqual(now);
    expect(row.deletionDueAt).toEqual(new Date(now.getTime() + DELETION_GRACE_DAYS * DAY_MS));
    expect(await sessionCount(user.id)).toBe(0);

    const audit = await db
      .select()
      .from(auditLogs)
      .where(
        and(eq(auditLogs.entityId, user.id), eq(auditLogs.action, "ACCOUNT_DELETION_REQUESTED")),
      );
    expect(audit).toHaveLength(1);
    const [mail] = await db
      .select()
      .from(emailOutbox)
      .where(
        and(
          eq(emailOutbox.toEmail, user.email),
          eq(emailOutbox.template, "account-deletion-scheduled"),
        ),
      );
    expect(mail!.bodyText).toContain("2026-07-08 09:00 UTC");
    expect(mail!.bodyText).toContain("Log in before then");
  });

  it("asks for a 2FA code when 2FA is on", async () => {
    const secret = generateTotpSecret();
    const user = await createUser(
      db,
      { twoFactorSecret: secret },
      { encryptionKeys: appEnv.encryptionKeys },
    );
    expect(await ask(user.id)).toMatchObject({ ok: false, reason: "code-required", field: "code" });
    expect(await ask(user.id, { code: "000000" })).toMatchObject({ ok: false, field: "code" });
    const now = new Date();
    const code = await totpCode(secret, now.getTime());
    expect(await ask(user.id, { code, now })).toMatchObject({ ok: true });
  });
});

describe("the grace period", () => {
  it("is cancelled by logging in, and the daily job then leaves the account alone", async () => {
    const user = await createUser(db);
    const requestedAt = new Date(Date.now() - 2 * DAY_MS);
    expect(await ask(user.id, { now: requestedAt })).toMatchObject({ ok: true });

    const now = new Date();
    const check = await checkPassword(deps, {
      email: user.email,
      password: DEFAULT_TEST_PASSWORD,
      fingerprint: "grace-device",
      userAgent: "Vitest",
      ip: "198.51.100.4",
      now,
    });
    if (!check.ok) throw new Error(`log-in refused: ${check.reason}`);
    const started = await startSession(deps, {
      user: check.user,
      deviceSessionId: check.deviceSessionId,
      newDevice: check.newDevice,
      twoFactorVerified: false,
      method: "password",
      request,
      now,
    });
    expect(started.deletionCancelled).toBe(true);
    const row = await userRow(user.id);
    expect(row.deletionDueAt).toBeNull();
    expect(row.deletionRequestedAt).toBeNull();
    const cancelled = await db
      .select()
      .from(auditLogs)
      .where(
        and(eq(auditLogs.entityId, user.id), eq(auditLogs.action, "ACCOUNT_DELETION_CANCELLED")),
      );
    expect(cancelled).toHaveLength(1);

    // A later log-in cancels nothing more.
    const again = await startSession(deps, {
      user: check.user,
      deviceSessionId: check.deviceSessionId,
      newDevice: false,
      twoFactorVerified: false,
      method: "password",
      request,
      now,
    });
    expect(again.deletionCancelled).toBe(false);

    await eraseDueAccounts(deps, { now: new Date(Date.now() + 30 * DAY_MS) });
    expect((await userRow(user.id)).deletedAt).toBeNull();
  });

  it("POST /login during the grace period cancels it and says so", async () => {
    const user = await createUser(db);
    expect(await ask(user.id)).toMatchObject({ ok: true });
    const { path, init } = postForm("/login", {
      email: user.email,
      password: DEFAULT_TEST_PASSWORD,
      redirectTo: "/account",
    });
    const response = await SELF.fetch(`https://store.example${path}`, init);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/account");
    const cookies = response.headers.getSetCookie().join("\n");
    expect(cookies).toMatch(/^session=/m);
    expect(cookies).toMatch(/^toast=/m);
    expect((await userRow(user.id)).deletionDueAt).toBeNull();
  });
});

describe("/account/privacy", () => {
  it("shows the warning and the form, and a confirmed request logs the person out", async () => {
    const user = await createUser(db);
    const cookie = await sessionCookieFor(user.id);
    const page = await SELF.fetch("https://store.example/account/privacy", {
      headers: { Cookie: cookie },
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Delete my account");
    expect(html).toContain("/account/privacy/export");

    const wrong = postForm(
      "/account/privacy",
      { intent: "delete", password: "wrong password!", confirm: "DELETE" },
      { cookie },
    );
    const refused = await SELF.fetch(`https://store.example${wrong.path}`, wrong.init);
    expect(refused.status).toBe(400);
    expect((await userRow(user.id)).deletionDueAt).toBeNull();

    const right = postForm(
      "/account/privacy",
      { intent: "delete", password: DEFAULT_TEST_PASSWORD, confirm: "DELETE" },
      { cookie },
    );
    const done = await SELF.fetch(`https://store.example${right.path}`, right.init);
    expect(done.status).toBe(302);
    expect(done.headers.get("Location")).toBe("/login");
    expect((await userRow(user.id)).deletionDueAt).not.toBeNull();
    expect(await sessionCount(user.id)).toBe(0);
  });
});

describe("erasure after the grace period", () => {
  it("is a daily job", () => {
    expect(JOB_REGISTRY[DAILY]).toContain(eraseDeletedAccountsJob);
  });

  it("leaves no email, name, IP hash or device hash anywhere, and keeps the books consistent", async () => {
    const person = await seedPerson("erase");
    const other = await seedPerson("keep");
    const { user } = person;
    const requestedAt = new Date(Date.now() - (DELETION_GRACE_DAYS + 1) * DAY_MS);
    expect(await ask(user.id, { now: requestedAt })).toMatchObject({ ok: true });
    const [purchasesBefore, ledgerBefore] = await Promise.all([
      db.select().from(digitalProductPurchases).where(eq(digitalProductPurchases.userId, user.id)),
      db.select().from(creditTransactions).where(eq(creditTransactions.userId, user.id)),
    ]);

    const run = await eraseDueAccounts(deps, { now: new Date() });
    expect(run).toMatchObject({ erased: 1, skipped: 0 });

    for (const value of [
      user.email,
      user.name,
      user.guardianEmail!,
      person.ipHash,
      person.fingerprintHash,
    ]) {
      expect(await tablesHolding(value), value).toEqual([]);
    }
    // The other person is untouched.
    expect(await tablesHolding(other.ipHash)).not.toEqual([]);
    expect((await userRow(other.user.id)).email).toBe(other.user.email);

    const erased = await userRow(user.id);
    expect(erased).toMatchObject({
      name: ERASED_NAME,
      email: `deleted-${user.id}@deleted.invalid`,
      birthDate: null,
      guardianEmail: null,
      twoFactorEnabled: false,
      twoFactorSecret: null,
      twoFactorRecoveryCodes: [],
    });
    expect(erased.deletedAt).not.toBeNull();

    // Licenses revoked: the license API says so.
    const answer = await validateLicense(deps, {
      key: person.licenseKey,
      now: new Date(),
      request: { ipHash: null },
    });
    expect(answer).toMatchObject({ valid: false, code: "REVOKED" });
    const [license] = await db.select().from(licenses).where(eq(licenses.id, person.licenseId));
    expect(license).toMatchObject({ status: "REVOKED", currentUsers: 0 });

    // Membership cancelled through the ledger; purchases and ledger rows kept.
    const [membership] = await db
      .select()
      .from(memberships)
      .where(eq(memberships.id, person.membershipId));
    expect(membership).toMatchObject({ status: "CANCELLED", totalCredits: 0, usedCredits: 0 });
    const checks = await checkLedgers(db, [person.membershipId, other.membershipId]);
    expect(checks.get(person.membershipId)).toMatchObject({ ok: true });
    expect(checks.get(other.membershipId)).toMatchObject({ ok: true });
    const ledgerAfter = await db
      .select()
      .from(creditTransactions)
      .where(eq(creditTransactions.userId, user.id));
    expect(ledgerAfter.length).toBe(ledgerBefore.length + 1);
    expect(ledgerAfter.at(-1)).toMatchObject({ type: "EXPIRY", amount: -12, balance: 0 });
    expect(
      await db
        .select()
        .from(digitalProductPurchases)
        .where(eq(digitalProductPurchases.userId, user.id)),
    ).toEqual(purchasesBefore);

    // Open projects cancelled, their open add-ons rejected.
    const projects = await db
      .select()
      .from(serviceProjects)
      .where(eq(serviceProjects.clientId, user.id));
    expect(projects.map((project) => project.status)).toEqual(["CANCELLED"]);
    const addOns = await db
      .select()
      .from(serviceAddOns)
      .where(eq(serviceAddOns.requestedById, user.id));
    expect(addOns.map((addOn) => addOn.status)).toEqual(["REJECTED"]);

    // Audit rows stay (marked erased where they named them).
    const trail = await db.select().from(auditLogs).where(eq(auditLogs.actorId, user.id));
    expect(trail.length).toBeGreaterThan(0);
    expect(trail.find((row) => row.action === "SETTINGS_CHANGED")?.metadata).toMatchObject({
      erased: true,
    });

    // Log-in with the old address fails like an unknown email.
    const login = await checkPassword(deps, {
      email: user.email,
      password: DEFAULT_TEST_PASSWORD,
      now: new Date(),
    });
    expect(login).toMatchObject({ ok: false, reason: "wrong-credentials" });
    const tombstone = await checkPassword(deps, {
      email: erased.email,
      password: DEFAULT_TEST_PASSWORD,
      now: new Date(),
    });
    expect(tombstone).toMatchObject({ ok: false, reason: "wrong-credentials" });

    // A second run finds nothing and changes nothing.
    const auditCount = (await db.select({ id: auditLogs.id }).from(auditLogs)).length;
    expect(await eraseDueAccounts(deps, { now: new Date() })).toMatchObject({ due: 0, erased: 0 });
    expect((await db.select({ id: auditLogs.id }).from(auditLogs)).length).toBe(auditCount);
    expect(await userRow(user.id)).toEqual(erased);
  }, 30_000);
});

describe("the audit log stays append-only apart from erasure (migration 0008)", () => {
  const insert = (id: string) =>
    env.DB.prepare(
      `insert into audit_logs (id, actor_id, action, entity_type, entity_id, ip_hash, user_agent, request_id, metadata, created_at)
       values (?1, 'u1', 'USER_LOGIN', 'user', 'u1', 'hash-1', 'Firefox', 'req-1', '{"email":"a@b.test"}', 1000)`,
    )
      .bind(id)
      .run();
  const update = (id: string, set: string) =>
    env.DB.prepare(`update audit_logs set ${set} where id = ?1`).bind(id).run();

  it("refuses every UPDATE but clearing the IP hash and browser and marking metadata erased", async () => {
    await insert("erasure-1");
    for (const set of [
      "action = 'USER_LOGOUT'",
      "actor_id = 'u2'",
      "actor_id = null",
      "entity_id = 'u2'",
      "entity_type = 'license'",
      "request_id = null",
      "created_at = 2000",
      "ip_hash = 'hash-2'",
      "user_agent = 'Chrome'",
      `metadata = '{"email":"other@b.test"}'`,
      "metadata = null",
      `metadata = '{"erased":false}'`,
      `ip_hash = null, action = 'USER_LOGOUT'`,
    ]) {
      await expect(update("erasure-1", set), set).rejects.toThrow(/audit_logs is append-only/);
    }
    await update("erasure-1", "ip_hash = null, user_agent = null");
    await update("erasure-1", `metadata = '{"erased":true,"email":"[erased]"}'`);
    const row = await env.DB.prepare("select * from audit_logs where id = 'erasure-1'").first();
    expect(row).toMatchObject({
      actor_id: "u1",
      action: "USER_LOGIN",
      entity_id: "u1",
      ip_hash: null,
      user_agent: null,
      request_id: "req-1",
      created_at: 1000,
      metadata: '{"erased":true,"email":"[erased]"}',
    });
  });
});
