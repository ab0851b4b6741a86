import { env } from "cloudflare:test";
import { SELF } from "../helpers/worker";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import {
  accountTokens,
  auditLogs,
  digitalProductPurchases,
  downloads,
  emailOutbox,
  membershipCheckouts,
  serviceAddOns,
  serviceProjects,
  users,
} from "#db/schema";
import type { AuditAction } from "~/domain/audit/actions";
import { parseEnv } from "~/lib/env.server";
import { startCheckout } from "~/services/checkout.server";
import {
  resendVerificationEmail,
  VERIFICATION_RESEND_LIMIT,
  verificationLinkStatements,
  verifyEmail,
} from "~/services/auth/email-verification.server";
import type { Downloader } from "~/services/downloads/attempts.server";
import { openDownload } from "~/services/downloads/deliver.server";
import { requestDownloadGrant } from "~/services/downloads/grant.server";
import { startMembershipCheckout } from "~/services/membership-checkout.server";
import { requestAddOn } from "~/services/projects/add-ons.server";
import { requestProject } from "~/services/projects/projects.server";
import { createMembership, createProduct, createProject, createUser } from "../factories";
import { licenseFor } from "../helpers/licenses";
import { ORIGIN, postForm, sessionCookieFor } from "../helpers/session";

/**
 * Issue 13, item 3: an account proves its address before it may buy, download or request work.
 * Every refusal here comes from the services themselves, so every route is covered.
 */

const db = createDb(env.DB);
const appEnv = parseEnv(env);
const request = { ipHash: "e".repeat(64), userAgent: "Vitest", requestId: "req-verify" };
const DAY = 86_400_000;
const NO_HEADERS = { range: null, ifNoneMatch: null, ifRange: null };

async function unverifiedUser() {
  const user = await createUser(db, { emailVerifiedAt: null });
  const downloader: Downloader = {
    id: user.id,
    role: user.role,
    accountStatus: "ACTIVE",
    deviceSessionId: null,
  };
  return { user, downloader, actor: { id: user.id, role: user.role } };
}

/** A verification link mailed to `user` now; returns the raw token from the email. */
async function mailedLink(user: { id: string; email: string; name: string }, now = new Date()) {
  await db.batch([...(await verificationLinkStatements(db, { user, origin: ORIGIN, now }))]);
  return latestLinkTo(user.email);
}

async function latestLinkTo(email: string): Promise<string> {
  const rows = await db
    .select()
    .from(emailOutbox)
    .where(and(eq(emailOutbox.toEmail, email), eq(emailOutbox.template, "email-verification")));
  const last = rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).at(-1);
  const token = /\/verify-email\/([A-Za-z0-9_-]+)/.exec(last?.bodyText ?? "")?.[1];
  if (!token) throw new Error(`no verification email to ${email}`);
  return token;
}

const auditRows = (userId: string, action: AuditAction) =>
  db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.entityId, userId), eq(auditLogs.action, action)));

const userRow = async (id: string) => (await db.select().from(users).where(eq(users.id, id)))[0]!;

const UNVERIFIED = { ok: false, kind: "forbidden", reason: "email-unverified" };

