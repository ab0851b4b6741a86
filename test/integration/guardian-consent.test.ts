import { createCookie } from "@remix-run/cloudflare";
import { env } from "cloudflare:test";
import { SELF } from "../helpers/worker";
import { createId } from "@paralleldrive/cuid2";
import { and, eq, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { auditLogs, emailOutbox, users, type User } from "#db/schema";
import type { AuditAction } from "~/domain/audit/actions";
import { parseEnv } from "~/lib/env.server";
import { sha256Hex } from "~/lib/hmac.server";
import { signToken } from "~/lib/signed-token.server";
import {
  changeGuardianEmail,
  CONSENT_RESEND_INTERVAL_MS,
  grantGuardianConsent,
  resendGuardianConsent,
} from "~/services/auth/guardian-consent.server";
import { GUARDIAN_CONSENT_PURPOSE, GUARDIAN_CONSENT_TTL_MS } from "~/services/auth/signup.server";
import { newSessionStatement } from "~/services/sessions.server";
import { createUser } from "../factories";

const db = createDb(env.DB);
const appEnv = parseEnv(env);
const deps = { db, env: appEnv };
const ORIGIN = "https://store.example";
const request = { ipHash: "c".repeat(64), userAgent: "Vitest", requestId: "req-consent" };

/** A 15-year-old whose guardian was mailed a consent link at `issuedAt`. */
async function minorWithConsentLink(issuedAt = new Date()) {
  const id = createId();
  const token = await signToken(
    appEnv.sessionSecret,
    GUARDIAN_CONSENT_PURPOSE,
    { userId: id, nonce: createId() },
    new Date(issuedAt.getTime() + GUARDIAN_CONSENT_TTL_MS),
  );
  const user = await createUser(db, {
    id,
    name: `Minor ${id.slice(0, 6)}`,
    birthDate: "2011-03-04",
    isMinor: true,
    guardianEmail: `guardian-${id}@example.test`,
    guardianConsentTokenHash: await sha256Hex(token),
  });
  return { user, token };
}

async function userRow(id: string): Promise<User> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row!;
}

const auditRows = (userId: string, action: AuditAction) =>
  db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.entityId, userId), eq(auditLogs.action, action)));

const outboxRows = (to: string, template: string) =>
  db
    .select()
    .from(emailOutbox)
    .where(and(eq(emailOutbox.toEmail, to), eq(emailOutbox.template, template)));

/** Change one character of the signed payload: same shape, HMAC no longer matches. */
function tamper(token: string): string {
  const char = token[5]!;
  return `${token.slice(0, 5)}${char === "A" ? "B" : "A"}${token.slice(6)}`;
}

