import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { createId } from "@paralleldrive/cuid2";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { accountTokens, auditLogs, deviceSessions, emailOutbox, sessions, users } from "#db/schema";
import { parseEnv } from "~/lib/env.server";
import { verificationLinkStatements } from "~/services/auth/email-verification.server";
import { createUser } from "../../factories";
import { ORIGIN, postForm } from "../../helpers/session";

/**
 * Issue 14.6, the sign-up half: sign-up must not tell whether an address has an account. A new
 * and a taken address get the same answer (no session either way); the new account continues
 * from its verification email, whose link logs it in; the holder of a taken address is told
 * by email, at most once an hour, and nothing about the account changes.
 */

const db = createDb(env.DB);
const PASSWORD = "a long enough password";

const freshEmail = () => `signup-${createId().slice(0, 10)}@example.test`;
let ipCounter = 0;
// Each test its own client, so the per-client sign-up limit (10 in 10 minutes) stays out of it.
const freshIp = () => `198.51.100.${(ipCounter += 1)}`;

async function send(request: ReturnType<typeof postForm>) {
  return SELF.fetch(`${ORIGIN}${request.path}`, request.init);
}

const signUp = (email: string, fields: Record<string, string> = {}, ip = freshIp()) =>
  send(
    postForm(
      "/signup",
      { name: "Sid Signup", email, password: PASSWORD, birthDate: "1990-04-01", ...fields },
      { headers: { "CF-Connecting-IP": ip, "User-Agent": "Vitest" } },
    ),
  );

const outbox = (to: string, template: string) =>
  db
    .select()
    .from(emailOutbox)
    .where(and(eq(emailOutbox.toEmail, to), eq(emailOutbox.template, template)));

async function verificationToken(email: string): Promise<string> {
  const [mail] = await outbox(email, "email-verification");
  const token = /\/verify-email\/([A-Za-z0-9_-]+)/.exec(mail?.bodyText ?? "")?.[1];
  if (!token) throw new Error(`no verification email to ${email}`);
  return token;
}

/** The session cookie a redirect to `location` set. */
function loggedInAt(response: Response, location: string): string {
  expect(response.status).toBe(302);
  expect(response.headers.get("Location")).toBe(location);
  const session = response.headers
    .getSetCookie()
    .find((cookie) => cookie.startsWith("session="))
    ?.split(";")[0];
  expect(session).toBeDefined();
  return session!;
}

/**
 * Everything a client sees of a response, with the address typed and the per-response CSP
 * nonce (random on every page, for new and taken alike) replaced by placeholders.
 */
async function observed(response: Response, email: string) {
  const body = await response.text();
  const nonce = /nonce-([A-Za-z0-9+/=_-]+)/.exec(
    response.headers.get("Content-Security-Policy") ?? "",
  )?.[1];
  const normalise = (text: string) =>
    (nonce ? text.replaceAll(nonce, "<nonce>") : text).replaceAll(email, "<email>");
  const headers = [...response.headers.entries()]
    .filter(([name]) => !["date", "x-request-id", "cf-ray"].includes(name))
    .map(([name, value]) => `${name}: ${normalise(value)}`);
  return { status: response.status, headers, body: normalise(body) };
}

describe("sign-up answers the same for a new and a taken address", () => {
  it("same status, same headers, no Set-Cookie, and the same page apart from the address", async () => {
    const taken = (
      await createUser(db, { email: freshEmail(), password: "the holder's own password" })
    ).email;
    const fresh = freshEmail();

    const takenResponse = await signUp(taken);
    const freshResponse = await signUp(fresh);

    expect(takenResponse.headers.getSetCookie()).toEqual([]);
    expect(freshResponse.headers.getSetCookie()).toEqual([]);
    const takenAnswer = await observed(takenResponse, taken);
    const freshAnswer = await observed(freshResponse, fresh);
    expect(freshAnswer.status).toBe(200);
    expect(freshAnswer.body).toContain("Check your email");
    expect(freshAnswer.body).not.toContain("already exists");
    expect(takenAnswer).toEqual(freshAnswer);
  });

  it("a minor's sign-up with a taken address answers the same as with a new one", async () => {
    const minor = { birthDate: "2011-03-04", guardianEmail: `parent-${createId()}@example.test` };
    const taken = (await createUser(db, { email: freshEmail() })).email;
    const fresh = freshEmail();
    const takenAnswer = await observed(await signUp(taken, minor), taken);
    const freshAnswer = await observed(await signUp(fresh, minor), fresh);
    expect(takenAnswer).toEqual(freshAnswer);
    expect(freshAnswer.status).toBe(200);
  });

  it("a taken address still costs a password hash", async () => {
    // scrypt at N=2^15 takes tens of milliseconds; a taken address that skipped it would answer
    // far faster than a new one. Median of a few, each side, so one slow run does not decide.
    const median = (values: number[]) =>
      values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const time = async (email: string) => {
      const started = performance.now();
      await (await signUp(email)).text();
      return performance.now() - started;
    };
    const taken = (await createUser(db, { email: freshEmail() })).email;
    const takenTimes: number[] = [];
    const freshTimes: number[] = [];
    for (let index = 0; index < 3; index += 1) {
      takenTimes.push(await time(taken));
      freshTimes.push(await time(freshEmail()));
    }
    expect(median(takenTimes)).toBeGreaterThan(median(freshTimes) * 0.5);
  }, 60_000);
});

