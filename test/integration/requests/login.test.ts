import { env, SELF } from "cloudflare:test";
import { createId } from "@paralleldrive/cuid2";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { auditLogs, sessions, users } from "#db/schema";
import { FAILED_LOGIN_LOCK_MS, MAX_FAILED_LOGINS_PER_WINDOW } from "~/domain/auth/login-policy";
import { totpCode } from "~/domain/auth/totp";
import { parseEnv } from "~/lib/env.server";
import { recordDevice } from "~/services/auth/devices.server";
import { checkPassword } from "~/services/auth/login.server";
import { createUser } from "../../factories";
import { ORIGIN, postForm, sessionCookieFor } from "../../helpers/session";

const db = createDb(env.DB);
const appEnv = parseEnv(env);
const PASSWORD = "a long and correct password";
const TOTP_SECRET = "JBSWY3DPEHPK3PXP";

async function send(request: ReturnType<typeof postForm>) {
  return SELF.fetch(`${ORIGIN}${request.path}`, request.init);
}

const freshEmail = () => `login-${createId().slice(0, 10)}@example.test`;

const cookieNamed = (response: Response, name: string) =>
  response.headers
    .getSetCookie()
    .find((cookie) => cookie.startsWith(`${name}=`))
    ?.split(";")[0];

const userWithTwoFactor = () =>
  createUser(
    db,
    { email: freshEmail(), password: PASSWORD, twoFactorSecret: TOTP_SECRET },
    { encryptionKeys: appEnv.encryptionKeys },
  );

