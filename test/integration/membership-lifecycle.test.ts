import { env } from "cloudflare:test";
import { and, asc, eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import {
  auditLogs,
  creditTransactions,
  emailOutbox,
  membershipInvoices,
  memberships,
  type MembershipTier,
} from "#db/schema";
import { GRACE_PERIOD_MS, proratedUpgradeCents } from "~/domain/memberships/lifecycle";
import { renewMembershipsJob } from "~/jobs/renew-memberships";
import { parseEnv } from "~/lib/env.server";
import { spend } from "~/services/ledger.server";
import {
  settleTestMembershipCheckout,
  startMembershipCheckout,
} from "~/services/membership-checkout.server";
import {
  cancelDowngrade,
  changeTier,
  getTestUpgradeQuote,
  pauseMembership,
  payDueTestRenewals,
  resumeMembership,
  settleTestUpgrade,
  simulateTestRenewal,
} from "~/services/membership-lifecycle.server";
import {
  handleStripeEvent,
  signStripePayload,
  verifyStripeEvent,
} from "~/services/stripe-webhook.server";
import { createMembership, createUser } from "../factories";

/** Tier changes, pause, failed payments and the test provider's renewals (issue 15). */

const db = createDb(env.DB);
const appEnv = parseEnv(env);
const SECRET = "whsec_test_secret_for_signatures_0123456789";
const DAY = 86_400_000;

/** The hourly renewal cron (resumes ended pauses, then renews, waits or expires). */
const renewalCron = (now: Date) => renewMembershipsJob.run({ db, env: appEnv, bindings: env, now });

const ledgerOf = (membershipId: string) =>
  db
    .select()
    .from(creditTransactions)
    .where(eq(creditTransactions.membershipId, membershipId))
    .orderBy(asc(sql`rowid`));

const membershipRow = async (id: string) =>
  (await db.select().from(memberships).where(eq(memberships.id, id)))[0]!;

const invoicesOf = (membershipId: string) =>
  db.select().from(membershipInvoices).where(eq(membershipInvoices.membershipId, membershipId));

const emailsTo = (to: string, template: string) =>
  db
    .select()
    .from(emailOutbox)
    .where(and(eq(emailOutbox.toEmail, to), eq(emailOutbox.template, template)));

const auditsOf = (membershipId: string, action: string) =>
  db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.entityId, membershipId), sql`${auditLogs.action} = ${action}`));

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

/** A Stripe-backed membership, `daysIn` days into its first 30-day period. */
async function stripeMember(tier: MembershipTier, credits: number, daysIn = 10) {
  const user = await createUser(db);
  const now = new Date();
  const membership = await createMembership(db, {
    userId: user.id,
    tier,
    credits,
    periodStart: new Date(now.getTime() - daysIn * DAY),
  });
  const subscriptionId = `sub_${crypto.randomUUID().replaceAll("-", "")}`;
  await db
    .update(memberships)
    .set({ providerSubscriptionId: subscriptionId })
    .where(eq(memberships.id, membership.id));
  return { user, membership, subscriptionId, now };
}

const lifecycleUser = (user: { id: string; role: "CLIENT" | string; email: string }) =>
  ({ id: user.id, role: user.role, email: user.email }) as Parameters<typeof changeTier>[1]["user"];

/** A fake Stripe that records subscription updates. */
function fakeStripe() {
  const updates: Array<{ id: string; params: Stripe.SubscriptionUpdateParams }> = [];
  const stripe = {
    subscriptions: {
      retrieve: async (id: string) => ({
        id,
        items: { data: [{ id: "si_test_1", price: { product: "prod_test_1" } }] },
      }),
      update: async (id: string, params: Stripe.SubscriptionUpdateParams) => {
        updates.push({ id, params });
        return { id };
      },
    },
  } as unknown as Pick<Stripe, "subscriptions">;
  return { stripe, updates };
}

