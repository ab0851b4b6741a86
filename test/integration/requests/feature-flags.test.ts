import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import {
  auditLogs,
  digitalProductPurchases,
  downloads,
  featureFlags,
  licenses,
  membershipCheckouts,
  serviceAddOns,
  serviceProjects,
  users,
} from "#db/schema";
import { FEATURE_FLAG_DEFINITIONS, type FeatureFlag } from "~/domain/flags/flags";
import { parseEnv } from "~/lib/env.server";
import { createMembership, createProduct, createProject, createUser } from "../../factories";
import { licenseFor } from "../../helpers/licenses";
import { ORIGIN, postForm, sessionCookieFor } from "../../helpers/session";

/**
 * The feature flags through the built Worker (issue 12 §3): each flag, switched off in
 * /admin/flags, makes its gated request answer with its sentence (503; the API with
 * Retry-After) and write nothing; switched on again, the same request works. The switch goes
 * through the admin page, so the Worker's own copy of the flags is dropped at once.
 */

const db = createDb(env.DB);
const appEnv = parseEnv(env);
const DAY = 86_400_000;

const get = (path: string, cookie?: string) =>
  SELF.fetch(`${ORIGIN}${path}`, { redirect: "manual", headers: cookie ? { Cookie: cookie } : {} });

async function submit(path: string, fields: Record<string, string>, cookie?: string) {
  const request = postForm(path, fields, { cookie });
  return SELF.fetch(`${ORIGIN}${request.path}`, request.init);
}

async function staff(role: "ADMIN" | "OWNER" | "MODERATOR" | "VIEWER") {
  const user = await createUser(
    db,
    { role, twoFactorSecret: "JBSWY3DPEHPK3PXP" },
    { encryptionKeys: appEnv.encryptionKeys },
  );
  return { user, cookie: await sessionCookieFor(user.id, { twoFactorVerified: true }) };
}

async function customer(credits?: number) {
  const user = await createUser(db);
  if (credits !== undefined) await createMembership(db, { userId: user.id, credits });
  return { user, cookie: await sessionCookieFor(user.id) };
}

async function switchFlag(cookie: string, name: FeatureFlag, enabled: "on" | "off") {
  const response = await submit(
    "/admin/flags",
    { intent: "set", name, environment: "development", enabled, reason: "Maintenance window" },
    cookie,
  );
  expect(response.status, `switching ${name} ${enabled}`).toBe(302);
}

/** Runs `check` with `flag` off, and switches it on again afterwards whatever happens. */
async function whileOff(flag: FeatureFlag, check: () => Promise<void>) {
  const admin = await staff("ADMIN");
  await switchFlag(admin.cookie, flag, "off");
  try {
    await check();
  } finally {
    await switchFlag(admin.cookie, flag, "on");
  }
}

/** The sentence as the HTML of a page has it (apostrophes escaped). */
const inHtml = (text: string) => text.replaceAll("'", "&#x27;");
const sentence = (flag: FeatureFlag) => FEATURE_FLAG_DEFINITIONS[flag].offMessage;

async function expectPaused(response: Response, flag: FeatureFlag) {
  expect(response.status).toBe(503);
  const body = await response.text();
  expect(body.includes(sentence(flag)) || body.includes(inHtml(sentence(flag)))).toBe(true);
}

const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
const count = async (rows: Promise<unknown[]>) => (await rows).length;

describe("the signup flag", () => {
  const form = (email: string) => ({
    name: "Flag Tester",
    email,
    password: "a long enough password",
    birthDate: "1990-04-01",
  });

  it("off: the page shows the sentence instead of the form and POST creates no account", async () => {
    await whileOff("signup", async () => {
      const page = await get("/signup");
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain(inHtml(sentence("signup")));
      expect(html).not.toContain('name="password"');

      const response = await submit("/signup", form("paused-signup@example.test"));
      await expectPaused(response, "signup");
      expect(
        await count(db.select().from(users).where(eq(users.email, "paused-signup@example.test"))),
      ).toBe(0);
    });
  });

  it("on: the form is there and POST creates the account", async () => {
    const page = await (await get("/signup")).text();
    expect(page).toContain('name="password"');
    expect(page).not.toContain(inHtml(sentence("signup")));
    const response = await submit("/signup", form("open-signup@example.test"));
    expect(response.status).toBe(200);
    expect(
      await count(db.select().from(users).where(eq(users.email, "open-signup@example.test"))),
    ).toBe(1);
  });
});