describe("log-in through the Worker", () => {
  it("starts a session with a hashed token and a safe cookie", async () => {
    const user = await createUser(db, { email: freshEmail(), password: PASSWORD });
    const response = await send(
      postForm("/login", { email: user.email, password: PASSWORD, redirectTo: "/account" }),
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/account");
    const cookie = response.headers.get("Set-Cookie")!;
    expect(cookie).toMatch(/^session=/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toContain("Path=/");

    // The database holds a SHA-256 of the token, never the token itself.
    const token = decodeURIComponent(cookie.split(";")[0]!.slice("session=".length));
    const [row] = await db.select().from(sessions).where(eq(sessions.userId, user.id));
    expect(row!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(token).not.toContain(row!.tokenHash);

    const account = await SELF.fetch(`${ORIGIN}/account`, {
      headers: { Cookie: cookie.split(";")[0]! },
    });
    expect(account.status).toBe(200);
    expect(await account.text()).toContain(user.name);

    const [audit] = await db.select().from(auditLogs).where(eq(auditLogs.entityId, user.id));
    expect(audit?.action).toBe("USER_LOGIN");
  });

  it("refuses a wrong password with a message and no session", async () => {
    const user = await createUser(db, { email: freshEmail(), password: PASSWORD });
    const response = await send(
      postForm("/login", { email: user.email, password: "not the password" }),
    );
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("don&#x27;t match an account");
    // The reply keeps the email in its field, and never the password.
    expect(html).toMatch(new RegExp(`<input[^>]*value="${user.email}"`));
    expect(html).not.toContain("not the password");
    expect(await db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
  });

  it("refuses a cross-origin POST, and one without Origin, before any work", async () => {
    const user = await createUser(db, { email: freshEmail(), password: PASSWORD });
    const evil = postForm(
      "/login",
      { email: user.email, password: PASSWORD },
      { headers: { Origin: "https://evil.example" } },
    );
    expect((await send(evil)).status).toBe(403);
    const bare = await SELF.fetch(`${ORIGIN}/login`, {
      method: "POST",
      body: new URLSearchParams({ email: user.email, password: PASSWORD }),
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      redirect: "manual",
    });
    expect(bare.status).toBe(403);
    expect(await db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
  });

  it("never redirects to another origin after log-in (tab, newline, backslash tricks)", async () => {
    const user = await createUser(db, { password: PASSWORD });
    for (const redirectTo of ["/\t/evil.example", "/\n/evil.example", "/\\evil.example"]) {
      const response = await send(
        postForm("/login", { email: user.email, password: PASSWORD, redirectTo }),
      );
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toBe("/account");
    }
  });

  it("never redirects to another origin after the 2FA step (redirectTo=/%09/evil.example)", async () => {
    const user = await userWithTwoFactor();
    const device = await recordDevice(db, appEnv, {
      userId: user.id,
      userAgent: "Vitest",
      now: new Date(),
    });
    const cookie = await sessionCookieFor(user.id, { deviceSessionId: device.id });
    const step = await send(
      postForm(
        "/login/2fa?redirectTo=%2F%09%2Fevil.example",
        { code: await totpCode(TOTP_SECRET, Date.now()) },
        { cookie },
      ),
    );
    expect(step.status).toBe(302);
    expect(step.headers.get("Location")).toBe("/account");
  });

  it("sends a user with 2FA to the code step without starting a session", async () => {
    const user = await userWithTwoFactor();
    const response = await send(postForm("/login", { email: user.email, password: PASSWORD }));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(/^\/login\/2fa/);
    expect(response.headers.get("Set-Cookie")).toMatch(/^login-challenge=/);
    expect(await db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
  });

  it("after the code, goes where the user was going: the signed challenge says where, not the URL", async () => {
    const user = await userWithTwoFactor();
    const login = await send(
      postForm("/login", {
        email: user.email,
        password: PASSWORD,
        redirectTo: "/account/licenses",
      }),
    );
    const challenge = cookieNamed(login, "login-challenge")!;
    expect(challenge).toBeDefined();

    const wrong = await send(postForm("/login/2fa", { code: "not-a-code" }, { cookie: challenge }));
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("That code isn");

    const step = await send(
      postForm(
        "/login/2fa?redirectTo=%2Faccount%2Fsecurity",
        { code: await totpCode(TOTP_SECRET, Date.now()) },
        { cookie: challenge },
      ),
    );
    expect(step.status).toBe(302);
    expect(step.headers.get("Location")).toBe("/account/licenses");
    expect(cookieNamed(step, "session")).toBeDefined();
    expect(step.headers.getSetCookie().find((c) => c.startsWith("login-challenge="))).toMatch(
      /Max-Age=0/,
    );
    const [session] = await db.select().from(sessions).where(eq(sessions.userId, user.id));
    expect(session!.twoFactorVerifiedAt).not.toBeNull();
  });

  it("a session stepping up goes back to the page that asked for the code", async () => {
    const user = await userWithTwoFactor();
    const device = await recordDevice(db, appEnv, {
      userId: user.id,
      userAgent: "Vitest",
      now: new Date(),
    });
    const cookie = await sessionCookieFor(user.id, { deviceSessionId: device.id });
    const step = await send(
      postForm(
        "/login/2fa?redirectTo=%2Faccount%2Fsecurity",
        { code: await totpCode(TOTP_SECRET, Date.now()) },
        { cookie },
      ),
    );
    expect(step.status).toBe(302);
    expect(step.headers.get("Location")).toBe("/account/security");
    // The stepped-up session replaces the old one.
    const rows = await db.select().from(sessions).where(eq(sessions.userId, user.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.twoFactorVerifiedAt).not.toBeNull();
    expect(
      (await SELF.fetch(`${ORIGIN}/account`, { headers: { Cookie: cookie }, redirect: "manual" }))
        .status,
    ).toBe(302);
  });

  it("treats a garbage session cookie as anonymous instead of failing", async () => {
    const response = await SELF.fetch(`${ORIGIN}/`, {
      headers: { Cookie: "session=%%%garbage; toast=###" },
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('href="/login"');
  });

  it("logs out by deleting the session row", async () => {
    const user = await createUser(db, { email: freshEmail() });
    const cookie = await sessionCookieFor(user.id);
    const response = await send(postForm("/logout", {}, { cookie }));
    expect(response.status).toBe(302);
    expect(await db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
    const after = await SELF.fetch(`${ORIGIN}/account`, {
      headers: { Cookie: cookie },
      redirect: "manual",
    });
    expect(after.status).toBe(302);
    expect(after.headers.get("Location")).toMatch(/^\/login/);
  });

  it("ends a banned user's sessions: their next request is anonymous", async () => {
    const user = await createUser(db, { email: freshEmail() });
    const cookie = await sessionCookieFor(user.id);
    await db.update(users).set({ accountStatus: "BANNED" }).where(eq(users.id, user.id));
    const response = await SELF.fetch(`${ORIGIN}/account`, {
      headers: { Cookie: cookie },
      redirect: "manual",
    });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(/^\/login/);
  });

  it("locks the account after 101 parallel bad log-ins, audits it once, and lets the right password in after the lock", async () => {
    const user = await createUser(db, { email: freshEmail(), password: PASSWORD });
    const attempts = Array.from({ length: MAX_FAILED_LOGINS_PER_WINDOW + 1 }, (_, index) =>
      send(postForm("/login", { email: user.email, password: `wrong password ${index}` })),
    );
    const statuses = (await Promise.all(attempts)).map((response) => response.status);
    expect(statuses.every((status) => status === 400 || status === 429)).toBe(true);
    expect(statuses).toContain(429);

    const [locked] = await db.select().from(users).where(eq(users.id, user.id));
    expect(locked!.lockedUntil!.getTime()).toBeGreaterThan(Date.now());
    expect(locked!.failedLoginCount).toBeGreaterThanOrEqual(MAX_FAILED_LOGINS_PER_WINDOW);

    const audits = await db.select().from(auditLogs).where(eq(auditLogs.entityId, user.id));
    expect(audits.filter((row) => row.action === "ACCOUNT_LOCKED")).toHaveLength(1);
    expect(audits.filter((row) => row.action === "LOGIN_FAILED").length).toBe(
      MAX_FAILED_LOGINS_PER_WINDOW + 1,
    );

    // While locked, even the right password is refused, with the time to wait…
    const during = await send(postForm("/login", { email: user.email, password: PASSWORD }));
    expect(during.status).toBe(429);
    expect(Number(during.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await during.text()).toContain("this account is locked");
    // …and once the lock window has passed it works again.
    const afterLock = new Date(locked!.lockedUntil!.getTime() + 1000);
    const check = await checkPassword(
      { db, env: parseEnv(env) },
      { email: user.email, password: PASSWORD, now: afterLock },
    );
    expect(check.ok).toBe(true);
    expect(FAILED_LOGIN_LOCK_MS).toBeLessThanOrEqual(60 * 60 * 1000);
  }, 180_000);
});

describe("sign-up through the Worker", () => {
  it("refuses a taken email inline, keeping what was typed but the password", async () => {
    const existing = await createUser(db, { email: freshEmail() });
    const response = await send(
      postForm("/signup", {
        name: "Second Ada",
        email: existing.email,
        password: "another long password",
        birthDate: "1990-04-01",
      }),
    );
    expect(response.status).toBe(409);
    const html = await response.text();
    expect(html).toContain("An account with this email already exists");
    expect(html).toContain('value="Second Ada"');
    expect(html).not.toContain("another long password");
    expect(await db.select().from(users).where(eq(users.email, existing.email))).toHaveLength(1);
  });
});
