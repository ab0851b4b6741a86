import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import {
  auditLogs,
  digitalProductPurchases,
  digitalProducts,
  emailOutbox,
  licenses,
  paymentEvents,
} from "#db/schema";
import { RefusalError } from "~/domain/refusal";
import { parseEnv } from "~/lib/env.server";
import { startCheckout, settleTestCheckout } from "~/services/checkout.server";
import { applyPaymentEvent } from "~/services/fulfilment.server";
import { createProduct, createUser } from "../factories";

const db = createDb(env.DB);
const appEnv = parseEnv(env);
const deps = { db, env: appEnv };

async function pendingPurchase(
  options: { licenseType?: "PERSONAL" | "COMMERCIAL" | "TEAM"; productOverrides?: object } = {},
) {
  const user = await createUser(db);
  const product = await createProduct({ db, files: env.FILES }, options.productOverrides ?? {});
  const checkout = await startCheckout(deps, {
    user: { id: user.id, role: user.role, email: user.email },
    slug: product.slug,
    licenseType: options.licenseType ?? "PERSONAL",
    origin: "https://store.example",
    now: new Date(),
  });
  return { user, product, purchaseId: checkout.purchaseId, redirectTo: checkout.redirectTo };
}

const purchaseRow = async (id: string) =>
  (await db.select().from(digitalProductPurchases).where(eq(digitalProductPurchases.id, id)))[0]!;
const licensesOf = (purchaseId: string) =>
  db.select().from(licenses).where(eq(licenses.purchaseId, purchaseId));
const purchaseCount = async (productId: string) =>
  (await db.select().from(digitalProducts).where(eq(digitalProducts.id, productId)))[0]!
    .purchaseCount;
const auditActions = async (entityId: string) =>
  (await db.select().from(auditLogs).where(eq(auditLogs.entityId, entityId))).map(
    (row) => row.action,
  );

let eventCounter = 0;
function testEvent(
  purchaseId: string,
  kind: Parameters<typeof applyPaymentEvent>[1]["kind"],
  eventId = `evt_test_${Date.now()}_${eventCounter++}`,
) {
  return applyPaymentEvent(deps, {
    provider: "TEST",
    eventId,
    type: `test.${String(kind).toLowerCase()}`,
    kind,
    purchaseId,
    now: new Date(),
    summary: { kind },
  });
}