describe("granting consent through the guardian's link", () => {
  it("grants once: consent recorded, link spent, one audit row, the minor told", async () => {
    const { user, token } = await minorWithConsentLink();
    const now = new Date();

    const result = await grantGuardianConsent(deps, { token, now, request });
    expect(result).toEqual({ ok: true, minorName: user.name });

    const row = await userRow(user.id);
    expect(row.guardianConsentAt?.getTime()).toBe(now.getTime());
    expect(row.guardianConsentTokenHash).toBeNull();
    const audits = await auditRows(user.id, "GUARDIAN_CONSENT_GRANTED");
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      actorId: null,
      entityType: "user",
      requestId: "req-consent",
    });
    const emails = await outboxRows(user.email, "guardian-consent-granted");
    expect(emails).toHaveLength(1);
    expect(emails[0]!.status).toBe("PENDING");
  });

  it("refuses the same link a second time and writes nothing more", async () => {
    const { user, token } = await minorWithConsentLink();
    expect((await grantGuardianConsent(deps, { token, now: new Date(), request })).ok).toBe(true);
    const consentAt = (await userRow(user.id)).guardianConsentAt;

    expect(await grantGuardianConsent(deps, { token, now: new Date(), request })).toMatchObject({
      ok: false,
      kind: "conflict",
      reason: "used",
    });
    expect((await userRow(user.id)).guardianConsentAt).toEqual(consentAt);
    expect(await auditRows(user.id, "GUARDIAN_CONSENT_GRANTED")).toHaveLength(1);
    expect(await outboxRows(user.email, "guardian-consent-granted")).toHaveLength(1);
  });

  it("grants exactly once when the guardian double-clicks (parallel submissions)", async () => {
    const { user, token } = await minorWithConsentLink();
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        grantGuardianConsent(deps, { token, now: new Date(), request }),
      ),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(
      results.filter((result) => !result.ok).map((result) => !result.ok && result.reason),
    ).toEqual(Array(4).fill("used"));
    expect(await auditRows(user.id, "GUARDIAN_CONSENT_GRANTED")).toHaveLength(1);
    expect(await outboxRows(user.email, "guardian-consent-granted")).toHaveLength(1);
  });

  it("refuses an expired link", async () => {
    const issuedAt = new Date(Date.UTC(2026, 0, 1));
    const { user, token } = await minorWithConsentLink(issuedAt);
    const afterExpiry = new Date(issuedAt.getTime() + GUARDIAN_CONSENT_TTL_MS + 1);

    expect(await grantGuardianConsent(deps, { token, now: afterExpiry, request })).toMatchObject({
      ok: false,
      kind: "gone",
      reason: "expired",
    });
    expect((await userRow(user.id)).guardianConsentAt).toBeNull();
    expect(await auditRows(user.id, "GUARDIAN_CONSENT_GRANTED")).toHaveLength(0);
  });

  it("refuses a tampered link, and a genuine link that is not the account's current one", async () => {
    const { user, token } = await minorWithConsentLink();
    expect(
      await grantGuardianConsent(deps, { token: tamper(token), now: new Date(), request }),
    ).toMatchObject({
      ok: false,
      kind: "not-found",
      reason: "invalid",
    });

    // Correctly signed for this account, but never mailed (its hash isn't stored).
    const forged = await signToken(
      appEnv.sessionSecret,
      GUARDIAN_CONSENT_PURPOSE,
      { userId: user.id, nonce: createId() },
      new Date(Date.now() + GUARDIAN_CONSENT_TTL_MS),
    );
    expect(
      await grantGuardianConsent(deps, { token: forged, now: new Date(), request }),
    ).toMatchObject({
      ok: false,
      kind: "not-found",
      reason: "invalid",
    });
    expect((await userRow(user.id)).guardianConsentAt).toBeNull();
    expect(await auditRows(user.id, "GUARDIAN_CONSENT_GRANTED")).toHaveLength(0);
  });
});

