import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { createId } from "@paralleldrive/cuid2";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { accountTokens, auditLogs, emailOutbox, sessions, users } from "#db/schema";
import { PASSWORD_RESET_REQUEST_LIMITS } from "~/services/auth/password-reset.server";
import { parseEnv } from "~/lib/env.server";
import { createUser } from "../../factories";
import { ORIGIN, postForm, sessionCookieFor } from "../../helpers/session";

const db = createDb(env.DB);
const appEnv = parseEnv(env);
const NEW_PASSWORD = "the new password from the link";

/** A client address of its own per test, so the per-IP limit of one test never hits another. */
const freshIp = () => `203.0.113.${Math.floor(Math.random() * 250) + 1}`;

async function send(request: ReturnType<typeof postForm>) {
  return SELF.fetch(`${ORIGIN}${request.path}`, request.init);
}

const askForLink = (email: string, ip = freshIp()) =>
  send(postForm("/forgot-password", { email }, { headers: { "CF-Connecting-IP": ip } }));

const get = (path: string, cookie?: string) =>
  SELF.fetch(`${ORIGIN}${path}`, {
    redirect: "manual",
    headers: cookie ? { Cookie: cookie } : {},
  });

const outboxTo = (email: string) =>
  db.select().from(emailOutbox).where(eq(emailOutbox.toEmail, email));

async function linkFor(email: string): Promise<string> {
  const response = await askForLink(email);
  expect(response.status).toBe(200);
  const [message] = (await outboxTo(email)).filter((row) => row.template === "password-reset");
  const path = /\/reset-password\/[A-Za-z0-9_-]{43}/.exec(message?.bodyText ?? "")?.[0];
  expect(path, "the email holds the link").toBeDefined();
  return path!;
}

/** The page without what differs on every response (the CSP nonce, request ids). */
const comparable = (html: string) => html.replace(/[a-f0-9]{32}/g, "<nonce>");

describe("/forgot-password", () => {
  it("answers an unknown address exactly like a known one, and emails only the account", async () => {
    const user = await createUser(db);
    const unknown = `nobody-${createId()}@example.test`;
    const known = await askForLink(user.email);
    const stranger = await askForLink(unknown);

    expect(stranger.status).toBe(known.status);
    expect(known.status).toBe(200);
    const knownHtml = await known.text();
    expect(knownHtml).toContain("If an account exists for that address");
    expect(comparable(await stranger.text())).toBe(comparable(knownHtml));
    expect(knownHtml).not.toContain(user.email);

    expect(await outboxTo(unknown)).toHaveLength(0);
    const [email] = await outboxTo(user.email);
    expect(email).toMatchObject({ template: "password-reset" });
    expect(email!.bodyText).toContain(`${ORIGIN}/reset-password/`);
  });

  it("takes about as long for an unknown address as for a known one", async () => {
    const user = await createUser(db);
    const timed = async (email: string) => {
      const started = performance.now();
      await (await askForLink(email)).text();
      return performance.now() - started;
    };
    const median = (values: number[]) =>
      values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const knownTimes: number[] = [];
    const unknownTimes: number[] = [];
    // Alternate, so a slow moment of a busy machine falls on both sides; the per-address
    // limit allows three requests per known address, so each round uses a fresh account.
    for (let round = 0; round < 3; round += 1) {
      const account = round === 0 ? user : await createUser(db);
      knownTimes.push(await timed(account.email));
      unknownTimes.push(await timed(`nobody-${createId()}@example.test`));
    }
    const [knownMedian, unknownMedian] = [median(knownTimes), median(unknownTimes)];
    // No password hashing on either path; both do the same reads and one write. Generous
    // bounds: the point is that there is no step (like sending mail) on one side only.
    expect(Math.abs(knownMedian - unknownMedian)).toBeLessThan(
      Math.max(250, 2 * Math.min(knownMedian, unknownMedian)),
    );
  });

  it("keeps the typed address and says what is wrong with a malformed one", async () => {
    const response = await askForLink("not-an-address");
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("Enter a valid email address");
    expect(html).toMatch(/<input[^>]*value="not-an-address"/);
  });

  it("is throttled per address with a sentence saying when to retry", async () => {
    const user = await createUser(db);
    for (let attempt = 0; attempt < PASSWORD_RESET_REQUEST_LIMITS.perEmail; attempt += 1) {
      expect((await askForLink(user.email)).status).toBe(200);
    }
    const throttled = await askForLink(user.email);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await throttled.text()).toMatch(/Too many reset links were asked for\. Try again in/);
    expect(await outboxTo(user.email)).toHaveLength(PASSWORD_RESET_REQUEST_LIMITS.perEmail);
  });

  it("is throttled per IP address", async () => {
    const ip = "198.51.100.77";
    for (let attempt = 0; attempt < PASSWORD_RESET_REQUEST_LIMITS.perIp; attempt += 1) {
      expect((await askForLink(`ip-${createId()}@example.test`, ip)).status).toBe(200);
    }
    expect((await askForLink(`ip-${createId()}@example.test`, ip)).status).toBe(429);
  });

  it("refuses a cross-site POST before any work", async () => {
    const user = await createUser(db);
    const evil = postForm(
      "/forgot-password",
      { email: user.email },
      { headers: { Origin: "https://evil.example" } },
    );
    expect((await send(evil)).status).toBe(403);
    expect(await outboxTo(user.email)).toHaveLength(0);
  });

  it("is linked from the log-in page", async () => {
    const html = await (await get("/login")).text();
    expect(html).toMatch(/<a[^>]*href="\/forgot-password"[^>]*>Forgot your password\?<\/a>/);
  });
});