describe("upgrades", () => {
  it("prorates the price difference over the part of the period left, in whole cents", () => {
    const periodStart = new Date("2026-01-01T00:00:00Z");
    const periodEnd = new Date(periodStart.getTime() + 30 * DAY);
    const at = (days: number) => new Date(periodStart.getTime() + days * DAY);
    const quote = (days: number) =>
      proratedUpgradeCents({
        from: "BASIC_ACCESS",
        to: "PRO",
        periodStart,
        periodEnd,
        now: at(days),
      });
    expect(quote(0)).toBe(3000);
    expect(quote(10)).toBe(2000);
    expect(quote(20)).toBe(1000);
    expect(quote(7)).toBe(Math.round((3000 * 23) / 30)); // 2300
    expect(quote(30)).toBe(0);
    expect(
      proratedUpgradeCents({ from: "PRO", to: "BASIC_ACCESS", periodStart, periodEnd, now: at(1) }),
    ).toBe(0);
  });

  it("asks Stripe for a prorated update and applies the upgrade once when its event arrives 3 times", async () => {
    const { user, membership, subscriptionId, now } = await stripeMember("BASIC_ACCESS", 10);
    const { stripe, updates } = fakeStripe();
    const asked = await changeTier(
      { db, env: appEnv, stripe },
      { user: lifecycleUser(user), tier: "PRO", now },
    );
    expect(asked.ok).toBe(true);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.id).toBe(subscriptionId);
    expect(updates[0]!.params).toMatchObject({
      proration_behavior: "always_invoice",
      metadata: { tier: "PRO" },
      items: [{ id: "si_test_1", price_data: { unit_amount: 4900, product: "prod_test_1" } }],
    });
    // Nothing changes before the payment event.
    expect((await membershipRow(membership.id)).tier).toBe("BASIC_ACCESS");

    const updated = (id?: string) =>
      stripeEvent(
        "customer.subscription.updated",
        {
          id: subscriptionId,
          object: "subscription",
          status: "active",
          cancel_at_period_end: false,
          metadata: { tier: "PRO" },
        },
        id,
      );
    const same = updated();
    // The same event three times in parallel, and two more deliveries under other event ids.
    const results = await Promise.all([deliver(same), deliver(same), deliver(same)]);
    expect(results.filter((r) => r.status === "processed")).toHaveLength(1);
    await Promise.all([deliver(updated()), deliver(updated())]);

    const row = await membershipRow(membership.id);
    expect(row.tier).toBe("PRO");
    expect(row.totalCredits - row.usedCredits).toBe(40);
    const adjustments = (await ledgerOf(membership.id)).filter((r) => r.type === "ADJUSTMENT");
    expect(adjustments.map((r) => [r.amount, r.description])).toEqual([
      [30, "Upgrade to Pro: 30 more credits for this period"],
    ]);
    const audits = await auditsOf(membership.id, "MEMBERSHIP_TIER_CHANGED");
    expect(audits).toHaveLength(1);
    expect(audits[0]!.metadata).toMatchObject({ from: "BASIC_ACCESS", to: "PRO", when: "now" });
    expect(await emailsTo(user.email, "membership-upgraded")).toHaveLength(1);

    // The proration invoice is paid: an UPGRADE row, once.
    const invoice = stripeEvent("invoice.paid", {
      id: `in_${crypto.randomUUID().replaceAll("-", "")}`,
      object: "invoice",
      billing_reason: "subscription_update",
      amount_paid: 2000,
      amount_due: 2000,
      currency: "usd",
      parent: {
        type: "subscription_details",
        subscription_details: { subscription: subscriptionId },
      },
      lines: {
        data: [
          {
            period: {
              start: Math.floor(now.getTime() / 1000),
              end: Math.floor(row.currentPeriodEnd.getTime() / 1000),
            },
          },
        ],
      },
    });
    await deliver(invoice);
    await deliver(invoice);
    expect(
      (await invoicesOf(membership.id)).map((r) => [r.kind, r.status, r.amountCents, r.tier]),
    ).toEqual([["UPGRADE", "PAID", 2000, "PRO"]]);
  });

  it("the test provider quotes the prorated amount and its Pay applies the upgrade once", async () => {
    const user = await createUser(db);
    const now = new Date();
    const membership = await createMembership(db, {
      userId: user.id,
      tier: "BASIC_ACCESS",
      credits: 10,
      periodStart: new Date(now.getTime() - 15 * DAY),
    });
    const asked = await changeTier(
      { db, env: appEnv },
      { user: lifecycleUser(user), tier: "PRO", now },
    );
    expect(asked).toMatchObject({
      ok: true,
      redirectTo: `/checkout/test/upgrade/${membership.id}?tier=PRO`,
    });
    const quote = (await getTestUpgradeQuote(db, {
      userId: user.id,
      membershipId: membership.id,
      tier: "PRO",
      now,
    }))!;
    expect(quote).toMatchObject({ open: true, credits: 30, amountCents: 1500 });
    const results = await Promise.all([
      settleTestUpgrade(db, { quote, now }),
      settleTestUpgrade(db, { quote, now }),
      settleTestUpgrade(db, { quote, now }),
    ]);
    expect(results.filter((r) => r.status === "processed")).toHaveLength(1);
    expect((await membershipRow(membership.id)).tier).toBe("PRO");
    expect((await ledgerOf(membership.id)).filter((r) => r.type === "ADJUSTMENT")).toHaveLength(1);
    expect((await invoicesOf(membership.id)).map((r) => [r.kind, r.status, r.amountCents])).toEqual(
      [["UPGRADE", "PAID", 1500]],
    );
    // Someone else's membership has no quote.
    const stranger = await createUser(db);
    expect(
      await getTestUpgradeQuote(db, {
        userId: stranger.id,
        membershipId: membership.id,
        tier: "MANAGED",
        now,
      }),
    ).toBeNull();
  });

  it("refuses a user without a membership", async () => {
    const user = await createUser(db);
    const none = await changeTier(
      { db, env: appEnv },
      { user: lifecycleUser(user), tier: "PRO", now: new Date() },
    );
    expect(none).toMatchObject({ ok: false, reason: "not-running" });
  });
});

