import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { digitalProductPurchases, membershipCheckouts, membershipInvoices } from "#db/schema";
import { listBilling } from "~/services/billing.server";
import { createMembership, createProduct, createUser } from "../../factories";
import { ORIGIN, sessionCookieFor } from "../../helpers/session";

/** Issue 15 item 6: /account/billing lists every payment; receipts only for the payer. */

const db = createDb(env.DB);

const get = (path: string, cookie?: string) =>
  SELF.fetch(`${ORIGIN}${path}`, { redirect: "manual", headers: cookie ? { Cookie: cookie } : {} });

/** A buyer with one payment of every kind, at known days (day 1 oldest). */
async function buyerWithHistory() {
  const user = await createUser(db, { name: "Billing Buyer" });
  const product = await createProduct({ db, files: env.FILES }, { name: "Billing Kit" });
  const membership = await createMembership(db, { userId: user.id });
  const at = (day: number) => new Date(Date.UTC(2026, 0, day, 12));
  const purchase = (day: number, status: "COMPLETED" | "REFUNDED" | "PENDING") =>
    db
      .insert(digitalProductPurchases)
      .values({
        userId: user.id,
        productId: product.id,
        licenseType: "COMMERCIAL",
        amountCents: 2900,
        currency: "USD",
        status,
        provider: "TEST",
        completedAt: status === "PENDING" ? null : at(day),
        refundedAt: status === "REFUNDED" ? at(day + 1) : null,
        createdAt: at(day),
      })
      .returning()
      .then((rows) => rows[0]!);
  const checkout = (
    day: number,
    kind: "SUBSCRIPTION" | "CREDIT_PACK",
    status: "COMPLETED" | "FAILED" | "REFUNDED",
  ) =>
    db
      .insert(membershipCheckouts)
      .values({
        userId: user.id,
        kind,
        tier: kind === "SUBSCRIPTION" ? "PRO" : null,
        pack: kind === "CREDIT_PACK" ? "pack-25" : null,
        credits: kind === "SUBSCRIPTION" ? 40 : 25,
        amountCents: kind === "SUBSCRIPTION" ? 4900 : 5500,
        currency: "USD",
        status,
        provider: "TEST",
        membershipId: membership.id,
        failureReason: status === "FAILED" ? "Card declined" : null,
        completedAt: status === "FAILED" ? null : at(day),
        refundedAt: status === "REFUNDED" ? at(day + 2) : null,
        refundedCredits: status === "REFUNDED" ? 18 : null,
        createdAt: at(day),
      })
      .returning()
      .then((rows) => rows[0]!);
  const invoice = (day: number, status: "PAID" | "FAILED") =>
    db
      .insert(membershipInvoices)
      .values({
        membershipId: membership.id,
        userId: user.id,
        kind: "RENEWAL",
        tier: "PRO",
        status,
        amountCents: 4900,
        currency: "USD",
        provider: "TEST",
        providerInvoiceId: `in_${crypto.randomUUID()}`,
        periodStart: at(day),
        periodEnd: at(day + 30),
        failureReason: status === "FAILED" ? "Insufficient funds" : null,
        createdAt: at(day),
      })
      .returning()
      .then((rows) => rows[0]!);

  const rows = {
    subscription: await checkout(1, "SUBSCRIPTION", "COMPLETED"),
    purchase: await purchase(2, "COMPLETED"),
    refundedPurchase: await purchase(3, "REFUNDED"),
    refundedPack: await checkout(4, "CREDIT_PACK", "REFUNDED"),
    failedPack: await checkout(5, "CREDIT_PACK", "FAILED"),
    renewal: await invoice(6, "PAID"),
    failedRenewal: await invoice(7, "FAILED"),
    pending: await purchase(8, "PENDING"),
  };
  return { user, rows, cookie: await sessionCookieFor(user.id) };
}