describe("an unverified account", () => {
  it("can't check out a product, a membership or a credit pack, and nothing is written", async () => {
    const { user, actor } = await unverifiedUser();
    const product = await createProduct({ db, files: env.FILES });
    const buyer = { ...actor, email: user.email };
    const base = { user: buyer, origin: ORIGIN, now: new Date(), request };

    await expect(
      startCheckout({ db, env: appEnv }, { ...base, slug: product.slug, licenseType: "PERSONAL" }),
    ).rejects.toMatchObject({ refusal: UNVERIFIED });
    await expect(
      startMembershipCheckout(
        { db, env: appEnv },
        { ...base, item: { kind: "SUBSCRIPTION", tier: "PRO" } },
      ),
    ).rejects.toMatchObject({ refusal: UNVERIFIED });
    // A credit pack needs a membership: give them one, the address still decides.
    await createMembership(db, { userId: user.id });
    await expect(
      startMembershipCheckout(
        { db, env: appEnv },
        { ...base, item: { kind: "CREDIT_PACK", pack: "pack-10" } },
      ),
    ).rejects.toMatchObject({
      refusal: { ...UNVERIFIED, message: expect.stringContaining(user.email) },
    });

    expect(
      await db
        .select()
        .from(digitalProductPurchases)
        .where(eq(digitalProductPurchases.userId, user.id)),
    ).toEqual([]);
    expect(
      await db.select().from(membershipCheckouts).where(eq(membershipCheckouts.userId, user.id)),
    ).toEqual([]);
    expect(await auditRows(user.id, "PURCHASE_STARTED")).toEqual([]);
  });

  it("gets no download grant and can't use one, and no download row is written", async () => {
    const { user, downloader } = await unverifiedUser();
    const { licenseId } = await licenseFor(user.id);
    const now = new Date();

    expect(
      await requestDownloadGrant(
        { db, env: appEnv },
        { user: downloader, licenseId, now, request },
      ),
    ).toMatchObject(UNVERIFIED);
    expect(await db.select().from(downloads).where(eq(downloads.licenseId, licenseId))).toEqual([]);

    // A grant issued while the address was confirmed is not served once it isn't (defence in
    // depth: /downloads/:token asks again).
    await db.update(users).set({ emailVerifiedAt: now }).where(eq(users.id, user.id));
    const granted = await requestDownloadGrant(
      { db, env: appEnv },
      { user: downloader, licenseId, now, request },
    );
    expect(granted.ok).toBe(true);
    if (!granted.ok) return;
    await db.update(users).set({ emailVerifiedAt: null }).where(eq(users.id, user.id));
    const served = await openDownload(
      { db, env: appEnv, files: env.FILES },
      { user: downloader, token: granted.token, headers: NO_HEADERS, now, request },
    );
    expect(served).toMatchObject(UNVERIFIED);
    const rows = await db.select().from(downloads).where(eq(downloads.licenseId, licenseId));
    expect(rows.map((row) => row.status)).toEqual(["GRANTED"]);
    expect(rows[0]!.redeemedAt).toBeNull();
  });

  it("can't request a project or an add-on, and nothing is written", async () => {
    const { user, actor } = await unverifiedUser();
    const now = new Date();
    const form = {
      name: "Bakery website",
      category: "WEB_DEVELOPMENT" as const,
      description: "Menu and opening hours.",
      deadline: new Date(now.getTime() + 40 * DAY),
      budgetNotes: null,
    };
    expect(
      await requestProject({ db }, { actor, request, now, user: { ...user }, form }),
    ).toMatchObject(UNVERIFIED);
    expect(
      await db.select().from(serviceProjects).where(eq(serviceProjects.clientId, user.id)),
    ).toEqual([]);

    await createMembership(db, { userId: user.id, credits: 20 });
    const project = await createProject(db, { clientId: user.id });
    expect(
      await requestAddOn(
        { db },
        {
          actor,
          request,
          now,
          projectId: project.id,
          clientId: user.id,
          type: "EXTRA_REVISION",
          description: null,
        },
      ),
    ).toMatchObject(UNVERIFIED);
    expect(
      await db.select().from(serviceAddOns).where(eq(serviceAddOns.projectId, project.id)),
    ).toEqual([]);
  });

  it("is unlocked by its emailed link: then it can buy, download and request a project", async () => {
    const { user, downloader, actor } = await unverifiedUser();
    const token = await mailedLink(user);
    const now = new Date();

    expect(await verifyEmail(db, { token, now, request })).toMatchObject({
      ok: true,
      userId: user.id,
      email: user.email,
    });
    expect((await userRow(user.id)).emailVerifiedAt?.getTime()).toBe(now.getTime());
    expect(await auditRows(user.id, "EMAIL_VERIFIED")).toHaveLength(1);

    const product = await createProduct({ db, files: env.FILES });
    const checkout = await startCheckout(
      { db, env: appEnv },
      {
        user: { ...actor, email: user.email },
        slug: product.slug,
        licenseType: "PERSONAL",
        origin: ORIGIN,
        now,
      },
    );
    expect(checkout.redirectTo).toBe(`/checkout/test/${checkout.purchaseId}`);
    const { licenseId } = await licenseFor(user.id);
    expect(
      (
        await requestDownloadGrant(
          { db, env: appEnv },
          { user: downloader, licenseId, now, request },
        )
      ).ok,
    ).toBe(true);
    const project = await requestProject(
      { db },
      {
        actor,
        request,
        now,
        user: { ...user },
        form: {
          name: "Shop",
          category: "WEB_DEVELOPMENT",
          description: "A shop.",
          deadline: new Date(now.getTime() + 40 * DAY),
          budgetNotes: null,
        },
      },
    );
    expect(project.ok).toBe(true);
  });
});

