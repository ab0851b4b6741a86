import { env } from "cloudflare:test";
import { SELF } from "../helpers/worker";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { auditLogs, emailOutbox, users } from "#db/schema";
import type { AuditAction } from "~/domain/audit/actions";
import { requestEmailChange } from "~/services/auth/email-change.server";
import { applyEmailLink } from "~/services/auth/email-links.server";
import { createUser, DEFAULT_TEST_PASSWORD } from "../factories";
import { ORIGIN, postForm, sessionCookieFor } from "../helpers/session";

/**
 * Issue 13, item 3: changing the email address mails a link to the new address and a notice to
 * the old one; the address changes only when that link is used.
 */

const db = createDb(env.DB);
const request = { ipHash: "f".repeat(64), userAgent: "Vitest", requestId: "req-email-change" };

const unique = (prefix: string) => `${prefix}-${crypto.randomUUID()}@example.test`;

const ask = (
  user: { id: string },
  email: string,
  options: { password?: string; now?: Date } = {},
) =>
  requestEmailChange(db, {
    userId: user.id,
    actor: { id: user.id, role: "USER" },
    form: { email, password: options.password ?? DEFAULT_TEST_PASSWORD },
    origin: ORIGIN,
    now: options.now ?? new Date(),
    request,
  });

const mailsTo = (to: string, template: string) =>
  db
    .select()
    .from(emailOutbox)
    .where(and(eq(emailOutbox.toEmail, to), eq(emailOutbox.template, template)));

async function linkMailedTo(to: string): Promise<string> {
  const rows = await mailsTo(to, "email-change-confirm");
  const last = rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).at(-1);
  const token = /\/verify-email\/([A-Za-z0-9_-]+)/.exec(last?.bodyText ?? "")?.[1];
  if (!token) throw new Error(`no change link mailed to ${to}`);
  return token;
}

const emailOf = async (id: string) => (await db.select().from(users).where(eq(users.id, id)))[0]!;

const auditRows = (userId: string, action: AuditAction) =>
  db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.entityId, userId), eq(auditLogs.action, action)));

const use = (token: string, now = new Date()) => applyEmailLink(db, { token, now, request });

/** Every request checks the password with the real scrypt parameters: ~1 s each on a busy machine. */
const SCRYPT_TIMEOUT = 30_000;