describe("downgrades", () => {
  it("waits for the period end: tier unchanged until the renewal job turns the period", async () => {
    const { user, membership, subscriptionId, now } = await stripeMember("PRO", 40, 10);
    const { stripe, updates } = fakeStripe();
    const asked = await changeTier(
      { db, env: appEnv, stripe },
      { user: lifecycleUser(user), tier: "BASIC_ACCESS", now },
    );
    expect(asked.ok).toBe(true);
    expect(updates[0]).toMatchObject({
      id: subscriptionId,
      params: { proration_behavior: "none", items: [{ price_data: { unit_amount: 1900 } }] },
    });
    let row = await membershipRow(membership.id);
    expect(row).toMatchObject({ tier: "PRO", pendingTier: "BASIC_ACCESS" });
    // Stripe's customer.subscription.updated for the lower price changes nothing.
    await deliver(
      stripeEvent("customer.subscription.updated", {
        id: subscriptionId,
        object: "subscription",
        status: "active",
        cancel_at_period_end: false,
        metadata: { tier: "BASIC_ACCESS" },
      }),
    );
    expect((await membershipRow(membership.id)).tier).toBe("PRO");
    expect(await emailsTo(user.email, "membership-downgrade-scheduled")).toHaveLength(1);
    const [audit] = await auditsOf(membership.id, "MEMBERSHIP_TIER_CHANGED");
    expect(audit!.metadata).toMatchObject({ from: "PRO", to: "BASIC_ACCESS", when: "period-end" });

    // Mid-period the job changes nothing; at the period turn the lower tier's allocation arrives.
    await renewalCron(now);
    expect((await membershipRow(membership.id)).tier).toBe("PRO");
    const periodEnd = row.currentPeriodEnd;
    await db
      .update(memberships)
      .set({ paidThrough: new Date(periodEnd.getTime() + 30 * DAY) })
      .where(eq(memberships.id, membership.id));
    await renewalCron(new Date(periodEnd.getTime() + 60_000));
    row = await membershipRow(membership.id);
    expect(row).toMatchObject({ tier: "BASIC_ACCESS", pendingTier: null });
    const renewal = (await ledgerOf(membership.id)).filter((r) => r.type === "RENEWAL");
    expect(renewal.map((r) => r.amount)).toEqual([10]);
  });
});