describe("checkout and fulfilment through the test provider", () => {
  it("turns a purchase into exactly one active license, a receipt and audit rows", async () => {
    const { user, product, purchaseId, redirectTo } = await pendingPurchase({
      licenseType: "TEAM",
      productOverrides: { teamSeats: 4, licenseDurationMonths: 12 },
    });
    expect(redirectTo).toBe(`/checkout/test/${purchaseId}`);
    expect(await purchaseRow(purchaseId)).toMatchObject({
      status: "PENDING",
      provider: "TEST",
      amountCents: 19900,
      currency: "USD",
      licenseType: "TEAM",
    });
    expect(await licensesOf(purchaseId)).toHaveLength(0);

    const result = await settleTestCheckout(deps, {
      purchaseId,
      outcome: "succeed",
      now: new Date(),
    });
    expect(result).toMatchObject({ status: "processed", from: "PENDING", to: "COMPLETED" });

    const purchase = await purchaseRow(purchaseId);
    expect(purchase.status).toBe("COMPLETED");
    expect(purchase.completedAt).toBeInstanceOf(Date);
    const [license, ...others] = await licensesOf(purchaseId);
    expect(others).toHaveLength(0);
    expect(license).toMatchObject({
      userId: user.id,
      productId: product.id,
      licenseType: "TEAM",
      status: "ACTIVE",
      maxUsers: 4,
    });
    expect(license!.expiresAt).toBeInstanceOf(Date);
    expect(await purchaseCount(product.id)).toBe(1);
    expect(await auditActions(purchaseId)).toEqual(
      expect.arrayContaining(["PURCHASE_STARTED", "PURCHASE_COMPLETED"]),
    );
    expect(await auditActions(license!.id)).toEqual(["LICENSE_ISSUED"]);
    const mail = await db.select().from(emailOutbox).where(eq(emailOutbox.toEmail, user.email));
    expect(mail.map((email) => email.template)).toEqual(["purchase-receipt"]);
    expect(mail[0]!.bodyText).toContain("$199.00");
    const [event] = await db
      .select()
      .from(paymentEvents)
      .where(eq(paymentEvents.purchaseId, purchaseId));
    expect(event).toMatchObject({ provider: "TEST", status: "PROCESSED" });
  });

  it("charges the price of the moment of purchase, even if the product price changes", async () => {
    const { product, purchaseId } = await pendingPurchase({ licenseType: "COMMERCIAL" });
    await db
      .update(digitalProducts)
      .set({ priceCommercialCents: 12345, currency: "EUR" })
      .where(eq(digitalProducts.id, product.id));
    await settleTestCheckout(deps, { purchaseId, outcome: "succeed", now: new Date() });
    expect(await purchaseRow(purchaseId)).toMatchObject({
      status: "COMPLETED",
      amountCents: 7900,
      currency: "USD",
    });
  });

  it("refuses unknown and unpublished products and license types the product doesn't offer", async () => {
    const user = await createUser(db);
    const buyer = { id: user.id, role: user.role, email: user.email };
    const base = { user: buyer, origin: "https://store.example", now: new Date() };
    await expect(
      startCheckout(deps, { ...base, slug: "no-such-product", licenseType: "PERSONAL" }),
    ).rejects.toMatchObject({ refusal: { kind: "not-found", reason: "product-unavailable" } });
    const draft = await createProduct({ db, files: env.FILES }, { status: "DRAFT" });
    await expect(
      startCheckout(deps, { ...base, slug: draft.slug, licenseType: "PERSONAL" }),
    ).rejects.toBeInstanceOf(RefusalError);
    const personalOnly = await createProduct(
      { db, files: env.FILES },
      { priceCommercialCents: null, priceTeamCents: null },
    );
    await expect(
      startCheckout(deps, { ...base, slug: personalOnly.slug, licenseType: "TEAM" }),
    ).rejects.toMatchObject({ refusal: { kind: "invalid", reason: "license-type-not-offered" } });
    expect(
      await db
        .select()
        .from(digitalProductPurchases)
        .where(eq(digitalProductPurchases.userId, user.id)),
    ).toHaveLength(0);
  });

  it("a failed test payment fails the purchase without a license", async () => {
    const { product, purchaseId } = await pendingPurchase();
    const result = await settleTestCheckout(deps, { purchaseId, outcome: "fail", now: new Date() });
    expect(result).toMatchObject({ status: "processed", to: "FAILED" });
    expect(await purchaseRow(purchaseId)).toMatchObject({ status: "FAILED" });
    expect(await licensesOf(purchaseId)).toHaveLength(0);
    expect(await purchaseCount(product.id)).toBe(0);
    expect(await auditActions(purchaseId)).toContain("PURCHASE_FAILED");
  });
});

