import { env } from "cloudflare:test";
import { SELF } from "../helpers/worker";
import { createId } from "@paralleldrive/cuid2";
import { and, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { createDb } from "#db/client";
import { auditLogs, digitalProductPurchases, licenses, type UserRole } from "#db/schema";
import { parseEnv } from "~/lib/env.server";
import {
  getLicenseDetail,
  getPurchaseDetail,
  refundPurchase,
  searchLicenses,
  searchPurchases,
} from "~/services/admin-store.server";
import { settleTestCheckout, startCheckout } from "~/services/checkout.server";
import { revealLicenseKey, setLicenseStatus } from "~/services/licenses.server";
import { createProduct, createUser } from "../factories";
import { ORIGIN, postForm, sessionCookieFor } from "../helpers/session";

const db = createDb(env.DB);
const appEnv = parseEnv(env);
const deps = { db, env: appEnv };
const request = { ipHash: "b".repeat(64), userAgent: "Vitest", requestId: "req-admin-store" };

// ---- Helpers ------------------------------------------------------------------------------

async function staff(role: UserRole) {
  const user = await createUser(db, { role });
  return { id: user.id, role: user.role };
}

/** A purchase through the test provider; completed (with its license) unless told otherwise. */
async function testPurchase(
  options: { complete?: boolean; productName?: string; buyerEmail?: string } = {},
) {
  const buyer = await createUser(db, options.buyerEmail ? { email: options.buyerEmail } : {});
  const product = await createProduct(
    { db, files: env.FILES },
    options.productName ? { name: options.productName } : {},
  );
  const { purchaseId } = await startCheckout(deps, {
    user: { id: buyer.id, role: buyer.role, email: buyer.email },
    slug: product.slug,
    licenseType: "PERSONAL",
    origin: "https://store.example",
    now: new Date(),
  });
  let licenseId: string | null = null;
  if (options.complete ?? true) {
    const settled = await settleTestCheckout(deps, {
      purchaseId,
      outcome: "succeed",
      now: new Date(),
    });
    if (settled.status !== "processed") throw new Error("purchase didn't complete");
    licenseId = settled.licenseId;
  }
  return { buyer, product, purchaseId, licenseId };
}

const purchaseStatus = async (id: string) =>
  (
    await db
      .select({ status: digitalProductPurchases.status })
      .from(digitalProductPurchases)
      .where(eq(digitalProductPurchases.id, id))
  )[0]!.status;
const licenseStatus = async (id: string) =>
  (await db.select({ status: licenses.status }).from(licenses).where(eq(licenses.id, id)))[0]!
    .status;
const auditOf = (entityId: string) =>
  db.select().from(auditLogs).where(eq(auditLogs.entityId, entityId));

// ---- Refunds ------------------------------------------------------------------------------

describe("refunding a purchase", () => {
  it("refunds through the test provider, revokes the license and audits who did it and why", async () => {
    const admin = await staff("ADMIN");
    const { purchaseId, licenseId } = await testPurchase();

    const result = await refundPurchase(deps, {
      actor: admin,
      purchaseId,
      reason: "Customer asked within 14 days",
      now: new Date(),
      request,
    });

    expect(result).toMatchObject({ ok: true, outcome: "refunded" });
    expect(await purchaseStatus(purchaseId)).toBe("REFUNDED");
    expect(await licenseStatus(licenseId!)).toBe("REVOKED");
    const purchaseAudit = await auditOf(purchaseId);
    expect(purchaseAudit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: "PURCHASE_REFUND_REQUESTED",
          actorId: admin.id,
          actorRole: "ADMIN",
          requestId: "req-admin-store",
          metadata: expect.objectContaining({ reason: "Customer asked within 14 days" }),
        }),
      ]),
    );
    expect((await auditOf(licenseId!)).map((row) => row.action)).toContain("LICENSE_REVOKED");
    // The refund itself is on record once (fulfilment's row), next to the staff request.
    expect(purchaseAudit.filter((row) => row.action === "PURCHASE_REFUNDED")).toHaveLength(1);
  });

  it("refuses a MODERATOR and changes nothing", async () => {
    const moderator = await staff("MODERATOR");
    const { purchaseId, licenseId } = await testPurchase();
    const auditBefore = (await auditOf(purchaseId)).length;

    const result = await refundPurchase(deps, {
      actor: moderator,
      purchaseId,
      reason: "Trying anyway",
      now: new Date(),
      request,
    });

    expect(result).toMatchObject({ ok: false, kind: "forbidden" });
    expect(await purchaseStatus(purchaseId)).toBe("COMPLETED");
    expect(await licenseStatus(licenseId!)).toBe("ACTIVE");
    expect(await auditOf(purchaseId)).toHaveLength(auditBefore);
  });

  it("refuses a purchase that isn't completed, and a second refund of the same purchase", async () => {
    const admin = await staff("OWNER");
    const pending = await testPurchase({ complete: false });
    expect(
      await refundPurchase(deps, {
        actor: admin,
        purchaseId: pending.purchaseId,
        reason: "Not paid yet",
        now: new Date(),
        request,
      }),
    ).toMatchObject({ ok: false, kind: "conflict" });
    expect(await purchaseStatus(pending.purchaseId)).toBe("PENDING");

    const done = await testPurchase();
    const input = { actor: admin, purchaseId: done.purchaseId, reason: "Twice", request };
    expect(await refundPurchase(deps, { ...input, now: new Date() })).toMatchObject({ ok: true });
    expect(await refundPurchase(deps, { ...input, now: new Date() })).toMatchObject({
      ok: false,
      kind: "conflict",
    });
    expect(
      (await auditOf(done.purchaseId)).filter(
        (row) => row.action === "PURCHASE_REFUND_REQUESTED" && row.actorId === admin.id,
      ),
    ).toHaveLength(1);
  });

  it("answers not-found for an unknown purchase", async () => {
    const admin = await staff("ADMIN");
    expect(
      await refundPurchase(deps, {
        actor: admin,
        purchaseId: createId(),
        reason: "Nothing there",
        now: new Date(),
        request,
      }),
    ).toMatchObject({ ok: false, kind: "not-found" });
  });

  it("asks Stripe to refund a Stripe purchase and leaves the state to the webhook", async () => {
    const admin = await staff("ADMIN");
    const buyer = await createUser(db);
    const product = await createProduct({ db, files: env.FILES }, {});
    const purchaseId = createId();
    await db.insert(digitalProductPurchases).values({
      id: purchaseId,
      userId: buyer.id,
      productId: product.id,
      licenseType: "PERSONAL",
      amountCents: 2900,
      currency: "USD",
      status: "COMPLETED",
      provider: "STRIPE",
      providerSessionId: `cs_test_${purchaseId}`,
      providerPaymentIntentId: `pi_test_${purchaseId}`,
      completedAt: new Date(),
    });
    const create = vi.fn(async () => ({ id: "re_test_123" }));
    const stripe = { refunds: { create } } as unknown as NonNullable<
      Parameters<typeof refundPurchase>[0]["stripe"]
    >;

    const result = await refundPurchase(
      { ...deps, stripe },
      { actor: admin, purchaseId, reason: "Duplicate charge", now: new Date(), request },
    );

    expect(result).toEqual({
      ok: true,
      outcome: "requested",
      message: "Refund requested; the webhook will apply it.",
    });
    expect(create).toHaveBeenCalledWith(
      expect.objectContaining({ payment_intent: `pi_test_${purchaseId}` }),
      { idempotencyKey: `refund_${purchaseId}` },
    );
    expect(await purchaseStatus(purchaseId)).toBe("COMPLETED");
    expect(await auditOf(purchaseId)).toEqual([
      expect.objectContaining({
        action: "PURCHASE_REFUND_REQUESTED",
        actorId: admin.id,
        metadata: expect.objectContaining({ stage: "requested", refundId: "re_test_123" }),
      }),
    ]);
  });
});

