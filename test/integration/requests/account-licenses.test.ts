import { createId } from "@paralleldrive/cuid2";
import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { auditLogs, digitalProductPurchases, type LicenseType } from "#db/schema";
import { parseEnv } from "~/lib/env.server";
import { issueLicenseStatement } from "~/services/licenses.server";
import { createProduct, createUser } from "../../factories";
import { ORIGIN, postForm, sessionCookieFor } from "../../helpers/session";

const db = createDb(env.DB);
const appEnv = parseEnv(env);

/** A completed purchase of a new product by `userId`, and the license fulfilment issued. */
async function licenseFor(userId: string, type: LicenseType = "PERSONAL") {
  const product = await createProduct({ db, files: env.FILES });
  const purchaseId = createId();
  await db.insert(digitalProductPurchases).values({
    id: purchaseId,
    userId,
    productId: product.id,
    licenseType: type,
    amountCents: 2900,
    currency: "USD",
    status: "COMPLETED",
    provider: "TEST",
    completedAt: new Date(),
  });
  const issued = await issueLicenseStatement(db, appEnv, {
    purchaseId,
    userId,
    productId: product.id,
    licenseType: type,
    teamSeats: 5,
    durationMonths: null,
    now: new Date(),
  });
  await issued.statement;
  return { product, licenseId: issued.licenseId, key: issued.key };
}

const get = (path: string, cookie: string) =>
  SELF.fetch(`${ORIGIN}${path}`, { headers: { Cookie: cookie }, redirect: "manual" });

const send = ({ path, init }: ReturnType<typeof postForm>) => SELF.fetch(`${ORIGIN}${path}`, init);

const reveals = (licenseId: string) =>
  db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.entityId, licenseId), eq(auditLogs.action, "LICENSE_KEY_REVEALED")));

describe("/account/licenses", () => {
  it("lists the user's licenses with the key masked, never in full", async () => {
    const user = await createUser(db);
    const { product, key } = await licenseFor(user.id, "TEAM");
    const cookie = await sessionCookieFor(user.id);
    const response = await get("/account/licenses", cookie);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(product.name);
    expect(html).toContain(`•••••-•••••-•••••-•••••-${key.slice(-5)}`);
    expect(html).not.toContain(key);
    expect(html).toContain("TEAM");
    expect(html).toContain("0 / 5");
  });

  it("shows an empty state linking to the catalog", async () => {
    const user = await createUser(db);
    const html = await (await get("/account/licenses", await sessionCookieFor(user.id))).text();
    expect(html).toContain("No licenses yet");
    expect(html).toContain('href="/products"');
  });

  it("sends anonymous visitors to log in", async () => {
    const response = await SELF.fetch(`${ORIGIN}/account/licenses`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toContain("/login");
  });
});

describe("/account/licenses/:licenseId", () => {
  it("shows status, seats and expiry with the key masked", async () => {
    const user = await createUser(db);
    const { licenseId, key } = await licenseFor(user.id);
    const response = await get(`/account/licenses/${licenseId}`, await sessionCookieFor(user.id));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Active");
    expect(html).toContain("Never");
    expect(html).toContain(key.slice(-5));
    expect(html).not.toContain(key);
  });

  it("reveals the full key on request and audits it", async () => {
    const user = await createUser(db);
    const { licenseId, key } = await licenseFor(user.id);
    const cookie = await sessionCookieFor(user.id);
    const response = await send(
      postForm(`/account/licenses/${licenseId}`, { intent: "reveal-key" }, { cookie }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toContain("no-store");
    expect(await response.text()).toContain(key);
    const audited = await reveals(licenseId);
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ actorId: user.id, entityType: "license" });
    expect(JSON.stringify(audited[0]!.metadata ?? {})).not.toContain(key);
  });

  it("answers 404 for another user's license, and reveals nothing", async () => {
    const owner = await createUser(db);
    const stranger = await createUser(db);
    const { licenseId, key } = await licenseFor(owner.id);
    const cookie = await sessionCookieFor(stranger.id);
    const page = await get(`/account/licenses/${licenseId}`, cookie);
    expect(page.status).toBe(404);
    expect(await page.text()).not.toContain(key.slice(-5));
    const reveal = await send(
      postForm(`/account/licenses/${licenseId}`, { intent: "reveal-key" }, { cookie }),
    );
    expect(reveal.status).toBe(404);
    expect(await reveal.text()).not.toContain(key);
    expect(await reveals(licenseId)).toHaveLength(0);
  });

  it("answers 404 for a license that does not exist", async () => {
    const user = await createUser(db);
    const response = await get("/account/licenses/nosuchlicense", await sessionCookieFor(user.id));
    expect(response.status).toBe(404);
  });
});
