import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { and, asc, eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import {
  auditLogs,
  creditTransactions,
  membershipCheckouts,
  memberships,
  paymentEvents,
} from "#db/schema";
import { parseEnv } from "~/lib/env.server";
import { startMembershipCheckout } from "~/services/membership-checkout.server";
import {
  handleStripeEvent,
  signStripePayload,
  verifyStripeEvent,
} from "~/services/stripe-webhook.server";
import { createMembership, createUser } from "../../factories";
import { ORIGIN, postForm, sessionCookieFor } from "../../helpers/session";

/** Subscribing, topping up and the member's page (issue 6), with the test provider and Stripe events. */

const db = createDb(env.DB);
const appEnv = parseEnv(env);
const SECRET = "whsec_test_secret_for_signatures_0123456789";

async function member(overrides: Parameters<typeof createUser>[1] = {}) {
  const user = await createUser(db, overrides);
  return { user, cookie: await sessionCookieFor(user.id) };
}

async function submit(path: string, fields: Record<string, string>, cookie?: string) {
  const request = postForm(path, fields, { cookie });
  return SELF.fetch(`${ORIGIN}${request.path}`, request.init);
}

const get = (path: string, cookie?: string) =>
  SELF.fetch(`${ORIGIN}${path}`, { redirect: "manual", headers: cookie ? { Cookie: cookie } : {} });

const ledgerOf = (membershipId: string) =>
  db
    .select()
    .from(creditTransactions)
    .where(eq(creditTransactions.membershipId, membershipId))
    .orderBy(asc(sql`rowid`));

const membershipOf = async (userId: string) =>
  (await db.select().from(memberships).where(eq(memberships.userId, userId)))[0];

describe("subscribing with the test provider", () => {
  it("subscribes: pricing → checkout → test page → paid → membership, allocation, audit", async () => {
    const pricing = await get("/pricing");
    expect(pricing.status).toBe(200);
    expect(pricing.headers.get("Cache-Control")).toMatch(/public/);
    const pricingHtml = await pricing.text();
    expect(pricingHtml).toContain("Compare the tiers");
    expect(pricingHtml).toContain("Rollover cap");

    const { user, cookie } = await member();
    const started = await submit("/checkout/membership", { tier: "PRO" }, cookie);
    expect(started.status).toBe(302);
    const location = started.headers.get("Location")!;
    expect(location).toMatch(/^\/checkout\/test\/membership\/[a-z0-9]+$/);
    const page = await get(location, cookie);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Pay (test)");

    const paid = await submit(location, { outcome: "succeed" }, cookie);
    expect(paid.status).toBe(302);
    expect(paid.headers.get("Location")).toBe("/account/membership");

    const membership = await membershipOf(user.id);
    expect(membership).toMatchObject({
      tier: "PRO",
      status: "ACTIVE",
      totalCredits: 40,
      usedCredits: 0,
    });
    const rows = await ledgerOf(membership!.id);
    expect(rows.map((row) => [row.type, row.amount, row.balance])).toEqual([
      ["INITIAL_ALLOCATION", 40, 40],
    ]);
    const created = await db
      .select()
      .from(auditLogs)
      .where(
        and(eq(auditLogs.entityId, membership!.id), eq(auditLogs.action, "MEMBERSHIP_CREATED")),
      );
    expect(created).toHaveLength(1);

    // Paying the same checkout again is refused as settled: still one row.
    const again = await submit(location, { outcome: "succeed" }, cookie);
    expect(again.status).toBe(302);
    expect(await ledgerOf(membership!.id)).toHaveLength(1);

    const account = await get("/account/membership", cookie);
    expect(account.status).toBe(200);
    expect(await account.text()).toContain("40 credits");
    const history = await get("/account/membership/credits", cookie);
    expect(history.status).toBe(200);
    const html = await history.text();
    expect(html).toContain("Credits over time");
    expect(html).toContain('<title id="credits-chart-title">Credits over time</title>');
    expect(html).toContain("Initial allocation");
  });

  it("tops up a member's credits with a credit pack", async () => {
    const { user, cookie } = await member();
    const membership = await createMembership(db, {
      userId: user.id,
      tier: "BASIC_ACCESS",
      credits: 10,
    });
    const started = await submit("/checkout/credits", { pack: "pack-25" }, cookie);
    expect(started.status).toBe(302);
    const paid = await submit(started.headers.get("Location")!, { outcome: "succeed" }, cookie);
    expect(paid.status).toBe(302);
    const rows = await ledgerOf(membership.id);
    expect(rows.map((row) => [row.type, row.amount, row.balance])).toEqual([
      ["INITIAL_ALLOCATION", 10, 10],
      ["TOP_UP", 25, 35],
    ]);
    expect(rows.map((row) => row.paidBalance)).toEqual([0, 25]);
    expect(await membershipOf(user.id)).toMatchObject({ totalCredits: 35, paidCredits: 25 });
    // The member's page keeps the bought credits apart from what the rollover cap applies to
    // (ADR 0010): 10 period credits, cap 5 → 5 roll over; the 25 bought ones stay whole.
    const page = await (await get("/account/membership", cookie)).text();
    expect(page).toMatch(/Bought credits \(never expire\)<\/dt><dd[^>]*>25 credits/);
    expect(page).toMatch(/Rolls over at renewal<\/dt><dd[^>]*>5 credits/);
    expect(page).toContain("for 40 in total");
  });

  it("refuses a second subscription, a pack without a membership, and a minor without consent", async () => {
    const { user, cookie } = await member();
    await createMembership(db, { userId: user.id });
    expect((await submit("/checkout/membership", { tier: "PRO" }, cookie)).status).toBe(409);
    const stranger = await member();
    expect((await submit("/checkout/credits", { pack: "pack-10" }, stranger.cookie)).status).toBe(
      409,
    );
    expect((await submit("/checkout/membership", { tier: "GOLD" }, stranger.cookie)).status).toBe(
      400,
    );
    const minor = await member({
      birthDate: "2011-01-01",
      isMinor: true,
      guardianEmail: "parent@example.test",
    });
    expect((await submit("/checkout/membership", { tier: "PRO" }, minor.cookie)).status).toBe(403);
    const checkouts = await db
      .select()
      .from(membershipCheckouts)
      .where(
        sql`${membershipCheckouts.userId} in (${user.id}, ${stranger.user.id}, ${minor.user.id})`,
      );
    expect(checkouts).toHaveLength(0);
  });

  it("turns auto-renew off and on from the member's page", async () => {
    const { user, cookie } = await member();
    await createMembership(db, { userId: user.id });
    const off = await submit(
      "/account/membership",
      { intent: "auto-renew", autoRenew: "off" },
      cookie,
    );
    expect(off.status).toBe(302);
    expect(await membershipOf(user.id)).toMatchObject({ autoRenew: false });
    expect(await (await get("/account/membership", cookie)).text()).toContain("Turn on auto-renew");
    await submit("/account/membership", { intent: "auto-renew", autoRenew: "on" }, cookie);
    expect(await membershipOf(user.id)).toMatchObject({ autoRenew: true, cancelledAt: null });
  });

  it("hides another user's membership checkout", async () => {
    const { cookie } = await member();
    const started = await submit("/checkout/membership", { tier: "BASIC_ACCESS" }, cookie);
    const location = started.headers.get("Location")!;
    const stranger = await member();
    expect((await get(location, stranger.cookie)).status).toBe(404);
    expect((await submit(location, { outcome: "succeed" }, stranger.cookie)).status).toBe(404);
  });
});

// ---- Stripe events ------------------------------------------------------------------------------

function stripeEvent(
  type: string,
  object: Record<string, unknown>,
  id = `evt_${crypto.randomUUID()}`,
) {
  return {
    id,
    object: "event",
    api_version: "2025-01-27",
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

async function deliver(event: object, now = new Date()) {
  const payload = JSON.stringify(event);
  const signature = await signStripePayload(payload, SECRET);
  const verified = await verifyStripeEvent(payload, signature, SECRET, now);
  if (!verified.ok) throw new Error(verified.reason);
  return handleStripeEvent({ db, env: appEnv }, verified.event, now);
}

async function stripeSubscriptionCheckout() {
  const user = await createUser(db);
  let params: Stripe.Checkout.SessionCreateParams | undefined;
  const sessionId = `cs_test_${crypto.randomUUID().replaceAll("-", "")}`;
  const fakeStripe = {
    checkout: {
      sessions: {
        create: async (input: Stripe.Checkout.SessionCreateParams) => {
          params = input;
          return { id: sessionId, url: `https://checkout.stripe.com/c/pay/${sessionId}` };
        },
      },
    },
  } as unknown as Pick<Stripe, "checkout">;
  const started = await startMembershipCheckout(
    { db, env: appEnv, stripe: fakeStripe },
    {
      user: { id: user.id, role: user.role, email: user.email },
      item: { kind: "SUBSCRIPTION", tier: "MANAGED" },
      origin: ORIGIN,
      now: new Date(),
    },
  );
  return { user, sessionId, params: params!, ...started };
}

describe("Stripe subscription events", () => {
  it("opens Checkout in subscription mode with the tier's price and period", async () => {
    const { params, checkoutId, redirectTo } = await stripeSubscriptionCheckout();
    expect(redirectTo).toMatch(/^https:\/\/checkout\.stripe\.com\//);
    expect(params.mode).toBe("subscription");
    expect(params.metadata).toEqual({ membershipCheckoutId: checkoutId });
    expect(params.line_items?.[0]?.price_data).toMatchObject({
      unit_amount: 12900,
      currency: "usd",
      recurring: { interval: "day", interval_count: 30 },
    });
  });

  it("creates one membership for a checkout event delivered twice and in parallel", async () => {
    const { user, sessionId, checkoutId } = await stripeSubscriptionCheckout();
    const subscriptionId = `sub_${crypto.randomUUID().replaceAll("-", "")}`;
    const completed = stripeEvent("checkout.session.completed", {
      id: sessionId,
      object: "checkout.session",
      mode: "subscription",
      payment_status: "paid",
      client_reference_id: checkoutId,
      metadata: { membershipCheckoutId: checkoutId },
      subscription: subscriptionId,
      amount_total: 12900,
      currency: "usd",
    });
    const results = await Promise.all([deliver(completed), deliver(completed), deliver(completed)]);
    expect(results.filter((result) => result.status === "processed")).toHaveLength(1);
    expect(results.filter((result) => result.status === "duplicate")).toHaveLength(2);
    expect((await deliver(completed)).status).toBe("duplicate");

    const membership = await membershipOf(user.id);
    expect(membership).toMatchObject({
      tier: "MANAGED",
      totalCredits: 120,
      providerSubscriptionId: subscriptionId,
    });
    expect(await ledgerOf(membership!.id)).toHaveLength(1);
    const events = await db
      .select()
      .from(paymentEvents)
      .where(eq(paymentEvents.membershipCheckoutId, checkoutId));
    expect(events).toHaveLength(1);
    const [checkout] = await db
      .select()
      .from(membershipCheckouts)
      .where(eq(membershipCheckouts.id, checkoutId));
    expect(checkout).toMatchObject({ status: "COMPLETED", membershipId: membership!.id });

    // invoice.paid for the next period moves paid_through; a redelivery changes nothing more.
    const nextEnd = Math.floor(membership!.currentPeriodEnd.getTime() / 1000) + 30 * 86_400;
    const invoice = stripeEvent("invoice.paid", {
      id: `in_${crypto.randomUUID().replaceAll("-", "")}`,
      object: "invoice",
      amount_paid: 12900,
      currency: "usd",
      parent: {
        type: "subscription_details",
        subscription_details: { subscription: subscriptionId },
      },
      lines: { data: [{ period: { start: nextEnd - 30 * 86_400, end: nextEnd } }] },
    });
    expect((await deliver(invoice)).status).toBe("processed");
    expect((await deliver(invoice)).status).toBe("duplicate");
    expect((await membershipOf(user.id))!.paidThrough!.getTime()).toBe(nextEnd * 1000);

    // Cancellation turns auto-renew off; the period runs out.
    const deleted = stripeEvent("customer.subscription.deleted", {
      id: subscriptionId,
      object: "subscription",
      status: "canceled",
      cancel_at_period_end: false,
    });
    expect((await deliver(deleted)).status).toBe("processed");
    expect(await membershipOf(user.id)).toMatchObject({ autoRenew: false, status: "ACTIVE" });
  });

  it("records an event for an unknown subscription as IGNORED", async () => {
    const event = stripeEvent("customer.subscription.deleted", {
      id: "sub_unknown_0001",
      object: "subscription",
      status: "canceled",
      cancel_at_period_end: false,
    });
    expect((await deliver(event)).status).toBe("ignored");
    const [row] = await db.select().from(paymentEvents).where(eq(paymentEvents.eventId, event.id));
    expect(row).toMatchObject({ status: "IGNORED" });
  });
});

describe("/admin/memberships", () => {
  async function admin() {
    const user = await createUser(
      db,
      { role: "ADMIN", twoFactorSecret: "JBSWY3DPEHPK3PXP" },
      { encryptionKeys: appEnv.encryptionKeys },
    );
    return sessionCookieFor(user.id, { twoFactorVerified: true });
  }

  it("lists, shows the ledger check, adjusts credits once per form and assigns a tier", async () => {
    const cookie = await admin();
    const { user } = await member();
    const membership = await createMembership(db, { userId: user.id, tier: "PRO", credits: 40 });

    const list = await get(
      `/admin/memberships?q=${encodeURIComponent(user.email)}&tier=PRO`,
      cookie,
    );
    expect(list.status).toBe(200);
    expect(await list.text()).toContain(user.email);

    const detail = await get(`/admin/memberships/${membership.id}`, cookie);
    expect(detail.status).toBe(200);
    expect(await detail.text()).toContain("consistent (1 row)");

    const fields = {
      intent: "adjust",
      amount: "-15",
      reason: "Goodwill correction",
      token: "adjusttoken0001",
    };
    const adjusted = await submit(`/admin/memberships/${membership.id}`, fields, cookie);
    expect(adjusted.status).toBe(302);
    await submit(`/admin/memberships/${membership.id}`, fields, cookie);
    const rows = await ledgerOf(membership.id);
    expect(rows.map((row) => [row.type, row.amount, row.balance])).toEqual([
      ["INITIAL_ALLOCATION", 40, 40],
      ["ADJUSTMENT", -15, 25],
    ]);

    const tooMuch = await submit(
      `/admin/memberships/${membership.id}`,
      { ...fields, amount: "-100", token: "adjusttoken0002" },
      cookie,
    );
    expect(tooMuch.status).toBe(409);
    const noReason = await submit(
      `/admin/memberships/${membership.id}`,
      { ...fields, reason: "" },
      cookie,
    );
    expect(noReason.status).toBe(400);

    const tier = await submit(
      `/admin/memberships/${membership.id}`,
      { intent: "assign-tier", tier: "MANAGED", reason: "Upgrade agreed by email" },
      cookie,
    );
    expect(tier.status).toBe(302);
    expect(await membershipOf(user.id)).toMatchObject({ tier: "MANAGED", totalCredits: 25 });
    const history = await db.select().from(auditLogs).where(eq(auditLogs.entityId, membership.id));
    expect(history.map((row) => row.action).sort()).toEqual([
      "CREDITS_ADJUSTED",
      "MEMBERSHIP_TIER_CHANGED",
    ]);
  });
});