// ---- License status ---------------------------------------------------------------------

describe("changing a license's status", () => {
  it("refuses an EDITOR and changes nothing", async () => {
    const editor = await staff("EDITOR");
    const { licenseId } = await testPurchase();
    const result = await setLicenseStatus(
      { db },
      {
        actor: editor,
        licenseId: licenseId!,
        status: "SUSPENDED",
        reason: "Looks odd",
        now: new Date(),
        request,
      },
    );
    expect(result).toMatchObject({ ok: false, reason: "forbidden" });
    expect(await licenseStatus(licenseId!)).toBe("ACTIVE");
    expect(
      await db
        .select()
        .from(auditLogs)
        .where(and(eq(auditLogs.entityId, licenseId!), eq(auditLogs.actorId, editor.id))),
    ).toHaveLength(0);
  });

  it("lets a MODERATOR suspend and reinstate, with the reason shown on the detail page", async () => {
    const moderator = await staff("MODERATOR");
    const { licenseId } = await testPurchase();
    const change = { actor: moderator, licenseId: licenseId!, now: new Date(), request };
    expect(
      await setLicenseStatus({ db }, { ...change, status: "SUSPENDED", reason: "Key shared" }),
    ).toMatchObject({ ok: true });
    const suspended = await getLicenseDetail(db, licenseId!);
    expect(suspended?.license).toMatchObject({ status: "SUSPENDED", statusReason: "Key shared" });
    expect(suspended?.audit.map((row) => row.action)).toContain("LICENSE_SUSPENDED");

    expect(
      await setLicenseStatus({ db }, { ...change, status: "ACTIVE", reason: "Sorted out" }),
    ).toMatchObject({ ok: true });
    expect(await licenseStatus(licenseId!)).toBe("ACTIVE");
  });
});