// Each reset hashes a password with the real scrypt cost, which takes a while on a busy machine.
describe("/reset-password/:token", { timeout: 60_000 }, () => {
  it("shows the form without spending the link, and never leaks it as a Referer", async () => {
    const user = await createUser(db);
    const path = await linkFor(user.email);
    for (let view = 0; view < 2; view += 1) {
      const page = await get(path);
      expect(page.status).toBe(200);
      expect(page.headers.get("Referrer-Policy")).toBe("no-referrer");
      expect(page.headers.get("Cache-Control")).toBe("no-store");
      expect(await page.text()).toContain("Choose a new password");
    }
    const [link] = await db.select().from(accountTokens).where(eq(accountTokens.userId, user.id));
    expect(link!.usedAt).toBeNull();
  });

  it("refuses an unknown link with a way to ask again", async () => {
    const page = await get(`/reset-password/${"A".repeat(43)}`);
    expect(page.status).toBe(404);
    expect(page.headers.get("Referrer-Policy")).toBe("no-referrer");
    const html = await page.text();
    expect(html).toContain("This link doesn&#x27;t work");
    expect(html).toMatch(/href="\/forgot-password"/);
  });

  it("sets the password, ends every session, and sends the person to log in", async () => {
    const user = await createUser(db);
    const cookie = await sessionCookieFor(user.id);
    const path = await linkFor(user.email);

    const short = await send(postForm(path, { password: "short" }));
    expect(short.status).toBe(400);
    const shortHtml = await short.text();
    expect(shortHtml).toContain("Use at least 10 characters.");
    expect(shortHtml).not.toContain('value="short"');

    const done = await send(postForm(path, { password: NEW_PASSWORD }));
    expect(done.status).toBe(302);
    expect(done.headers.get("Location")).toBe("/login");
    expect(done.headers.get("Set-Cookie")).toMatch(/^toast=/);
    expect(await db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
    expect((await get("/account", cookie)).status).toBe(302);

    const notice = (await outboxTo(user.email)).find((row) => row.template === "password-changed");
    expect(notice).toBeDefined();
    const logIn = await send(
      postForm("/login", { email: user.email, password: NEW_PASSWORD, redirectTo: "/account" }),
    );
    expect(logIn.status).toBe(302);
    expect(logIn.headers.get("Location")).toBe("/account");

    const again = await send(postForm(path, { password: "a second new password" }));
    expect(again.status).toBe(410);
    expect(await again.text()).toContain("already been used");
  });

  it("still asks a user with 2FA for their code at log-in", async () => {
    const user = await createUser(
      db,
      { twoFactorSecret: "JBSWY3DPEHPK3PXP" },
      { encryptionKeys: appEnv.encryptionKeys },
    );
    const path = await linkFor(user.email);
    expect((await send(postForm(path, { password: NEW_PASSWORD }))).status).toBe(302);
    const logIn = await send(postForm("/login", { email: user.email, password: NEW_PASSWORD }));
    expect(logIn.status).toBe(302);
    expect(logIn.headers.get("Location")).toMatch(/^\/login\/2fa/);
    expect(await db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
  });

  it("changes the password once when the link is posted 10 times in parallel", async () => {
    const user = await createUser(db);
    const path = await linkFor(user.email);
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        send(postForm(path, { password: `parallel password number ${index}` })),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 302)).toHaveLength(1);
    expect(statuses.filter((status) => status === 410)).toHaveLength(9);
    const completed = await db
      .select()
      .from(auditLogs)
      .where(
        and(eq(auditLogs.entityId, user.id), eq(auditLogs.action, "PASSWORD_RESET_COMPLETED")),
      );
    expect(completed).toHaveLength(1);
  }, 180_000);

  it("refuses a cross-site POST and leaves the link working", async () => {
    const user = await createUser(db);
    const path = await linkFor(user.email);
    const before = (await db.select().from(users).where(eq(users.id, user.id)))[0]!.passwordHash;
    const evil = postForm(
      path,
      { password: NEW_PASSWORD },
      { headers: { Origin: "https://evil.example" } },
    );
    expect((await send(evil)).status).toBe(403);
    const after = (await db.select().from(users).where(eq(users.id, user.id)))[0]!.passwordHash;
    expect(after).toBe(before);
    expect((await get(path)).status).toBe(200);
  });
});
