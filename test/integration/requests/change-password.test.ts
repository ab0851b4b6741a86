import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { auditLogs, emailOutbox, users } from "#db/schema";
import { totpCode } from "~/domain/auth/totp";
import { parseEnv } from "~/lib/env.server";
import { verifyPassword } from "~/lib/password.server";
import { PASSWORD_CHANGE_LIMIT } from "~/services/auth/password-change.server";
import { createUser, DEFAULT_TEST_PASSWORD } from "../../factories";
import { ORIGIN, postForm, sessionCookieFor } from "../../helpers/session";

const db = createDb(env.DB);
const appEnv = parseEnv(env);
const NEW_PASSWORD = "a fresh sentence for my account";
const TOTP_SECRET = "JBSWY3DPEHPK3PXP";

const change = (cookie: string, fields: Record<string, string>) => {
  const request = postForm(
    "/account/security",
    { intent: "change-password", ...fields },
    { cookie },
  );
  return SELF.fetch(`${ORIGIN}${request.path}`, request.init);
};

const securityPage = (cookie: string) =>
  SELF.fetch(`${ORIGIN}/account/security`, { headers: { Cookie: cookie }, redirect: "manual" });

const storedHash = async (userId: string) =>
  (await db.select().from(users).where(eq(users.id, userId)))[0]!.passwordHash;

const audits = (userId: string, action: string) =>
  db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.entityId, userId), eq(auditLogs.action, action)));

// Every change hashes a password with the real scrypt cost, which takes a while on a busy machine.
describe("changing the password on /account/security", { timeout: 60_000 }, () => {
  it("shows the form with the current and new password fields", async () => {
    const user = await createUser(db);
    const html = await (await securityPage(await sessionCookieFor(user.id))).text();
    expect(html).toContain('data-testid="change-password-form"');
    expect(html).toMatch(/<input[^>]*name="currentPassword"/);
    expect(html).toMatch(/<input[^>]*name="password"/);
    expect(html).not.toMatch(/<input[^>]*name="code"/);
  });

  it("changes it, keeps this session, ends the others, and audits and notifies", async () => {
    const user = await createUser(db);
    const here = await sessionCookieFor(user.id);
    const elsewhere = [await sessionCookieFor(user.id), await sessionCookieFor(user.id)];

    const response = await change(here, {
      currentPassword: DEFAULT_TEST_PASSWORD,
      password: NEW_PASSWORD,
    });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/account/security");

    expect((await verifyPassword(NEW_PASSWORD, await storedHash(user.id))).valid).toBe(true);
    expect((await securityPage(here)).status).toBe(200);
    for (const cookie of elsewhere) expect((await securityPage(cookie)).status).toBe(302);
    expect(await audits(user.id, "PASSWORD_CHANGED")).toHaveLength(1);
    const [notice] = await db
      .select()
      .from(emailOutbox)
      .where(
        and(eq(emailOutbox.toEmail, user.email), eq(emailOutbox.template, "password-changed")),
      );
    expect(notice?.bodyText).toContain("on the security page");
    const [row] = await db.select().from(users).where(eq(users.id, user.id));
    expect(row!.passwordChangedAt).not.toBeNull();
  });

  it("refuses a wrong current password inline, changes nothing, and audits the try", async () => {
    const user = await createUser(db);
    const cookie = await sessionCookieFor(user.id);
    const before = await storedHash(user.id);
    const response = await change(cookie, {
      currentPassword: "not my password at all",
      password: NEW_PASSWORD,
    });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("That isn&#x27;t your current password.");
    expect(html).not.toContain("not my password at all");
    expect(html).not.toContain(NEW_PASSWORD);
    expect(await storedHash(user.id)).toBe(before);
    expect(await audits(user.id, "PASSWORD_CHANGE_FAILED")).toHaveLength(1);
  });

  it("applies the password rules to the new password", async () => {
    const user = await createUser(db);
    const response = await change(await sessionCookieFor(user.id), {
      currentPassword: DEFAULT_TEST_PASSWORD,
      password: "short",
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Use at least 10 characters.");
  });

  it("asks for a 2FA code when 2FA is on, and accepts a good one", async () => {
    const user = await createUser(
      db,
      { twoFactorSecret: TOTP_SECRET },
      { encryptionKeys: appEnv.encryptionKeys },
    );
    const cookie = await sessionCookieFor(user.id, { twoFactorVerified: true });
    expect(await (await securityPage(cookie)).text()).toMatch(/<input[^>]*name="code"/);
    const fields = { currentPassword: DEFAULT_TEST_PASSWORD, password: NEW_PASSWORD };

    const missing = await change(cookie, fields);
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain("Enter the 6-digit code from your app");
    const wrong = await change(cookie, { ...fields, code: "000000" });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("That code isn");
    const before = await storedHash(user.id);
    expect((await verifyPassword(DEFAULT_TEST_PASSWORD, before)).valid).toBe(true);

    const good = await change(cookie, { ...fields, code: await totpCode(TOTP_SECRET, Date.now()) });
    expect(good.status).toBe(302);
    expect((await verifyPassword(NEW_PASSWORD, await storedHash(user.id))).valid).toBe(true);
  });

  it("limits attempts per account", async () => {
    const user = await createUser(db);
    const cookie = await sessionCookieFor(user.id);
    for (let attempt = 0; attempt < PASSWORD_CHANGE_LIMIT.limit; attempt += 1) {
      const response = await change(cookie, { currentPassword: "guess", password: NEW_PASSWORD });
      expect(response.status).toBe(400);
    }
    const throttled = await change(cookie, {
      currentPassword: DEFAULT_TEST_PASSWORD,
      password: NEW_PASSWORD,
    });
    expect(throttled.status).toBe(429);
    expect(await throttled.text()).toMatch(/Too many attempts to change the password\. Try again/);
    expect((await verifyPassword(DEFAULT_TEST_PASSWORD, await storedHash(user.id))).valid).toBe(
      true,
    );
  });

  it("refuses a cross-site POST and an anonymous one", async () => {
    const user = await createUser(db);
    const cookie = await sessionCookieFor(user.id);
    const before = await storedHash(user.id);
    const evil = postForm(
      "/account/security",
      { intent: "change-password", currentPassword: DEFAULT_TEST_PASSWORD, password: NEW_PASSWORD },
      { cookie, headers: { Origin: "https://evil.example" } },
    );
    expect((await SELF.fetch(`${ORIGIN}${evil.path}`, evil.init)).status).toBe(403);
    const anonymous = postForm("/account/security", {
      intent: "change-password",
      currentPassword: DEFAULT_TEST_PASSWORD,
      password: NEW_PASSWORD,
    });
    const response = await SELF.fetch(`${ORIGIN}${anonymous.path}`, anonymous.init);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(/^\/login/);
    expect(await storedHash(user.id)).toBe(before);
  });
});