// ---- Lists and detail pages ------------------------------------------------------------

describe("staff lists and detail pages", () => {
  it("filters purchases by status and by buyer email or product name", async () => {
    const tag = createId().slice(0, 10);
    const completed = await testPurchase({ productName: `Grid Kit ${tag}` });
    const pending = await testPurchase({
      complete: false,
      buyerEmail: `buyer-${tag}@example.test`,
    });

    const byProduct = await searchPurchases(db, { q: `grid kit ${tag}` });
    expect(byProduct.items.map((item) => item.id)).toEqual([completed.purchaseId]);

    const byEmail = await searchPurchases(db, { q: `BUYER-${tag}` });
    expect(byEmail.items.map((item) => item.id)).toEqual([pending.purchaseId]);
    expect(byEmail.items[0]).toMatchObject({ status: "PENDING", buyerEmail: pending.buyer.email });

    expect(
      (await searchPurchases(db, { q: tag, status: "PENDING" })).items.map((item) => item.id),
    ).toEqual([pending.purchaseId]);
    expect(
      (await searchPurchases(db, { q: tag, status: "COMPLETED" })).items.map((item) => item.id),
    ).toEqual([completed.purchaseId]);
    expect((await searchPurchases(db, { q: tag, status: "REFUNDED" })).items).toEqual([]);
  });

  it("pages purchases newest first on (created_at, id)", async () => {
    const tag = createId().slice(0, 10);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await testPurchase({ productName: `Paged ${tag} ${i}` })).purchaseId);
    }
    const first = await searchPurchases(db, { q: `paged ${tag}`, pageSize: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = await searchPurchases(db, {
      q: `paged ${tag}`,
      pageSize: 2,
      cursor: first.nextCursor!,
    });
    expect(second.nextCursor).toBeNull();
    const seen = [...first.items, ...second.items].map((item) => item.id);
    expect(new Set(seen)).toEqual(new Set(ids));
    expect(seen).toHaveLength(3);
  });

  it("filters licenses by status and by owner email or product name", async () => {
    const moderator = await staff("MODERATOR");
    const tag = createId().slice(0, 10);
    const active = await testPurchase({ productName: `Font ${tag}` });
    const suspended = await testPurchase({ buyerEmail: `owner-${tag}@example.test` });
    await setLicenseStatus(
      { db },
      {
        actor: moderator,
        licenseId: suspended.licenseId!,
        status: "SUSPENDED",
        reason: "Review",
        now: new Date(),
        request,
      },
    );

    expect((await searchLicenses(db, { q: `font ${tag}` })).items.map((item) => item.id)).toEqual([
      active.licenseId,
    ]);
    const byOwner = await searchLicenses(db, { q: `owner-${tag}` });
    expect(byOwner.items.map((item) => item.id)).toEqual([suspended.licenseId]);
    expect(byOwner.items[0]?.effective.code).toBe("SUSPENDED");
    expect(
      (await searchLicenses(db, { q: tag, status: "ACTIVE" })).items.map((item) => item.id),
    ).toEqual([active.licenseId]);
    expect(
      (await searchLicenses(db, { q: tag, status: "SUSPENDED" })).items.map((item) => item.id),
    ).toEqual([suspended.licenseId]);
  });

  it("never shows staff the license key, only its last five characters", async () => {
    const { buyer, purchaseId, licenseId } = await testPurchase();
    const key = await revealLicenseKey(deps, {
      actor: { id: buyer.id, role: buyer.role },
      licenseId: licenseId!,
      now: new Date(),
      request,
    });
    expect(key).toBeTruthy();

    const detail = await getLicenseDetail(db, licenseId!);
    const purchase = await getPurchaseDetail(db, purchaseId);
    const list = await searchLicenses(db, { q: buyer.email });
    for (const shown of [detail, purchase, list]) {
      const text = JSON.stringify(shown);
      expect(text).not.toContain(key!);
      expect(text).not.toMatch(/keyEncrypted|keyBlindIndex|keyLast5/);
    }
    expect(detail?.license.maskedKey.endsWith(key!.slice(-5))).toBe(true);
    expect(purchase?.license?.id).toBe(licenseId);
    expect(purchase?.purchase.refundable).toBe(true);
  });

  it("answers null for unknown ids", async () => {
    expect(await getPurchaseDetail(db, createId())).toBeNull();
    expect(await getLicenseDetail(db, createId())).toBeNull();
  });
});