describe("parallel requests in the same millisecond", () => {
  // workerd's clock only moves on I/O, so parallel requests can carry the same `now`: only the
  // request whose UPDATE applied may write the audit row and the email.
  it("two pauses: one applies, with one audit row and one email", async () => {
    const user = await createUser(db);
    const membership = await createMembership(db, { userId: user.id, tier: "PRO", credits: 40 });
    const now = new Date();
    const pause = () =>
      pauseMembership({ db, env: appEnv }, { user: lifecycleUser(user), months: 1, now });
    const results = await Promise.all([pause(), pause()]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(await auditsOf(membership.id, "MEMBERSHIP_PAUSED")).toHaveLength(1);
    expect(await emailsTo(user.email, "membership-paused")).toHaveLength(1);
  });

  it("two cancellations of a pending downgrade: one audit row", async () => {
    const user = await createUser(db);
    const membership = await createMembership(db, { userId: user.id, tier: "PRO", credits: 40 });
    await db
      .update(memberships)
      .set({ pendingTier: "BASIC_ACCESS" })
      .where(eq(memberships.id, membership.id));
    const now = new Date();
    const cancel = () => cancelDowngrade({ db, env: appEnv }, { user: lifecycleUser(user), now });
    await Promise.all([cancel(), cancel()]);
    expect((await membershipRow(membership.id)).pendingTier).toBeNull();
    expect(await auditsOf(membership.id, "MEMBERSHIP_TIER_CHANGED")).toHaveLength(1);
  });
});

describe("pause", () => {
  it("skips a paused membership at renewal and resumes it on its date", async () => {
    const user = await createUser(db);
    const now = new Date();
    const membership = await createMembership(db, {
      userId: user.id,
      tier: "PRO",
      credits: 40,
      periodStart: new Date(now.getTime() - 25 * DAY),
    });
    const paused = await pauseMembership(
      { db, env: appEnv },
      { user: lifecycleUser(user), months: 1, now },
    );
    expect(paused.ok).toBe(true);
    let row = await membershipRow(membership.id);
    expect(row.status).toBe("PAUSED");
    expect(row.pauseEndsAt!.getTime()).toBeGreaterThan(now.getTime() + 27 * DAY);
    expect(await auditsOf(membership.id, "MEMBERSHIP_PAUSED")).toHaveLength(1);
    expect(await emailsTo(user.email, "membership-paused")).toHaveLength(1);
    // A second pause is refused.
    expect(
      await pauseMembership({ db, env: appEnv }, { user: lifecycleUser(user), months: 2, now }),
    ).toMatchObject({ ok: false, reason: "not-active" });

    // Its period ends while paused: the job neither renews nor expires it.
    const rowsBefore = (await ledgerOf(membership.id)).length;
    await renewalCron(new Date(row.currentPeriodEnd.getTime() + DAY));
    row = await membershipRow(membership.id);
    expect(row.status).toBe("PAUSED");
    expect(await ledgerOf(membership.id)).toHaveLength(rowsBefore);

    // On its date it resumes, the period moved by the time spent paused; credits kept.
    await renewalCron(new Date(row.pauseEndsAt!.getTime() + 60_000));
    row = await membershipRow(membership.id);
    expect(row.status).toBe("ACTIVE");
    expect(row.currentPeriodEnd.getTime()).toBeGreaterThan(
      row.pauseEndsAt?.getTime() ?? now.getTime(),
    );
    expect(row.totalCredits - row.usedCredits).toBe(40);
  });

  it("resumes by hand, and refuses to pause a membership that doesn't renew", async () => {
    const user = await createUser(db);
    const now = new Date();
    const membership = await createMembership(db, { userId: user.id, tier: "PRO", credits: 40 });
    await pauseMembership({ db, env: appEnv }, { user: lifecycleUser(user), months: 3, now });
    const resumed = await resumeMembership(
      { db, env: appEnv },
      { user: lifecycleUser(user), now: new Date(now.getTime() + 5 * DAY) },
    );
    expect(resumed.ok).toBe(true);
    const row = await membershipRow(membership.id);
    expect(row).toMatchObject({ status: "ACTIVE", pausedAt: null, pauseEndsAt: null });
    expect(await auditsOf(membership.id, "MEMBERSHIP_RESUMED")).toHaveLength(1);

    const other = await createUser(db);
    await createMembership(db, { userId: other.id, autoRenew: false });
    expect(
      await pauseMembership({ db, env: appEnv }, { user: lifecycleUser(other), months: 1, now }),
    ).toMatchObject({ ok: false, reason: "not-renewing" });
  });
});

describe("failed payments", () => {
  const failedInvoice = (
    subscriptionId: string,
    id = `in_${crypto.randomUUID().replaceAll("-", "")}`,
  ) =>
    stripeEvent("invoice.payment_failed", {
      id,
      object: "invoice",
      billing_reason: "subscription_cycle",
      amount_paid: 0,
      amount_due: 4900,
      currency: "usd",
      hosted_invoice_url: `https://invoice.stripe.com/i/${id}`,
      parent: {
        type: "subscription_details",
        subscription_details: { subscription: subscriptionId },
      },
      lines: { data: [{ period: { start: 1, end: 2 } }] },
    });

  it("PAST_DUE with a 7-day grace, no spending, then paid → ACTIVE", async () => {
    const { user, membership, subscriptionId, now } = await stripeMember("PRO", 40, 29);
    const failed = failedInvoice(subscriptionId);
    await deliver(failed, now);
    await deliver(failedInvoice(subscriptionId, (failed.data.object as { id: string }).id), now);
    let row = await membershipRow(membership.id);
    expect(row.status).toBe("PAST_DUE");
    expect(row.graceEndsAt!.getTime()).toBe(now.getTime() + GRACE_PERIOD_MS);
    expect((await invoicesOf(membership.id)).map((r) => [r.kind, r.status])).toEqual([
      ["RENEWAL", "FAILED"],
    ]);
    const [email] = await emailsTo(user.email, "membership-payment-failed");
    expect(email!.subject).toContain("Your payment failed");
    expect(email!.bodyText).toContain("https://invoice.stripe.com/i/");
    expect(await emailsTo(user.email, "membership-payment-failed")).toHaveLength(1);

    const refused = await spend(db, {
      membershipId: membership.id,
      spenderId: user.id,
      amount: 1,
      idempotencyKey: `spend:${crypto.randomUUID()}`,
      description: "While past due",
      now,
    });
    expect(refused).toMatchObject({ ok: false, reason: "membership-past-due" });

    const invoiceId = (failed.data.object as { id: string }).id;
    const nextEnd = Math.floor(row.currentPeriodEnd.getTime() / 1000) + 30 * 86_400;
    await deliver(
      stripeEvent("invoice.paid", {
        id: invoiceId,
        object: "invoice",
        billing_reason: "subscription_cycle",
        amount_paid: 4900,
        amount_due: 4900,
        currency: "usd",
        parent: {
          type: "subscription_details",
          subscription_details: { subscription: subscriptionId },
        },
        lines: { data: [{ period: { start: nextEnd - 30 * 86_400, end: nextEnd } }] },
      }),
      now,
    );
    row = await membershipRow(membership.id);
    expect(row).toMatchObject({ status: "ACTIVE", graceEndsAt: null });
    expect(row.paidThrough!.getTime()).toBe(nextEnd * 1000);
    expect((await invoicesOf(membership.id)).map((r) => [r.kind, r.status])).toEqual([
      ["RENEWAL", "PAID"],
    ]);
    expect(await emailsTo(user.email, "membership-payment-received")).toHaveLength(1);
  });

  it("PAST_DUE → grace over → EXPIRED by the renewal job", async () => {
    const { membership, subscriptionId, now } = await stripeMember("PRO", 40, 29);
    await deliver(failedInvoice(subscriptionId), now);
    await renewalCron(new Date(now.getTime() + 3 * DAY));
    expect((await membershipRow(membership.id)).status).toBe("PAST_DUE");
    await renewalCron(new Date(now.getTime() + GRACE_PERIOD_MS + 60_000));
    expect((await membershipRow(membership.id)).status).toBe("EXPIRED");
  });
});

describe("the test provider's renewals", () => {
  async function testProviderMember() {
    const user = await createUser(db);
    const started = await startMembershipCheckout(
      { db, env: appEnv, stripe: null },
      {
        user: { id: user.id, role: user.role, email: user.email },
        item: { kind: "SUBSCRIPTION", tier: "PRO" },
        origin: "http://localhost",
        now: new Date(),
      },
    );
    await settleTestMembershipCheckout(db, {
      checkoutId: started.checkoutId,
      outcome: "succeed",
      now: new Date(),
    });
    const [row] = await db.select().from(memberships).where(eq(memberships.userId, user.id));
    return { user, membership: row! };
  }

  it("pays the next period within the hour before it ends, once, so the membership lives on", async () => {
    const { membership } = await testProviderMember();
    const end = membership.currentPeriodEnd.getTime();
    // Two hours before the end: not due yet.
    await payDueTestRenewals(db, { now: new Date(end - 2 * 3_600_000) });
    expect((await membershipRow(membership.id)).paidThrough!.getTime()).toBe(end);
    const tick = new Date(end - 30 * 60_000);
    await Promise.all([
      payDueTestRenewals(db, { now: tick }),
      payDueTestRenewals(db, { now: tick }),
    ]);
    await payDueTestRenewals(db, { now: tick });
    expect((await membershipRow(membership.id)).paidThrough!.getTime()).toBe(end + 30 * DAY);
    expect((await invoicesOf(membership.id)).map((r) => [r.kind, r.status, r.amountCents])).toEqual(
      [["RENEWAL", "PAID", 4900]],
    );
    // The renewal job then renews it; a second period gets paid the same way.
    await renewalCron(new Date(end + 60_000));
    const renewed = await membershipRow(membership.id);
    expect(renewed.currentPeriodEnd.getTime()).toBe(end + 30 * DAY);
    await payDueTestRenewals(db, { now: new Date(end + 30 * DAY - 60_000) });
    expect((await invoicesOf(membership.id)).filter((r) => r.status === "PAID")).toHaveLength(2);
  });

  it("simulates a failed renewal payment (PAST_DUE), then a successful one (ACTIVE)", async () => {
    const { user, membership } = await testProviderMember();
    const now = new Date();
    const failed = await simulateTestRenewal(db, {
      userId: user.id,
      membershipId: membership.id,
      outcome: "fail",
      now,
    });
    expect(failed?.status).toBe("processed");
    expect((await membershipRow(membership.id)).status).toBe("PAST_DUE");
    // The job leaves a PAST_DUE membership alone.
    await payDueTestRenewals(db, { now: new Date(membership.currentPeriodEnd.getTime() - 60_000) });
    expect((await membershipRow(membership.id)).status).toBe("PAST_DUE");
    await simulateTestRenewal(db, {
      userId: user.id,
      membershipId: membership.id,
      outcome: "succeed",
      now,
    });
    expect((await membershipRow(membership.id)).status).toBe("ACTIVE");
    expect((await invoicesOf(membership.id)).map((r) => r.status)).toEqual(["PAID"]);
    // Not for someone else, nor for a membership without a test checkout.
    const stranger = await createUser(db);
    expect(
      await simulateTestRenewal(db, {
        userId: stranger.id,
        membershipId: membership.id,
        outcome: "succeed",
        now,
      }),
    ).toBeNull();
  });
});