describe("/account/billing", () => {
  it("lists every payment of its owner, newest first, with amounts, statuses and receipt links", async () => {
    const { rows, cookie } = await buyerWithHistory();
    const other = await buyerWithHistory();

    const response = await get("/account/billing", cookie);
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("private, no-store");
    const html = await response.text();
    const listed = [...html.matchAll(/data-receipt="([a-z]+-[a-z0-9]+)"/g)].map((m) => m[1]);
    expect(listed).toEqual([
      `invoice-${rows.failedRenewal.id}`,
      `invoice-${rows.renewal.id}`,
      `checkout-${rows.failedPack.id}`,
      `checkout-${rows.refundedPack.id}`,
      `purchase-${rows.refundedPurchase.id}`,
      `purchase-${rows.purchase.id}`,
      `checkout-${rows.subscription.id}`,
    ]);
    // Nobody else's, and no checkout that was never paid.
    for (const id of Object.values(other.rows).map((row) => row.id)) expect(html).not.toContain(id);
    expect(html).not.toContain(rows.pending.id);

    expect(html).toContain("$29.00");
    expect(html).toContain("$49.00");
    expect(html).toContain("$55.00");
    expect(html).toContain("Pro membership renewal");
    expect(html).toContain("Credit pack: 25 credits");
    expect(html).toContain("Billing Kit");
    expect(html).toContain("Refunded on");
    expect(html).toContain("18 credits taken back");
    expect(html).toContain("Card declined");
    // Receipts for paid ones only.
    expect(html).toContain(`href="/account/billing/invoice-${rows.renewal.id}"`);
    expect(html).toContain(`href="/account/billing/purchase-${rows.purchase.id}"`);
    expect(html).toContain(`href="/account/billing/checkout-${rows.refundedPack.id}"`);
    expect(html).not.toContain(`href="/account/billing/invoice-${rows.failedRenewal.id}"`);
    expect(html).not.toContain(`href="/account/billing/checkout-${rows.failedPack.id}"`);
  });

  it("pages with a keyset cursor without losing or repeating a payment", async () => {
    const { user, rows } = await buyerWithHistory();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof listBilling>> = await listBilling(db, user.id, {
        cursor,
        limit: 3,
      });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((item) => item.receiptId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    expect(seen[0]).toBe(`invoice-${rows.failedRenewal.id}`);
    expect(seen.at(-1)).toBe(`checkout-${rows.subscription.id}`);
  });

  it("shows an empty state, and is linked from the account navigation and purchases", async () => {
    const user = await createUser(db);
    const cookie = await sessionCookieFor(user.id);
    const html = await (await get("/account/billing", cookie)).text();
    expect(html).toContain("No payments yet");
    const purchases = await (await get("/account/purchases", cookie)).text();
    expect(purchases).toContain('href="/account/billing"');
  });

  it("needs a logged-in user", async () => {
    const response = await get("/account/billing");
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(/^\/login/);
  });
});

describe("receipts", () => {
  it("prints a product purchase for its payer: seller, buyer, item, terms, amount, number", async () => {
    const { user, rows, cookie } = await buyerWithHistory();
    const response = await get(`/account/billing/purchase-${rows.purchase.id}`, cookie);
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("private, no-store");
    const html = await response.text();
    expect(html).toContain("Studio Store");
    expect(html).toContain(user.email);
    expect(html).toContain("Billing Buyer");
    expect(html).toContain("Billing Kit");
    expect(html).toContain("Commercial license: for client work");
    expect(html).toContain("$29.00");
    expect(html).toContain("USD");
    expect(html).toContain(`P-${rows.purchase.id.toUpperCase()}`);
    expect(html).toContain(">Print</button>");
    expect(html).toMatch(/receipt[^"]*\.css/);
  });

  it("shows a refunded pack's refund and a renewal's period", async () => {
    const { rows, cookie } = await buyerWithHistory();
    const pack = await (
      await get(`/account/billing/checkout-${rows.refundedPack.id}`, cookie)
    ).text();
    expect(pack).toContain("Refunded");
    expect(pack).toContain("18 credits left the balance");
    expect(pack).toContain(`M-${rows.refundedPack.id.toUpperCase()}`);
    const renewal = await (await get(`/account/billing/invoice-${rows.renewal.id}`, cookie)).text();
    expect(renewal).toContain("Pro membership renewal");
    expect(renewal).toContain("Period");
    expect(renewal).toContain("40 credits every 30 days");
  });

  it("is a 404 for anybody else, a failed payment, and a made-up id", async () => {
    const { rows } = await buyerWithHistory();
    const stranger = await sessionCookieFor((await createUser(db)).id);
    for (const id of [
      `purchase-${rows.purchase.id}`,
      `checkout-${rows.subscription.id}`,
      `invoice-${rows.renewal.id}`,
    ]) {
      expect((await get(`/account/billing/${id}`, stranger)).status, id).toBe(404);
    }
    const { cookie } = await buyerWithHistory();
    const own = await buyerWithHistory();
    expect(
      (await get(`/account/billing/checkout-${own.rows.failedPack.id}`, own.cookie)).status,
    ).toBe(404);
    expect(
      (await get(`/account/billing/invoice-${own.rows.failedRenewal.id}`, own.cookie)).status,
    ).toBe(404);
    expect((await get("/account/billing/refund-abc", cookie)).status).toBe(404);
    expect((await get("/account/billing/purchase-nosuchid", cookie)).status).toBe(404);
  });
});