describe("the verification link", () => {
  it("works once: 10 parallel uses verify once and write one audit row", async () => {
    const { user } = await unverifiedUser();
    const token = await mailedLink(user);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => verifyEmail(db, { token, now: new Date(), request })),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok).map((result) => result.reason)).toEqual(
      Array(9).fill("used"),
    );
    expect(await auditRows(user.id, "EMAIL_VERIFIED")).toHaveLength(1);
    const [link] = await db.select().from(accountTokens).where(eq(accountTokens.userId, user.id));
    expect(link!.usedAt).not.toBeNull();
    expect(await verifyEmail(db, { token, now: new Date(), request })).toMatchObject({
      ok: false,
      kind: "gone",
      reason: "used",
    });
  });

  it("expires after 48 hours, and a newer link replaces it", async () => {
    const { user } = await unverifiedUser();
    const issuedAt = new Date(Date.now() - 3 * DAY);
    const old = await mailedLink(user, issuedAt);
    expect(await verifyEmail(db, { token: old, now: new Date(), request })).toMatchObject({
      ok: false,
      reason: "expired",
    });

    const first = await mailedLink(user, new Date(Date.now() - 1000));
    const second = await mailedLink(user);
    expect(first).not.toBe(second);
    expect(await verifyEmail(db, { token: first, now: new Date(), request })).toMatchObject({
      ok: false,
    });
    expect((await userRow(user.id)).emailVerifiedAt).toBeNull();
    expect((await verifyEmail(db, { token: second, now: new Date(), request })).ok).toBe(true);
  });
});

describe("sending the link again", () => {
  const resend = (user: { id: string; role: "USER" | string }, now = new Date()) =>
    resendVerificationEmail(db, {
      userId: user.id,
      actor: { id: user.id, role: "USER" },
      origin: ORIGIN,
      now,
      request,
    });

  it("mails a new link (the old one stops working), audited, and is rate-limited", async () => {
    const { user } = await unverifiedUser();
    const now = new Date("2026-12-01T10:00:00Z");
    const before = await mailedLink(user, new Date(now.getTime() - 1000));

    expect(await resend(user, now)).toEqual({ ok: true, email: user.email });
    const after = await latestLinkTo(user.email);
    expect(after).not.toBe(before);
    expect(await auditRows(user.id, "EMAIL_VERIFICATION_SENT")).toHaveLength(1);

    for (let i = 1; i < VERIFICATION_RESEND_LIMIT.limit; i++) {
      expect((await resend(user, now)).ok).toBe(true);
    }
    const refused = await resend(user, now);
    expect(refused).toMatchObject({ ok: false, kind: "limit", reason: "rate-limited" });
    expect(await auditRows(user.id, "EMAIL_VERIFICATION_SENT")).toHaveLength(
      VERIFICATION_RESEND_LIMIT.limit,
    );
    const mails = await db
      .select()
      .from(emailOutbox)
      .where(
        and(eq(emailOutbox.toEmail, user.email), eq(emailOutbox.template, "email-verification")),
      );
    expect(mails).toHaveLength(VERIFICATION_RESEND_LIMIT.limit + 1);
  });

  it("is refused for a confirmed address", async () => {
    const verified = await createUser(db);
    expect(await resend(verified)).toMatchObject({
      ok: false,
      kind: "conflict",
      reason: "already-verified",
    });
  });
});