describe("the consent page", () => {
  it("GET shows who is asking and changes nothing", async () => {
    const { user, token } = await minorWithConsentLink();
    const before = await userRow(user.id);

    const response = await SELF.fetch(`${ORIGIN}/consent/${token}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const html = await response.text();
    expect(html).toContain(user.name);
    expect(html).toContain(user.email);
    expect(html).toContain("I agree");

    expect(await userRow(user.id)).toEqual(before);
    expect(await auditRows(user.id, "GUARDIAN_CONSENT_GRANTED")).toHaveLength(0);
    expect(await outboxRows(user.email, "guardian-consent-granted")).toHaveLength(0);
  });

  it("POST grants and comes back to a page saying consent is given", async () => {
    const { user, token } = await minorWithConsentLink();
    const response = await SELF.fetch(`${ORIGIN}/consent/${token}`, {
      method: "POST",
      headers: {
        Origin: ORIGIN,
        // SELF.fetch sends no Host; Remix compares it with Origin on actions.
        "X-Forwarded-Host": new URL(ORIGIN).host,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: "",
      redirect: "manual",
    });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/consent/${token}`);
    expect((await userRow(user.id)).guardianConsentAt).not.toBeNull();

    const after = await SELF.fetch(`${ORIGIN}/consent/${token}`);
    expect(after.status).toBe(200);
    expect(await after.text()).toContain("Consent has been given");
  });

  it("explains expired and broken links with their own status", async () => {
    const { token: expired } = await minorWithConsentLink(
      new Date(Date.now() - GUARDIAN_CONSENT_TTL_MS - 1000),
    );
    const expiredPage = await SELF.fetch(`${ORIGIN}/consent/${expired}`);
    expect(expiredPage.status).toBe(410);
    expect(await expiredPage.text()).toContain("This link has expired");

    const { user, token } = await minorWithConsentLink();
    const broken = await SELF.fetch(`${ORIGIN}/consent/${tamper(token)}`, {
      method: "POST",
      headers: {
        Origin: ORIGIN,
        // SELF.fetch sends no Host; Remix compares it with Origin on actions.
        "X-Forwarded-Host": new URL(ORIGIN).host,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: "",
      redirect: "manual",
    });
    expect(broken.status).toBe(404);
    expect(await broken.text()).toContain("This link doesn&#x27;t work");
    expect((await userRow(user.id)).guardianConsentAt).toBeNull();
  });
});

describe("sending the consent email again", () => {
  const resend = (userId: string, role: "USER", now: Date) =>
    resendGuardianConsent(deps, {
      userId,
      actor: { id: userId, role },
      origin: ORIGIN,
      now,
      request,
    });

  it("mails a new link that replaces the old one", async () => {
    const { user, token: oldToken } = await minorWithConsentLink();
    const now = new Date();
    expect(await resend(user.id, "USER", now)).toEqual({ ok: true });

    const [email] = await outboxRows(user.guardianEmail!, "guardian-consent");
    const newToken = /\/consent\/(\S+)/.exec(email!.bodyText)?.[1];
    expect(newToken).toBeTruthy();
    expect(email!.dedupeKey).toBe(
      `guardian-consent:${user.id}:${Math.floor(now.getTime() / CONSENT_RESEND_INTERVAL_MS)}`,
    );
    expect(await auditRows(user.id, "GUARDIAN_CONSENT_REQUESTED")).toHaveLength(1);

    expect(
      await grantGuardianConsent(deps, { token: oldToken, now: new Date(), request }),
    ).toMatchObject({ ok: false, kind: "not-found", reason: "invalid" });
    expect(
      (await grantGuardianConsent(deps, { token: newToken!, now: new Date(), request })).ok,
    ).toBe(true);
  });

  it("sends at most once per 10 minutes, even under parallel clicks", async () => {
    const { user } = await minorWithConsentLink();
    const now = new Date();
    const first = await Promise.all(Array.from({ length: 4 }, () => resend(user.id, "USER", now)));
    expect(first.filter((result) => result.ok)).toHaveLength(1);
    const hashAfterFirst = (await userRow(user.id)).guardianConsentTokenHash;

    const soon = new Date(now.getTime() + CONSENT_RESEND_INTERVAL_MS - 1000);
    const refused = await resend(user.id, "USER", soon);
    expect(refused).toEqual({
      ok: false,
      kind: "limit",
      reason: "rate-limited",
      message: "We sent the email less than 10 minutes ago. You can ask again in 1 second.",
      retryAt: new Date(now.getTime() + CONSENT_RESEND_INTERVAL_MS),
    });
    expect((await userRow(user.id)).guardianConsentTokenHash).toBe(hashAfterFirst);
    expect(await outboxRows(user.guardianEmail!, "guardian-consent")).toHaveLength(1);
    expect(await auditRows(user.id, "GUARDIAN_CONSENT_REQUESTED")).toHaveLength(1);

    const later = new Date(now.getTime() + CONSENT_RESEND_INTERVAL_MS);
    expect(await resend(user.id, "USER", later)).toEqual({ ok: true });
    expect(await outboxRows(user.guardianEmail!, "guardian-consent")).toHaveLength(2);
  });

  it("counts the sign-up email towards the limit", async () => {
    const { user } = await minorWithConsentLink();
    await db.insert(emailOutbox).values({
      toEmail: user.guardianEmail!,
      template: "guardian-consent",
      subject: "consent",
      bodyText: "link",
      dedupeKey: `guardian-consent:${user.id}`,
      sendAfter: new Date(),
    });
    const result = await resend(user.id, "USER", new Date());
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toBe("rate-limited");
  });

  it("does nothing for an account that needs no consent", async () => {
    const adult = await createUser(db);
    expect(await resend(adult.id, "USER", new Date())).toMatchObject({
      ok: false,
      kind: "conflict",
      reason: "not-needed",
    });

    const { user, token } = await minorWithConsentLink();
    await grantGuardianConsent(deps, { token, now: new Date(), request });
    expect(await resend(user.id, "USER", new Date())).toMatchObject({
      ok: false,
      kind: "conflict",
      reason: "not-needed",
    });
    expect(
      await db
        .select()
        .from(emailOutbox)
        .where(like(emailOutbox.dedupeKey, `guardian-consent:${user.id}:%`)),
    ).toHaveLength(0);
  });
});

describe("POST /account/consent", () => {
  async function cookieFor(userId: string) {
    const { token, statement } = await newSessionStatement(db, {
      userId,
      deviceSessionId: null,
      twoFactorVerified: false,
      now: new Date(),
    });
    await statement;
    const serialized = await createCookie("session", {
      secrets: [appEnv.sessionSecret],
      path: "/",
      httpOnly: true,
      sameSite: "lax",
    }).serialize(token);
    return serialized.split(";")[0]!;
  }

  const resendThroughPage = (cookie: string, fields: Record<string, string> = {}) =>
    SELF.fetch(`${ORIGIN}/account/consent`, {
      method: "POST",
      body: new URLSearchParams(fields),
      redirect: "manual",
      headers: {
        Cookie: cookie,
        Origin: ORIGIN,
        "X-Forwarded-Host": new URL(ORIGIN).host,
        "Content-Type": "application/x-www-form-urlencoded",
      },
    });

  it("lets a logged-in minor send the email again, once per 10 minutes, back to a safe page", async () => {
    const { user } = await minorWithConsentLink();
    const cookie = await cookieFor(user.id);

    const first = await resendThroughPage(cookie, { redirectTo: "/account/security" });
    expect(first.status).toBe(302);
    expect(first.headers.get("Location")).toBe("/account/security");
    expect(await outboxRows(user.guardianEmail!, "guardian-consent")).toHaveLength(1);

    const second = await resendThroughPage(cookie, { redirectTo: "https://evil.example/" });
    expect(second.status).toBe(302);
    expect(second.headers.get("Location")).toBe("/account");
    expect(await outboxRows(user.guardianEmail!, "guardian-consent")).toHaveLength(1);
  });

  it("needs a session, and changes nothing on GET", async () => {
    const anonymous = await SELF.fetch(`${ORIGIN}/account/consent`, {
      method: "POST",
      redirect: "manual",
      headers: { Origin: ORIGIN, "X-Forwarded-Host": new URL(ORIGIN).host },
    });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toMatch(/^\/login\?/);

    const { user } = await minorWithConsentLink();
    const get = await SELF.fetch(`${ORIGIN}/account/consent`, {
      headers: { Cookie: await cookieFor(user.id) },
      redirect: "manual",
    });
    expect(get.status).toBe(302);
    expect(await outboxRows(user.guardianEmail!, "guardian-consent")).toHaveLength(0);
  });
});

describe("/consent/:token", () => {
  const page = (path: string, init: RequestInit = {}) =>
    SELF.fetch(`${ORIGIN}${path}`, {
      redirect: "manual",
      ...init,
      headers: { Origin: ORIGIN, "X-Forwarded-Host": new URL(ORIGIN).host, ...init.headers },
    });

  it("names the minor on GET, records consent on POST and lands on a 200 page", async () => {
    const { user, token } = await minorWithConsentLink();
    const shown = await page(`/consent/${token}`);
    expect(shown.status).toBe(200);
    expect(shown.headers.get("Cache-Control")).toBe("no-store");
    expect(await shown.text()).toContain(user.email);
    expect((await userRow(user.id)).guardianConsentAt).toBeNull();

    const agreed = await page(`/consent/${token}`, { method: "POST" });
    expect(agreed.status).toBe(302);
    expect(agreed.headers.get("Location")).toBe(`/consent/${token}`);
    expect((await userRow(user.id)).guardianConsentAt).not.toBeNull();

    const landed = await page(`/consent/${token}`);
    expect(landed.status).toBe(200);
    expect(await landed.text()).toContain("Consent has been given");
  });

  it("answers a tampered link with 404 and an expired one with 410, changing nothing", async () => {
    const { user, token } = await minorWithConsentLink();
    const tampered = await page(`/consent/${tamper(token)}`, { method: "POST" });
    expect(tampered.status).toBe(404);
    expect(await tampered.text()).toContain("This link doesn&#x27;t work");
    expect((await page("/consent/short")).status).toBe(404);

    const old = await minorWithConsentLink(new Date(Date.now() - GUARDIAN_CONSENT_TTL_MS - 1000));
    const expired = await page(`/consent/${old.token}`);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain("This link has expired");
    expect((await userRow(user.id)).guardianConsentAt).toBeNull();
    expect((await userRow(old.user.id)).guardianConsentAt).toBeNull();
  });
});

describe("closing the self-consent gap (issue 13)", () => {
  const post = (path: string, fields: Record<string, string>, cookie?: string) =>
    SELF.fetch(`${ORIGIN}${path}`, {
      method: "POST",
      body: new URLSearchParams(fields),
      redirect: "manual",
      headers: {
        Origin: ORIGIN,
        "X-Forwarded-Host": new URL(ORIGIN).host,
        "Content-Type": "application/x-www-form-urlencoded",
        ...(cookie ? { Cookie: cookie } : {}),
      },
    });
  const signUpMinor = (email: string, guardianEmail: string) =>
    post("/signup", {
      name: "Sam Young",
      email,
      password: "a long enough password",
      birthDate: "2011-03-04",
      guardianEmail,
    });

  it("refuses a guardian address that is the minor's own mailbox, however it is spelled", async () => {
    const mailbox = `kid-${createId()}`;
    const email = `${mailbox}@example.test`;
    for (const guardianEmail of [
      email.toUpperCase(),
      `${mailbox}+parent@example.test`,
      ` ${mailbox.toUpperCase()}+mum@Example.Test `,
    ]) {
      const response = await signUpMinor(email, guardianEmail);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain("Your guardian&#x27;s email must be different");
    }
    expect(await db.select().from(users).where(eq(users.email, email))).toEqual([]);

    const gmail = `kid.${createId()}@gmail.com`;
    const dotted = await signUpMinor(gmail, gmail.replace("kid.", "kid").replace("@", "+dad@"));
    expect(dotted.status).toBe(400);
  });

  it("mails the consent link to the guardian's address and never to the minor's", async () => {
    const email = `kid-${createId()}@example.test`;
    const guardianEmail = `parent-${createId()}@example.test`;
    expect((await signUpMinor(email, guardianEmail)).status).toBe(200);
    const toGuardian = await outboxRows(guardianEmail, "guardian-consent");
    expect(toGuardian).toHaveLength(1);
    expect(toGuardian[0]!.bodyText).toMatch(/\/consent\/\S+/);
    expect(await outboxRows(email, "guardian-consent")).toEqual([]);
    expect(
      (await db.select().from(emailOutbox).where(eq(emailOutbox.toEmail, email))).map(
        (row) => row.template,
      ),
    ).toEqual(["email-verification"]);
  });

  it("refuses the minor's own session on the consent page, on GET and POST, writing nothing", async () => {
    const { user, token } = await minorWithConsentLink();
    const { token: sessionToken, statement } = await newSessionStatement(db, {
      userId: user.id,
      deviceSessionId: null,
      twoFactorVerified: false,
      now: new Date(),
    });
    await statement;
    const cookie = (
      await createCookie("session", {
        secrets: [appEnv.sessionSecret],
        path: "/",
        httpOnly: true,
        sameSite: "lax",
      }).serialize(sessionToken)
    ).split(";")[0]!;

    const shown = await SELF.fetch(`${ORIGIN}/consent/${token}`, { headers: { Cookie: cookie } });
    expect(shown.status).toBe(403);
    expect(await shown.text()).toContain("Your guardian has to agree themselves");

    const agreed = await post(`/consent/${token}`, {}, cookie);
    expect(agreed.status).toBe(403);
    expect((await userRow(user.id)).guardianConsentAt).toBeNull();
    expect(await auditRows(user.id, "GUARDIAN_CONSENT_GRANTED")).toHaveLength(0);

    // The same link still works for the guardian (no session of the minor's).
    expect((await post(`/consent/${token}`, {})).status).toBe(302);
    expect((await userRow(user.id)).guardianConsentAt).not.toBeNull();
  });

  it("refuses consent for an older account whose guardian address is the minor's own mailbox", async () => {
    const { user, token } = await minorWithConsentLink();
    await db
      .update(users)
      .set({ guardianEmail: user.email.replace("@", "+guardian@") })
      .where(eq(users.id, user.id));
    expect(await grantGuardianConsent(deps, { token, now: new Date(), request })).toMatchObject({
      ok: false,
      kind: "forbidden",
      reason: "self-consent",
    });
    expect((await userRow(user.id)).guardianConsentAt).toBeNull();
  });

  it("shows the guardian what they agree to: what the minor can do, what is kept, how to withdraw", async () => {
    const { user, token } = await minorWithConsentLink();
    const html = await (await SELF.fetch(`${ORIGIN}/consent/${token}`)).text();
    expect(html).toContain(user.name);
    expect(html).toContain('data-testid="consent-scope"');
    for (const words of [
      "buy products",
      "download the files",
      "request design and build",
      "What we keep",
      "withdraw",
    ]) {
      expect(html).toContain(words);
    }
  });
});

describe("a minor naming a different guardian (issue 13)", () => {
  const change = (userId: string, guardianEmail: string) =>
    changeGuardianEmail(deps, {
      userId,
      guardianEmail,
      actor: { id: userId, role: "USER" },
      origin: ORIGIN,
      now: new Date(),
      request,
    });

  it("resets consent: the new guardian gets a new link, old links and consent stop counting", async () => {
    const { user, token: oldToken } = await minorWithConsentLink();
    expect(
      (await grantGuardianConsent(deps, { token: oldToken, now: new Date(), request })).ok,
    ).toBe(true);
    const newGuardian = `other-guardian-${createId()}@example.test`;

    expect(await change(user.id, newGuardian)).toEqual({ ok: true, consentReset: true });
    const row = await userRow(user.id);
    expect(row.guardianEmail).toBe(newGuardian);
    expect(row.guardianConsentAt).toBeNull();
    expect(await auditRows(user.id, "GUARDIAN_EMAIL_CHANGED")).toHaveLength(1);

    const [email] = await outboxRows(newGuardian, "guardian-consent");
    const newToken = /\/consent\/(\S+)/.exec(email!.bodyText)?.[1];
    expect(newToken).toBeTruthy();
    expect(
      await grantGuardianConsent(deps, { token: oldToken, now: new Date(), request }),
    ).toMatchObject({ ok: false });
    expect(
      (await grantGuardianConsent(deps, { token: newToken!, now: new Date(), request })).ok,
    ).toBe(true);
  });

  it("refuses the minor's own mailbox and accounts that need no guardian", async () => {
    const { user } = await minorWithConsentLink();
    expect(await change(user.id, user.email.replace("@", "+mum@"))).toMatchObject({
      ok: false,
      reason: "own-mailbox",
    });
    expect((await userRow(user.id)).guardianEmail).toBe(user.guardianEmail);
    const adult = await createUser(db);
    expect(await change(adult.id, `x-${createId()}@example.test`)).toMatchObject({
      ok: false,
      reason: "not-a-minor",
    });
  });
});