describe("idempotency", () => {
  it("the same event twice issues one license and counts the sale once", async () => {
    const { product, purchaseId } = await pendingPurchase();
    const first = await testEvent(purchaseId, "PAYMENT_SUCCEEDED", `evt_dup_${purchaseId}`);
    const second = await testEvent(purchaseId, "PAYMENT_SUCCEEDED", `evt_dup_${purchaseId}`);
    expect(first.status).toBe("processed");
    expect(second).toEqual({ status: "duplicate" });
    expect(await licensesOf(purchaseId)).toHaveLength(1);
    expect(await purchaseCount(product.id)).toBe(1);
    expect(
      await db.select().from(paymentEvents).where(eq(paymentEvents.purchaseId, purchaseId)),
    ).toHaveLength(1);
  });

  it("two copies of an event in parallel issue one license", async () => {
    const { user, product, purchaseId } = await pendingPurchase();
    const results = await Promise.all([
      testEvent(purchaseId, "PAYMENT_SUCCEEDED", `evt_par_${purchaseId}`),
      testEvent(purchaseId, "PAYMENT_SUCCEEDED", `evt_par_${purchaseId}`),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(["duplicate", "processed"]);
    expect(await licensesOf(purchaseId)).toHaveLength(1);
    expect(await purchaseCount(product.id)).toBe(1);
    const mail = await db.select().from(emailOutbox).where(eq(emailOutbox.toEmail, user.email));
    expect(mail).toHaveLength(1);
  });

  it("two different success events in parallel still complete the sale once", async () => {
    const { product, purchaseId } = await pendingPurchase();
    const results = await Promise.all([
      testEvent(purchaseId, "PAYMENT_SUCCEEDED"),
      testEvent(purchaseId, "PAYMENT_SUCCEEDED"),
      testEvent(purchaseId, "PAYMENT_SUCCEEDED"),
    ]);
    expect(results.filter((result) => result.status === "processed")).toHaveLength(1);
    expect(results.filter((result) => result.status === "ignored")).toHaveLength(2);
    expect(await licensesOf(purchaseId)).toHaveLength(1);
    expect(await purchaseCount(product.id)).toBe(1);
    const actions = await auditActions(purchaseId);
    expect(actions.filter((action) => action === "PURCHASE_COMPLETED")).toHaveLength(1);
  });
});

describe("refunds and disputes", () => {
  it("a refund before completion leaves no license, even when the completion comes later", async () => {
    const { product, purchaseId } = await pendingPurchase();
    expect(await testEvent(purchaseId, "REFUNDED")).toMatchObject({
      status: "processed",
      to: "FAILED",
    });
    expect(await testEvent(purchaseId, "PAYMENT_SUCCEEDED")).toMatchObject({ status: "ignored" });
    const purchase = await purchaseRow(purchaseId);
    expect(purchase.status).toBe("FAILED");
    expect(purchase.refundedAt).toBeInstanceOf(Date);
    expect(await licensesOf(purchaseId)).toHaveLength(0);
    expect(await purchaseCount(product.id)).toBe(0);
  });

  it("a refund and a completion racing never leave an active license", async () => {
    const { purchaseId } = await pendingPurchase();
    await Promise.all([
      testEvent(purchaseId, "PAYMENT_SUCCEEDED"),
      testEvent(purchaseId, "REFUNDED"),
    ]);
    const active = await db
      .select()
      .from(licenses)
      .where(and(eq(licenses.purchaseId, purchaseId), eq(licenses.status, "ACTIVE")));
    expect(active).toHaveLength(0);
    expect(["FAILED", "REFUNDED"]).toContain((await purchaseRow(purchaseId)).status);
  });

  it("a refund revokes the license", async () => {
    const { purchaseId } = await pendingPurchase();
    await testEvent(purchaseId, "PAYMENT_SUCCEEDED");
    expect(await testEvent(purchaseId, "REFUNDED")).toMatchObject({ to: "REFUNDED" });
    const purchase = await purchaseRow(purchaseId);
    expect(purchase.status).toBe("REFUNDED");
    expect(purchase.refundedAt).toBeInstanceOf(Date);
    const [license] = await licensesOf(purchaseId);
    expect(license).toMatchObject({ status: "REVOKED", statusReason: "Purchase refunded" });
    expect(license!.revokedAt).toBeInstanceOf(Date);
    expect(await auditActions(license!.id)).toEqual(["LICENSE_ISSUED", "LICENSE_REVOKED"]);
    expect(await auditActions(purchaseId)).toContain("PURCHASE_REFUNDED");
  });

  it("a dispute suspends the license; winning it reinstates it", async () => {
    const { purchaseId } = await pendingPurchase();
    await testEvent(purchaseId, "PAYMENT_SUCCEEDED");
    await applyPaymentEvent(deps, {
      provider: "TEST",
      eventId: `evt_dispute_${purchaseId}`,
      type: "test.dispute_opened",
      kind: "DISPUTE_OPENED",
      purchaseId,
      disputeId: "dp_test_1",
      now: new Date(),
      summary: {},
    });
    expect(await purchaseRow(purchaseId)).toMatchObject({
      status: "DISPUTED",
      providerDisputeId: "dp_test_1",
    });
    expect((await licensesOf(purchaseId))[0]).toMatchObject({ status: "SUSPENDED" });

    await testEvent(purchaseId, "DISPUTE_WON");
    expect(await purchaseRow(purchaseId)).toMatchObject({ status: "COMPLETED" });
    const [license] = await licensesOf(purchaseId);
    expect(license).toMatchObject({ status: "ACTIVE" });
    expect(await auditActions(license!.id)).toEqual([
      "LICENSE_ISSUED",
      "LICENSE_SUSPENDED",
      "LICENSE_REINSTATED",
    ]);
  });

  it("losing a dispute revokes the license", async () => {
    const { purchaseId } = await pendingPurchase();
    await testEvent(purchaseId, "PAYMENT_SUCCEEDED");
    await testEvent(purchaseId, "DISPUTE_OPENED");
    await testEvent(purchaseId, "DISPUTE_LOST");
    expect(await purchaseRow(purchaseId)).toMatchObject({ status: "REFUNDED" });
    expect((await licensesOf(purchaseId))[0]).toMatchObject({
      status: "REVOKED",
      statusReason: "Dispute lost",
    });
  });

  it("records events it cannot act on as IGNORED", async () => {
    const result = await applyPaymentEvent(deps, {
      provider: "TEST",
      eventId: `evt_unknown_${Date.now()}`,
      type: "test.something_else",
      kind: null,
      now: new Date(),
      summary: {},
    });
    expect(result).toMatchObject({ status: "ignored" });
  });
});