describe("changing the email address", { timeout: SCRYPT_TIMEOUT }, () => {
  it("takes effect only through the new address's link; the old address is told twice", async () => {
    const user = await createUser(db, { emailVerifiedAt: null });
    const newEmail = unique("new");

    expect(await ask(user, newEmail)).toEqual({ ok: true, newEmail });
    // Asked, not changed: the account keeps its address until the link is used.
    expect((await emailOf(user.id)).email).toBe(user.email);
    expect(await mailsTo(user.email, "email-change-requested")).toHaveLength(1);
    expect(await auditRows(user.id, "EMAIL_CHANGE_REQUESTED")).toHaveLength(1);
    expect((await auditRows(user.id, "EMAIL_CHANGE_REQUESTED"))[0]!.metadata).toMatchObject({
      newEmail,
    });

    const token = await linkMailedTo(newEmail);
    const now = new Date();
    expect(await use(token, now)).toEqual({ ok: true, purpose: "EMAIL_CHANGE", email: newEmail });
    const row = await emailOf(user.id);
    expect(row.email).toBe(newEmail);
    // The link proved the new address: the account counts as verified.
    expect(row.emailVerifiedAt?.getTime()).toBe(now.getTime());
    const changed = await auditRows(user.id, "EMAIL_CHANGED");
    expect(changed).toHaveLength(1);
    expect(changed[0]!.metadata).toMatchObject({ from: user.email, to: newEmail });
    expect(await mailsTo(user.email, "email-changed")).toHaveLength(1);

    expect(await use(token)).toMatchObject({ ok: false, reason: "used" });
    expect(await auditRows(user.id, "EMAIL_CHANGED")).toHaveLength(1);
  });

  it("applies once when the link is used 10 times in parallel", async () => {
    const user = await createUser(db);
    const newEmail = unique("race");
    await ask(user, newEmail);
    const token = await linkMailedTo(newEmail);
    const results = await Promise.all(Array.from({ length: 10 }, () => use(token)));
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(await auditRows(user.id, "EMAIL_CHANGED")).toHaveLength(1);
    expect(await mailsTo(user.email, "email-changed")).toHaveLength(1);
  });

  it("refuses a wrong password, the same address, and an address another account has", async () => {
    const user = await createUser(db);
    const other = await createUser(db);

    expect(await ask(user, unique("x"), { password: "not the password" })).toMatchObject({
      ok: false,
      reason: "wrong-password",
      field: "password",
    });
    expect(await ask(user, user.email)).toMatchObject({
      ok: false,
      kind: "invalid",
      reason: "same-email",
    });
    expect(await ask(user, other.email)).toMatchObject({
      ok: false,
      kind: "conflict",
      reason: "email-taken",
      field: "email",
    });
    expect(await auditRows(user.id, "EMAIL_CHANGE_REQUESTED")).toEqual([]);
    expect(await mailsTo(user.email, "email-change-requested")).toEqual([]);
  });

  it("refuses the link when another account took the address in the meantime", async () => {
    const user = await createUser(db);
    const newEmail = unique("taken-later");
    await ask(user, newEmail);
    const token = await linkMailedTo(newEmail);
    await createUser(db, { email: newEmail });

    expect(await use(token)).toMatchObject({ ok: false, kind: "conflict", reason: "email-taken" });
    expect((await emailOf(user.id)).email).toBe(user.email);
    expect(await auditRows(user.id, "EMAIL_CHANGED")).toEqual([]);
  });

  it("makes an earlier link stale when a second change is asked for", async () => {
    const user = await createUser(db);
    const first = unique("first");
    const second = unique("second");
    await ask(user, first, { now: new Date(Date.now() - 1000) });
    const staleToken = await linkMailedTo(first);
    await ask(user, second);
    const freshToken = await linkMailedTo(second);

    expect(await use(staleToken)).toMatchObject({ ok: false });
    expect((await emailOf(user.id)).email).toBe(user.email);
    expect((await use(freshToken)).ok).toBe(true);
    expect((await emailOf(user.id)).email).toBe(second);
  });

  it("refuses a minor moving the account to their guardian's mailbox", async () => {
    const guardianEmail = unique("guardian");
    const minor = await createUser(db, {
      birthDate: "2011-03-04",
      isMinor: true,
      guardianEmail,
    });
    expect(await ask(minor, guardianEmail.replace("@", "+me@"))).toMatchObject({
      ok: false,
      reason: "guardian-email",
    });
  });
});

describe("/account/email", { timeout: SCRYPT_TIMEOUT }, () => {
  it("shows the address, and the form sends the link without changing anything yet", async () => {
    const user = await createUser(db);
    const cookie = await sessionCookieFor(user.id);
    const page = await SELF.fetch(`${ORIGIN}/account/email`, { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(user.email);

    const newEmail = unique("page");
    const form = postForm(
      "/account/email",
      { email: newEmail, password: DEFAULT_TEST_PASSWORD },
      { cookie },
    );
    const sent = await SELF.fetch(`${ORIGIN}${form.path}`, form.init);
    expect(sent.status).toBe(302);
    expect(sent.headers.get("Location")).toBe("/account/email");
    expect((await emailOf(user.id)).email).toBe(user.email);
    await linkMailedTo(newEmail);

    const pending = await SELF.fetch(`${ORIGIN}/account/email`, { headers: { Cookie: cookie } });
    expect(await pending.text()).toContain('data-testid="email-change-pending"');

    const wrong = postForm("/account/email", { email: unique("p"), password: "nope" }, { cookie });
    const refused = await SELF.fetch(`${ORIGIN}${wrong.path}`, wrong.init);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("That password isn");
  });
});