describe("pages", () => {
  const get = (path: string, cookie?: string) =>
    SELF.fetch(`${ORIGIN}${path}`, {
      redirect: "manual",
      headers: cookie ? { Cookie: cookie } : {},
    });
  const post = (path: string, fields: Record<string, string>, cookie?: string) => {
    const form = postForm(path, fields, { cookie });
    return SELF.fetch(`${ORIGIN}${form.path}`, form.init);
  };

  it("sign-up creates an unverified account and mails it a verification link", async () => {
    const email = `signup-${crypto.randomUUID()}@example.test`;
    const response = await post("/signup", {
      name: "Vera Verify",
      email,
      password: "a long enough password",
      birthDate: "1990-01-01",
    });
    expect(response.status).toBe(200);
    const [user] = await db.select().from(users).where(eq(users.email, email));
    expect(user!.emailVerifiedAt).toBeNull();
    const token = await latestLinkTo(email);
    const [link] = await db.select().from(accountTokens).where(eq(accountTokens.userId, user!.id));
    expect(link).toMatchObject({ purpose: "EMAIL_VERIFICATION", usedAt: null });
    expect(JSON.stringify(link)).not.toContain(token);
  });

  it("shows the banner with a resend button to an unverified account only", async () => {
    const { user } = await unverifiedUser();
    const page = await get("/products", await sessionCookieFor(user.id));
    const html = await page.text();
    expect(html).toContain('data-testid="verify-email-banner"');
    expect(html).toContain(user.email);
    expect(html).toContain("Send it again");

    const verified = await createUser(db);
    const other = await (await get("/products", await sessionCookieFor(verified.id))).text();
    expect(other).not.toContain('data-testid="verify-email-banner"');
    expect(await (await get("/products")).text()).not.toContain(
      'data-testid="verify-email-banner"',
    );
  });

  it("refuses a checkout with the sentence, and the page still offers to resend", async () => {
    const { user } = await unverifiedUser();
    const cookie = await sessionCookieFor(user.id);
    const product = await createProduct({ db, files: env.FILES });
    const response = await post(`/checkout/${product.slug}`, { licenseType: "PERSONAL" }, cookie);
    expect(response.status).toBe(403);
    const html = await response.text();
    expect(html).toContain("Confirm your email address first");
    expect(html).toContain("Send it again");
    expect(
      await db
        .select()
        .from(digitalProductPurchases)
        .where(eq(digitalProductPurchases.userId, user.id)),
    ).toEqual([]);
  });

  it("GET /verify-email/:token only asks; the button's POST verifies and goes to /account", async () => {
    const { user } = await unverifiedUser();
    const token = await mailedLink(user);

    const page = await get(`/verify-email/${token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("Cache-Control")).toBe("no-store");
    const html = await page.text();
    expect(html).toContain(user.email);
    expect(html).toContain("Confirm my email");
    expect((await userRow(user.id)).emailVerifiedAt).toBeNull();

    const confirmed = await post(`/verify-email/${token}`, {});
    expect(confirmed.status).toBe(302);
    expect(confirmed.headers.get("Location")).toBe("/account");
    expect((await userRow(user.id)).emailVerifiedAt).not.toBeNull();

    const again = await get(`/verify-email/${token}`);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain("already been used");
    expect((await get(`/verify-email/${"x".repeat(43)}`)).status).toBe(404);
  });

  it("POST /account/verify-email sends a new link and returns to the page it came from", async () => {
    const { user } = await unverifiedUser();
    const cookie = await sessionCookieFor(user.id);
    const response = await post(
      "/account/verify-email",
      { intent: "resend-verification", redirectTo: "/products?q=theme" },
      cookie,
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/products?q=theme");
    await latestLinkTo(user.email);

    const offSite = await post(
      "/account/verify-email",
      { intent: "resend-verification", redirectTo: "https://evil.example/" },
      cookie,
    );
    expect(offSite.headers.get("Location")).toBe("/account");
  });
});