describe("the checkout flag", () => {
  it("off: products, memberships and credit packs answer the sentence; nothing is started", async () => {
    const buyer = await customer(10);
    const product = await createProduct({ db, files: env.FILES }, { name: "Paused Kit" });
    await whileOff("checkout", async () => {
      const productPage = await (await get(`/products/${product.slug}`, buyer.cookie)).text();
      expect(productPage).toContain(inHtml(sentence("checkout")));
      expect(productPage).not.toContain(">Buy<");
      const pricing = await (await get("/pricing")).text();
      expect(pricing).toContain(inHtml(sentence("checkout")));
      expect(pricing).not.toContain("Subscribe to");

      const started = [
        await submit(`/checkout/${product.slug}`, { licenseType: "PERSONAL" }, buyer.cookie),
        await submit("/checkout/membership", { tier: "PRO" }, buyer.cookie),
        await submit("/checkout/credits", { pack: "pack-10" }, buyer.cookie),
      ];
      for (const response of started) await expectPaused(response, "checkout");
      expect(
        await count(
          db
            .select()
            .from(digitalProductPurchases)
            .where(eq(digitalProductPurchases.userId, buyer.user.id)),
        ),
      ).toBe(0);
      expect(
        await count(
          db
            .select()
            .from(membershipCheckouts)
            .where(eq(membershipCheckouts.userId, buyer.user.id)),
        ),
      ).toBe(0);
    });
  });

  it("on: the same checkout starts", async () => {
    const buyer = await customer();
    const product = await createProduct({ db, files: env.FILES }, { name: "Open Kit" });
    const productPage = await (await get(`/products/${product.slug}`, buyer.cookie)).text();
    expect(productPage).not.toContain(inHtml(sentence("checkout")));
    const started = await submit(
      `/checkout/${product.slug}`,
      { licenseType: "PERSONAL" },
      buyer.cookie,
    );
    expect(started.status).toBe(302);
    expect(started.headers.get("Location")).toMatch(/^\/checkout\/test\//);
  });
});

describe("the downloads flag", () => {
  it("off: no download link is issued, an issued link is not used up, the license page says so", async () => {
    const owner = await customer();
    const license = await licenseFor(owner.user.id);
    // A link issued before the switch: while downloads are off it answers 503 and stays unused.
    const issued = await submit(
      `/account/licenses/${license.licenseId}/download`,
      {},
      owner.cookie,
    );
    expect(issued.status).toBe(302);
    const link = issued.headers.get("Location")!;
    const rowsBefore = await db
      .select()
      .from(downloads)
      .where(eq(downloads.licenseId, license.licenseId));

    await whileOff("downloads", async () => {
      const page = await (await get(`/account/licenses/${license.licenseId}`, owner.cookie)).text();
      expect(page).toContain(inHtml(sentence("downloads")));
      expect(page).not.toContain(">Download<");

      const refused = await submit(
        `/account/licenses/${license.licenseId}/download`,
        {},
        owner.cookie,
      );
      await expectPaused(refused, "downloads");
      await expectPaused(await get(link, owner.cookie), "downloads");
      expect(
        await db.select().from(downloads).where(eq(downloads.licenseId, license.licenseId)),
      ).toEqual(rowsBefore);
    });

    const file = await get(link, owner.cookie);
    expect(file.status).toBe(200);
    await file.arrayBuffer();
    const page = await (await get(`/account/licenses/${license.licenseId}`, owner.cookie)).text();
    expect(page).toContain(">Download<");
  });
});

describe("the studio flag", () => {
  it("off: no project request and no add-on; on: both go through", async () => {
    const client = await customer(20);
    const project = await createProject(db, { clientId: client.user.id, phase: "DESIGN" });
    const request = {
      name: "Paused project",
      category: "WEB_DESIGN",
      description: "Asked for while the studio is paused.",
      deadline: inDays(45),
    };
    const addOn = { intent: "add-on", type: "SUPPORT_CALL", description: "" };
    const projectsOf = () =>
      db.select().from(serviceProjects).where(eq(serviceProjects.clientId, client.user.id));
    const addOnsOf = () =>
      db.select().from(serviceAddOns).where(eq(serviceAddOns.projectId, project.id));

    await whileOff("studio", async () => {
      const form = await (await get("/account/projects/new", client.cookie)).text();
      expect(form).toContain(inHtml(sentence("studio")));
      expect(form).not.toContain('name="description"');
      await expectPaused(await submit("/account/projects/new", request, client.cookie), "studio");
      await expectPaused(
        await submit(`/account/projects/${project.id}`, addOn, client.cookie),
        "studio",
      );
      expect(await count(projectsOf())).toBe(1);
      expect(await count(addOnsOf())).toBe(0);
    });

    expect((await submit("/account/projects/new", request, client.cookie)).status).toBe(302);
    expect((await submit(`/account/projects/${project.id}`, addOn, client.cookie)).status).toBe(
      302,
    );
    expect(await count(projectsOf())).toBe(2);
    expect(await count(addOnsOf())).toBe(1);
  });
});

describe("the license-api flag", () => {
  it("off: 503 JSON with Retry-After and no activation; on: the key validates", async () => {
    const owner = await customer();
    const license = await licenseFor(owner.user.id);
    const call = (action: string, body: object) =>
      SELF.fetch(`${ORIGIN}/api/licenses/${action}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });

    await whileOff("license-api", async () => {
      const response = await call("activate", { key: license.key, instance: "laptop" });
      expect(response.status).toBe(503);
      expect(Number(response.headers.get("Retry-After"))).toBeGreaterThan(0);
      expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
      expect(await response.json()).toEqual({
        valid: false,
        code: "UNAVAILABLE",
        detail: sentence("license-api"),
        license: null,
      });
      const [row] = await db.select().from(licenses).where(eq(licenses.id, license.licenseId));
      expect(row!.currentUsers).toBe(0);
    });

    const response = await call("validate", { key: license.key });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ valid: true });
  });
});

describe("/admin/flags", () => {
  it("audits a change with before, after and reason, and shows it on the page", async () => {
    const admin = await staff("ADMIN");
    await switchFlag(admin.cookie, "downloads", "off");
    const [row] = await db
      .select()
      .from(featureFlags)
      .where(and(eq(featureFlags.key, "downloads"), eq(featureFlags.environment, "development")));
    expect(row).toMatchObject({ enabled: false, updatedById: admin.user.id });
    const audit = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "SETTINGS_CHANGED"), eq(auditLogs.actorId, admin.user.id)));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entityType: "feature_flag", entityId: "downloads" });
    expect(audit[0]!.metadata).toEqual({
      flag: "downloads",
      environment: "development",
      before: true,
      after: false,
      reason: "Maintenance window",
    });

    const page = await (await get("/admin/flags", admin.cookie)).text();
    expect(page).toContain('data-testid="flag-downloads" data-enabled="off"');
    expect(page).toContain("Maintenance window");
    expect(page).toContain(admin.user.name);

    // The same state again writes nothing and audits nothing.
    await switchFlag(admin.cookie, "downloads", "off");
    await switchFlag(admin.cookie, "downloads", "on");
    const after = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "SETTINGS_CHANGED"), eq(auditLogs.actorId, admin.user.id)));
    expect(after).toHaveLength(2);
  });

  it("refuses a change without a reason inline, and an unknown flag", async () => {
    const admin = await staff("ADMIN");
    const flagsBefore = await db.select().from(featureFlags);
    const noReason = await submit(
      "/admin/flags",
      { intent: "set", name: "checkout", environment: "development", enabled: "off", reason: "" },
      admin.cookie,
    );
    expect(noReason.status).toBe(400);
    expect(await noReason.text()).toContain("Say why; it goes into the audit log.");
    const unknown = await submit(
      "/admin/flags",
      {
        intent: "set",
        name: "teleport",
        environment: "development",
        enabled: "off",
        reason: "Why",
      },
      admin.cookie,
    );
    expect(unknown.status).toBe(400);
    expect(await db.select().from(featureFlags)).toEqual(flagsBefore);
  });

  it("is closed to USER and MODERATOR (403), for the page and the switch", async () => {
    const flagsBefore = await db.select().from(featureFlags);
    for (const who of [await customer(), await staff("MODERATOR")]) {
      expect((await get("/admin/flags", who.cookie)).status).toBe(403);
      const response = await submit(
        "/admin/flags",
        {
          intent: "set",
          name: "downloads",
          environment: "development",
          enabled: "off",
          reason: "Not allowed",
        },
        who.cookie,
      );
      expect(response.status).toBe(403);
    }
    expect(await db.select().from(featureFlags)).toEqual(flagsBefore);
  });
});
