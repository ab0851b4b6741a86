import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { digitalProductPurchases, licenses } from "#db/schema";
import { createProduct, createUser } from "../../factories";
import { ORIGIN, postForm, sessionCookieFor } from "../../helpers/session";

/** Buying through the pages, with the test payment provider (no Stripe key in tests). */

const db = createDb(env.DB);

async function buyer(overrides: Parameters<typeof createUser>[1] = {}) {
  const user = await createUser(db, overrides);
  return { user, cookie: await sessionCookieFor(user.id) };
}

async function submit(path: string, fields: Record<string, string>, cookie?: string) {
  const request = postForm(path, fields, { cookie });
  return SELF.fetch(`${ORIGIN}${request.path}`, request.init);
}

const get = (path: string, cookie: string) =>
  SELF.fetch(`${ORIGIN}${path}`, { redirect: "manual", headers: { Cookie: cookie } });

const purchasesOf = (userId: string) =>
  db.select().from(digitalProductPurchases).where(eq(digitalProductPurchases.userId, userId));

describe("POST /checkout/:slug and the test provider", () => {
  it("buys a product end to end: checkout → test page → paid → license", async () => {
    const { user, cookie } = await buyer();
    const product = await createProduct({ db, files: env.FILES }, { name: "Grid Kit" });

    const started = await submit(`/checkout/${product.slug}`, { licenseType: "PERSONAL" }, cookie);
    expect(started.status).toBe(302);
    const location = started.headers.get("Location")!;
    expect(location).toMatch(/^\/checkout\/test\/[a-z0-9]+$/);
    const [purchase] = await purchasesOf(user.id);
    expect(location).toBe(`/checkout/test/${purchase!.id}`);
    expect(purchase).toMatchObject({ status: "PENDING", provider: "TEST", amountCents: 2900 });

    const page = await get(location, cookie);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Grid Kit");
    expect(html).toContain("$29.00");
    expect(html).toContain("Pay (test)");
    expect(html).toContain("Fail payment");

    const paid = await submit(location, { outcome: "succeed" }, cookie);
    expect(paid.status).toBe(302);
    expect(paid.headers.get("Location")).toBe("/account/purchases");
    expect(paid.headers.get("Set-Cookie")).toMatch(/toast=/);

    const [license] = await db.select().from(licenses).where(eq(licenses.purchaseId, purchase!.id));
    expect(license).toMatchObject({ userId: user.id, status: "ACTIVE", licenseType: "PERSONAL" });

    const list = await get("/account/purchases", cookie);
    expect(list.status).toBe(200);
    const listHtml = await list.text();
    expect(listHtml).toContain("Grid Kit");
    expect(listHtml).toContain("completed");
  });

  it("pages through many purchases, newest first", async () => {
    const { user, cookie } = await buyer();
    const product = await createProduct({ db, files: env.FILES }, { name: "Paged Product" });
    const start = Date.now() - 60_000;
    // One statement per row: D1 allows at most 100 bound variables per statement.
    const rows = Array.from({ length: 27 }, (_, i) =>
      db.insert(digitalProductPurchases).values({
        userId: user.id,
        productId: product.id,
        licenseType: "PERSONAL",
        amountCents: 100 + i,
        currency: "USD",
        status: "COMPLETED",
        provider: "TEST",
        createdAt: new Date(start + i * 1000),
        updatedAt: new Date(start + i * 1000),
      }),
    );
    await db.batch([rows[0]!, ...rows.slice(1)]);
    const first = await (await get("/account/purchases", cookie)).text();
    expect(first).toContain("$1.26");
    expect(first).not.toContain("$1.01");
    const next = /href="(\/account\/purchases\?cursor=[^"]+)"/.exec(first)?.[1];
    expect(next).toBeDefined();
    const second = await (await get(next!.replaceAll("&amp;", "&"), cookie)).text();
    expect(second).toContain("$1.01");
    expect(second).toContain("$1.00");
    expect(second).not.toContain("$1.26");
  });

  it("shows an empty purchases page to a new buyer", async () => {
    const { cookie } = await buyer();
    const response = await get("/account/purchases", cookie);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("No purchases yet");
  });

  it("refuses a minor without guardian consent", async () => {
    const { user, cookie } = await buyer({
      birthDate: "2011-01-01",
      isMinor: true,
      guardianEmail: "parent@example.test",
    });
    const product = await createProduct({ db, files: env.FILES });
    const response = await submit(`/checkout/${product.slug}`, { licenseType: "PERSONAL" }, cookie);
    expect(response.status).toBe(403);
    expect(await purchasesOf(user.id)).toHaveLength(0);
  });

  it("answers 404 for an unknown product and 400 for a license type not offered", async () => {
    const { cookie } = await buyer();
    const unknown = await submit("/checkout/no-such-thing", { licenseType: "PERSONAL" }, cookie);
    expect(unknown.status).toBe(404);
    const draft = await createProduct(
      { db, files: env.FILES },
      { status: "DRAFT", publishedAt: null },
    );
    const unpublished = await submit(
      `/checkout/${draft.slug}`,
      { licenseType: "PERSONAL" },
      cookie,
    );
    expect(unpublished.status).toBe(404);
    const personalOnly = await createProduct(
      { db, files: env.FILES },
      { priceCommercialCents: null, priceTeamCents: null },
    );
    const team = await submit(`/checkout/${personalOnly.slug}`, { licenseType: "TEAM" }, cookie);
    expect(team.status).toBe(400);
    const garbage = await submit(`/checkout/${personalOnly.slug}`, { licenseType: "FREE" }, cookie);
    expect(garbage.status).toBe(400);
  });

  it("sends anonymous buyers to log in", async () => {
    const product = await createProduct({ db, files: env.FILES });
    const response = await submit(`/checkout/${product.slug}`, { licenseType: "PERSONAL" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
  });

  it("hides another user's test checkout (404 to view and to pay)", async () => {
    const owner = await buyer();
    const stranger = await buyer();
    const product = await createProduct({ db, files: env.FILES });
    const started = await submit(
      `/checkout/${product.slug}`,
      { licenseType: "PERSONAL" },
      owner.cookie,
    );
    const location = started.headers.get("Location")!;
    expect((await get(location, stranger.cookie)).status).toBe(404);
    expect((await submit(location, { outcome: "succeed" }, stranger.cookie)).status).toBe(404);
    const [purchase] = await purchasesOf(owner.user.id);
    expect(purchase!.status).toBe("PENDING");
  });

  it("a failed test payment leaves no license", async () => {
    const { user, cookie } = await buyer();
    const product = await createProduct({ db, files: env.FILES });
    const started = await submit(`/checkout/${product.slug}`, { licenseType: "PERSONAL" }, cookie);
    const failed = await submit(started.headers.get("Location")!, { outcome: "fail" }, cookie);
    expect(failed.status).toBe(302);
    const [purchase] = await purchasesOf(user.id);
    expect(purchase!.status).toBe("FAILED");
    expect(
      await db.select().from(licenses).where(eq(licenses.purchaseId, purchase!.id)),
    ).toHaveLength(0);
  });

  it("keeps the test checkout page, with the sentence, when the outcome is not one of the buttons", async () => {
    const { user, cookie } = await buyer();
    const product = await createProduct({ db, files: env.FILES });
    const started = await submit(`/checkout/${product.slug}`, { licenseType: "PERSONAL" }, cookie);
    const page = await submit(started.headers.get("Location")!, { outcome: "maybe" }, cookie);
    expect(page.status).toBe(400);
    const html = await page.text();
    expect(html).toContain("Choose whether the test payment succeeds or fails.");
    expect(html).toContain("Pay (test)");
    const [purchase] = await purchasesOf(user.id);
    expect(purchase!.status).toBe("PENDING");
  });

  it("answers an invalid checkout form with its sentence", async () => {
    const { cookie } = await buyer();
    const product = await createProduct({ db, files: env.FILES });
    const response = await submit(`/checkout/${product.slug}`, { licenseType: "FREE" }, cookie);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Choose a license type: personal, commercial or team.");
  });

  it("a GET of /checkout/:slug goes back to the product page", async () => {
    const { cookie } = await buyer();
    const response = await get("/checkout/some-product", cookie);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/products/some-product");
  });
});