// ---- Through the routes ---------------------------------------------------------------------

/** A staff member with 2FA done, signed in: the cookie their browser would send. */
async function signedIn(role: UserRole) {
  const user = await createUser(
    db,
    { role, twoFactorSecret: "JBSWY3DPEHPK3PXP" },
    { encryptionKeys: appEnv.encryptionKeys },
  );
  return sessionCookieFor(user.id, { twoFactorVerified: true });
}

async function submit(path: string, fields: Record<string, string>, cookie: string) {
  const request = postForm(path, fields, { cookie });
  return SELF.fetch(`${ORIGIN}${request.path}`, request.init);
}

describe("the staff pages", () => {
  it("let an ADMIN refund a test purchase with a reason, and show it afterwards", async () => {
    const cookie = await signedIn("ADMIN");
    const { purchaseId, licenseId } = await testPurchase({ productName: "Refundable Kit" });
    const path = `/admin/purchases/${purchaseId}`;

    const page = await SELF.fetch(`${ORIGIN}${path}`, { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Refund this purchase");

    const missingReason = await submit(path, { intent: "refund", reason: " " }, cookie);
    expect(missingReason.status).toBe(400);
    expect(await purchaseStatus(purchaseId)).toBe("COMPLETED");

    const refunded = await submit(path, { intent: "refund", reason: "Asked nicely" }, cookie);
    expect(refunded.status).toBe(302);
    expect(refunded.headers.get("Location")).toBe(path);
    expect(await purchaseStatus(purchaseId)).toBe("REFUNDED");
    expect(await licenseStatus(licenseId!)).toBe("REVOKED");

    const list = await SELF.fetch(`${ORIGIN}/admin/purchases?status=REFUNDED&q=refundable`, {
      headers: { Cookie: cookie },
    });
    expect(await list.text()).toContain(purchaseId);
  });

  it("show a MODERATOR no refund form but let them suspend and reinstate a license", async () => {
    const cookie = await signedIn("MODERATOR");
    const { purchaseId, licenseId } = await testPurchase();

    const purchasePage = await SELF.fetch(`${ORIGIN}/admin/purchases/${purchaseId}`, {
      headers: { Cookie: cookie },
    });
    expect(await purchasePage.text()).not.toContain("Refund this purchase");

    const path = `/admin/licenses/${licenseId}`;
    const licensePage = await (
      await SELF.fetch(`${ORIGIN}${path}`, { headers: { Cookie: cookie } })
    ).text();
    expect(licensePage).toContain("Suspend license");
    expect(licensePage).not.toContain("Reinstate license");

    expect((await submit(path, { intent: "suspend" }, cookie)).status).toBe(400);
    const suspended = await submit(path, { intent: "suspend", reason: "Shared key" }, cookie);
    expect(suspended.status).toBe(302);
    expect(await licenseStatus(licenseId!)).toBe("SUSPENDED");

    const again = await submit(path, { intent: "suspend", reason: "Twice" }, cookie);
    expect(again.status).toBe(409);

    const reinstated = await submit(path, { intent: "reinstate", reason: "Cleared" }, cookie);
    expect(reinstated.status).toBe(302);
    expect(await licenseStatus(licenseId!)).toBe("ACTIVE");
  });

  it("show an EDITOR a license without any actions", async () => {
    const cookie = await signedIn("EDITOR");
    const { licenseId } = await testPurchase();
    const page = await (
      await SELF.fetch(`${ORIGIN}/admin/licenses/${licenseId}`, { headers: { Cookie: cookie } })
    ).text();
    expect(page).not.toMatch(/Suspend license|Revoke license|Reinstate license/);
  });
});