describe("a taken address", () => {
  it("emails the holder a notice, at most once an hour, and changes nothing about the account", async () => {
    const holder = await createUser(db, {
      email: freshEmail(),
      password: "the holder's own password",
    });
    const before = (await db.select().from(users).where(eq(users.id, holder.id)))[0]!;

    expect((await signUp(holder.email, { name: "Mallory" })).status).toBe(200);
    expect((await signUp(holder.email, { name: "Mallory" })).status).toBe(200);

    const notices = await outbox(holder.email, "signup-email-taken");
    expect(notices).toHaveLength(1);
    expect(notices[0]!.subject).toContain("Someone tried to create a Studio Store account");
    expect(notices[0]!.bodyText).toContain(`${ORIGIN}/login`);
    expect(notices[0]!.bodyText).toContain(`${ORIGIN}/forgot-password`);
    expect(notices[0]!.bodyText).not.toContain("Mallory");

    const after = (await db.select().from(users).where(eq(users.id, holder.id)))[0]!;
    expect(after).toEqual(before);
    expect(await db.select().from(users).where(eq(users.email, holder.email))).toHaveLength(1);
    expect(await db.select().from(sessions).where(eq(sessions.userId, holder.id))).toEqual([]);
    expect(
      await db.select().from(accountTokens).where(eq(accountTokens.userId, holder.id)),
    ).toEqual([]);
    expect(await outbox(holder.email, "email-verification")).toEqual([]);
    expect(
      await db
        .select()
        .from(auditLogs)
        .where(and(eq(auditLogs.entityId, holder.id), eq(auditLogs.action, "USER_SIGNED_UP"))),
    ).toEqual([]);
  });
});

describe("a new address", () => {
  it("creates the account unverified, logged out, and mails it the verification link", async () => {
    const email = freshEmail();
    const response = await signUp(email);
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual([]);
    const [user] = await db.select().from(users).where(eq(users.email, email));
    expect(user).toMatchObject({ emailVerifiedAt: null, lastLoginAt: null });
    expect(await db.select().from(sessions).where(eq(sessions.userId, user!.id))).toEqual([]);
    expect(await outbox(email, "email-verification")).toHaveLength(1);
    expect(await outbox(email, "signup-email-taken")).toEqual([]);
  });

  it("the verification link's button verifies the address and logs the new account in", async () => {
    const email = freshEmail();
    await signUp(email);
    const token = await verificationToken(email);
    const [user] = await db.select().from(users).where(eq(users.email, email));

    // GET only asks, and logs nobody in (mail scanners open links).
    const page = await SELF.fetch(`${ORIGIN}/verify-email/${token}`);
    expect(page.headers.getSetCookie().some((c) => c.startsWith("session="))).toBe(false);

    const confirmed = await send(
      postForm(
        `/verify-email/${token}`,
        { fingerprint: "browser-1" },
        { headers: { "User-Agent": "Vitest" } },
      ),
    );
    const session = loggedInAt(confirmed, "/account");

    const account = await SELF.fetch(`${ORIGIN}/account`, {
      redirect: "manual",
      headers: { Cookie: session },
    });
    expect(account.status).toBe(200);
    expect(await account.text()).toContain("Sid Signup");

    const after = (await db.select().from(users).where(eq(users.id, user!.id)))[0]!;
    expect(after.emailVerifiedAt).not.toBeNull();
    expect(after.lastLoginAt).not.toBeNull();
    expect(
      await db.select().from(deviceSessions).where(eq(deviceSessions.userId, user!.id)),
    ).toHaveLength(1);
    const [login] = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.entityId, user!.id), eq(auditLogs.action, "USER_LOGIN")));
    expect(login?.metadata).toMatchObject({ method: "signup", newDevice: true });
    // The first session of a new account sends no "new sign-in" email, as sign-up never did.
    expect(await outbox(email, "new-device-sign-in")).toEqual([]);

    // The link is spent: a second press logs nobody in.
    const again = await send(postForm(`/verify-email/${token}`, {}));
    expect(again.status).toBe(410);
    expect(again.headers.getSetCookie().some((c) => c.startsWith("session="))).toBe(false);
  });

  it("a minor's link logs them in to the page that says their guardian must agree", async () => {
    const email = freshEmail();
    const guardianEmail = `parent-${createId()}@example.test`;
    await signUp(email, { birthDate: "2011-03-04", guardianEmail });
    expect(await outbox(guardianEmail, "guardian-consent")).toHaveLength(1);
    const confirmed = await send(postForm(`/verify-email/${await verificationToken(email)}`, {}));
    const session = loggedInAt(confirmed, "/account");
    const account = await SELF.fetch(`${ORIGIN}/account`, { headers: { Cookie: session } });
    expect(await account.text()).toContain('data-testid="consent-pending"');
  });

  it("an account with two-factor is verified but not logged in by the link (it is no second factor)", async () => {
    const user = await createUser(
      db,
      { email: freshEmail(), emailVerifiedAt: null, twoFactorSecret: "JBSWY3DPEHPK3PXP" },
      { encryptionKeys: parseEnv(env).encryptionKeys },
    );
    await db.batch([
      ...(await verificationLinkStatements(db, { user, origin: ORIGIN, now: new Date() })),
    ]);
    const confirmed = await send(
      postForm(`/verify-email/${await verificationToken(user.email)}`, {}),
    );
    expect(confirmed.status).toBe(302);
    expect(confirmed.headers.get("Location")).toBe("/login");
    expect(confirmed.headers.getSetCookie().some((c) => c.startsWith("session="))).toBe(false);
    expect(
      (await db.select().from(users).where(eq(users.id, user.id)))[0]!.emailVerifiedAt,
    ).not.toBeNull();
    expect(await db.select().from(sessions).where(eq(sessions.userId, user.id))).toEqual([]);
  });

  it("logging in with the password before verifying still works", async () => {
    const email = freshEmail();
    await signUp(email);
    const response = await send(postForm("/login", { email, password: PASSWORD }));
    expect(response.status).toBe(302);
    expect(response.headers.getSetCookie().some((c) => c.startsWith("session="))).toBe(true);
  });
});
