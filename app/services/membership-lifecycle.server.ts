import { createId } from "@paralleldrive/cuid2";
import { and, eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database } from "#db/client";
import {
  auditLogs,
  membershipCheckouts,
  membershipMembers,
  memberships,
  type MembershipStatus,
  type MembershipTier,
} from "#db/schema";
import {
  downgradeScheduledEmail,
  membershipPausedEmail,
  membershipResumedEmail,
} from "~/domain/email/templates";
import {
  addMonths,
  pauseRefusal,
  proratedUpgradeCents,
  TEST_RENEWAL_WINDOW_MS,
  testRenewalInvoiceId,
  tierChange,
  tierChangeRefusal,
  upgradeCredits,
  type PauseRefusal,
  type TierChangeRefusal,
} from "~/domain/memberships/lifecycle";
import { periodLengthMs, TIERS } from "~/domain/memberships/tiers";
import { refuse, type Result } from "~/domain/refusal";
import type { AppEnv } from "~/lib/env.server";
import {
  auditRowWritten,
  auditStatement,
  type AuditActor,
  type AuditRequestInfo,
} from "./audit.server";
import { createStripeClient } from "./checkout.server";
import { insertWhen } from "./conditional-insert.server";
import { queueEmail } from "./email-outbox.server";
import { resumePausedMemberships } from "./ledger.server";
import { applyMembershipEvent, type MembershipEventResult } from "./membership-fulfilment.server";

/**
 * A member's plan after checkout (issue 15): upgrade now (prorated, applied by the payment
 * event), downgrade at the period end (`pending_tier`, applied by the renewal job), pause and
 * resume, and the test provider's stand-ins for Stripe's upgrade and renewal payments. Only the
 * owner changes the plan; teammates see it.
 */

export interface LifecycleDeps {
  db: Database;
  env: AppEnv;
  /** Overrides the client built from `env.stripe` (tests). */
  stripe?: Pick<Stripe, "subscriptions"> | null;
}

export interface LifecycleInput {
  user: AuditActor & { email: string };
  now: Date;
  request?: AuditRequestInfo;
}

type OwnerRefusal = "not-running" | "not-owner";
type ProviderRefusal = "provider" | "no-subscription";

const ownedColumns = {
  id: memberships.id,
  tier: memberships.tier,
  status: memberships.status,
  autoRenew: memberships.autoRenew,
  pendingTier: memberships.pendingTier,
  currentPeriodStart: memberships.currentPeriodStart,
  currentPeriodEnd: memberships.currentPeriodEnd,
  pauseEndsAt: memberships.pauseEndsAt,
  sub: memberships.providerSubscriptionId,
  updatedAt: memberships.updatedAt,
};
interface OwnedMembership {
  id: string;
  tier: MembershipTier;
  status: MembershipStatus;
  autoRenew: boolean;
  pendingTier: MembershipTier | null;
  currentPeriodStart: Date;
  currentPeriodEnd: Date;
  pauseEndsAt: Date | null;
  sub: string | null;
  updatedAt: Date;
}

/** The membership this user owns, or why they can't change one. */
async function ownedMembership(
  db: Database,
  userId: string,
): Promise<Result<{ membership: OwnedMembership }, OwnerRefusal>> {
  const [membership] = await db
    .select(ownedColumns)
    .from(memberships)
    .where(eq(memberships.userId, userId))
    .limit(1);
  if (membership && membership.status !== "EXPIRED") {
    return { ok: true, membership };
  }
  const [seat] = await db
    .select({ role: membershipMembers.role })
    .from(membershipMembers)
    .where(eq(membershipMembers.userId, userId))
    .limit(1);
  if (seat && seat.role === "MEMBER") {
    return refuse("forbidden", "not-owner", "Only the membership's owner can change its plan.");
  }
  return refuse("conflict", "not-running", "You have no running membership to change.");
}

/** The test provider stands in for Stripe when no key is configured (never in production). */
export const testProviderActive = (env: AppEnv) => !env.isProduction && !env.stripe;

function stripeFor(deps: LifecycleDeps, membership: OwnedMembership) {
  if (deps.stripe !== undefined) return membership.sub ? deps.stripe : null;
  return deps.env.stripe && membership.sub ? createStripeClient(deps.env.stripe.secretKey) : null;
}

function providerFailed(event: string, membershipId: string, error: unknown) {
  console.error(
    JSON.stringify({
      level: "error",
      event,
      membershipId,
      message: error instanceof Error ? error.message : String(error),
    }),
  );
  return refuse(
    "upstream",
    "provider",
    "The payment provider didn't accept the change. Try again.",
  );
}

/** The subscription's item and a price for `tier` on the same product. */
async function tierItem(
  stripe: Pick<Stripe, "subscriptions">,
  subscriptionId: string,
  tier: MembershipTier,
) {
  const subscription = await stripe.subscriptions.retrieve(subscriptionId);
  const item = subscription.items.data[0];
  if (!item) throw new Error("The subscription has no item");
  const product =
    typeof item.price.product === "string" ? item.price.product : item.price.product.id;
  const config = TIERS[tier];
  return {
    id: item.id,
    price_data: {
      currency: config.currency.toLowerCase(),
      product,
      unit_amount: config.priceCents,
      recurring: { interval: "day" as const, interval_count: config.periodDays },
    },
  };
}

const auditOf = (
  db: Database,
  input: LifecycleInput,
  action: "MEMBERSHIP_TIER_CHANGED" | "MEMBERSHIP_PAUSED",
  membershipId: string,
  metadata: Record<string, unknown>,
  id?: string,
) =>
  auditStatement(db, {
    ...(id ? { id } : {}),
    actor: { id: input.user.id, role: input.user.role },
    action,
    entityType: "membership",
    entityId: membershipId,
    metadata,
    request: input.request,
    at: input.now,
  });

// ---- Tier changes ---------------------------------------------------------------------------

export type ChangeTierResult = Result<
  { message: string; redirectTo?: string },
  OwnerRefusal | TierChangeRefusal | ProviderRefusal | "changed"
>;

/**
 * `intent=change-tier`. An upgrade asks the provider to bill the prorated difference now; its
 * effect (tier, credit difference) comes with the payment event. The test provider sends the
 * member to its confirm page instead. A downgrade waits for the period end (`pending_tier`).
 */
export async function changeTier(
  deps: LifecycleDeps,
  input: LifecycleInput & { tier: MembershipTier },
): Promise<ChangeTierResult> {
  const { db } = deps;
  const owned = await ownedMembership(db, input.user.id);
  if (!owned.ok) return owned;
  const { membership } = owned;
  const refused = tierChangeRefusal(membership, input.tier);
  if (refused) return refused;
  const stripe = stripeFor(deps, membership);
  const to = TIERS[input.tier];

  if (tierChange(membership.tier, input.tier) === "upgrade") {
    if (!stripe) {
      if (!membership.sub && testProviderActive(deps.env)) {
        return {
          ok: true,
          message: "Confirm the upgrade.",
          redirectTo: `/checkout/test/upgrade/${membership.id}?tier=${input.tier}`,
        };
      }
      return refuse(
        "conflict",
        "no-subscription",
        "This membership has no subscription to change. Contact us to change your plan.",
      );
    }
    try {
      const item = await tierItem(stripe, membership.sub!, input.tier);
      await stripe.subscriptions.update(
        membership.sub!,
        {
          items: [item],
          proration_behavior: "always_invoice",
          metadata: { tier: input.tier },
        },
        {
          idempotencyKey: `upgrade:${membership.id}:${membership.currentPeriodStart.getTime()}:${input.tier}`,
        },
      );
    } catch (error) {
      return providerFailed("membership.upgrade.stripe_failed", membership.id, error);
    }
    return {
      ok: true,
      message: `Upgrading to ${to.name}: your plan and ${upgradeCredits(membership.tier, input.tier)} more credits arrive as soon as the payment goes through.`,
    };
  }

  // Downgrade: the next invoice bills the lower price; nothing changes before the period end.
  if (stripe) {
    try {
      const item = await tierItem(stripe, membership.sub!, input.tier);
      await stripe.subscriptions.update(membership.sub!, {
        items: [item],
        proration_behavior: "none",
        metadata: { tier: input.tier },
      });
    } catch (error) {
      return providerFailed("membership.downgrade.stripe_failed", membership.id, error);
    }
  }
  const scheduled = sql`exists (select 1 from "memberships" m where m."id" = ${membership.id} and m."pending_tier" = ${input.tier} and m."updated_at" = ${input.now.getTime()})`;
  const [updated] = await db.batch([
    db
      .update(memberships)
      .set({ pendingTier: input.tier, updatedAt: input.now })
      .where(
        sql`${memberships.id} = ${membership.id} and ${memberships.status} = 'ACTIVE' and ${memberships.tier} = ${membership.tier}`,
      )
      .returning({ id: memberships.id }),
    insertWhen(
      db,
      auditLogs,
      auditOf(db, input, "MEMBERSHIP_TIER_CHANGED", membership.id, {
        from: membership.tier,
        to: input.tier,
        when: "period-end",
        at: membership.currentPeriodEnd.getTime(),
      }),
      scheduled,
    ),
    queueEmail(
      db,
      {
        ...downgradeScheduledEmail({ tierName: to.name, at: membership.currentPeriodEnd }),
        to: input.user.email,
        at: input.now,
      },
      { when: scheduled },
    ),
  ]);
  if (updated.length === 0) {
    return refuse(
      "conflict",
      "changed",
      "Your membership changed meanwhile. Reload and try again.",
    );
  }
  return {
    ok: true,
    message: `Your membership moves to ${to.name} on ${membership.currentPeriodEnd.toISOString().slice(0, 10)}.`,
  };
}

/** `intent=cancel-downgrade`: the pending downgrade is dropped; the provider bills the tier again. */
export async function cancelDowngrade(
  deps: LifecycleDeps,
  input: LifecycleInput,
): Promise<Result<{ message: string }, OwnerRefusal | ProviderRefusal | "nothing-pending">> {
  const { db } = deps;
  const owned = await ownedMembership(db, input.user.id);
  if (!owned.ok) return owned;
  const { membership } = owned;
  const pending = membership.pendingTier;
  if (!pending) {
    return refuse("conflict", "nothing-pending", "There is no plan change to cancel.");
  }
  const stripe = stripeFor(deps, membership);
  if (stripe) {
    try {
      const item = await tierItem(stripe, membership.sub!, membership.tier);
      await stripe.subscriptions.update(membership.sub!, {
        items: [item],
        proration_behavior: "none",
        metadata: { tier: membership.tier },
      });
    } catch (error) {
      return providerFailed("membership.cancel_downgrade.stripe_failed", membership.id, error);
    }
  }
  await db.batch([
    db
      .update(memberships)
      .set({ pendingTier: null, updatedAt: input.now })
      .where(sql`${memberships.id} = ${membership.id} and ${memberships.pendingTier} = ${pending}`),
    insertWhen(
      db,
      auditLogs,
      auditOf(db, input, "MEMBERSHIP_TIER_CHANGED", membership.id, {
        from: pending,
        to: membership.tier,
        when: "cancelled",
      }),
      // Follows this batch's UPDATE: a parallel cancel in the same millisecond (workerd's
      // clock only moves on I/O) finds `pending_tier` already null and changes nothing.
      sql`changes() = 1`,
    ),
  ]);
  return {
    ok: true,
    message: `The change is cancelled: you stay on ${TIERS[membership.tier].name}.`,
  };
}

// ---- Pause ----------------------------------------------------------------------------------

/** `intent=pause`: no renewal, payment or allocation until `pause_ends_at`; credits kept. */
export async function pauseMembership(
  deps: LifecycleDeps,
  input: LifecycleInput & { months: number },
): Promise<Result<{ message: string }, OwnerRefusal | PauseRefusal | ProviderRefusal | "changed">> {
  const { db } = deps;
  const owned = await ownedMembership(db, input.user.id);
  if (!owned.ok) return owned;
  const { membership } = owned;
  const refused = pauseRefusal(membership);
  if (refused) return refused;
  const until = addMonths(input.now, input.months);
  const stripe = stripeFor(deps, membership);
  if (stripe) {
    try {
      await stripe.subscriptions.update(membership.sub!, {
        pause_collection: { behavior: "void", resumes_at: Math.floor(until.getTime() / 1000) },
      });
    } catch (error) {
      return providerFailed("membership.pause.stripe_failed", membership.id, error);
    }
  }
  // The audit row follows this batch's UPDATE and the email follows the audit row, not the
  // stored `paused_at`: a parallel pause in the same millisecond would match that too.
  const auditId = createId();
  const [updated] = await db.batch([
    db
      .update(memberships)
      .set({ status: "PAUSED", pausedAt: input.now, pauseEndsAt: until, updatedAt: input.now })
      .where(
        sql`${memberships.id} = ${membership.id} and ${memberships.status} = 'ACTIVE' and ${memberships.autoRenew} = 1 and ${memberships.pendingTier} is null`,
      )
      .returning({ id: memberships.id }),
    insertWhen(
      db,
      auditLogs,
      auditOf(
        db,
        input,
        "MEMBERSHIP_PAUSED",
        membership.id,
        {
          months: input.months,
          pauseEndsAt: until.getTime(),
        },
        auditId,
      ),
      sql`changes() = 1`,
    ),
    queueEmail(
      db,
      { ...membershipPausedEmail({ until }), to: input.user.email, at: input.now },
      { when: auditRowWritten(auditId) },
    ),
  ]);
  if (updated.length === 0) {
    return refuse(
      "conflict",
      "changed",
      "Your membership changed meanwhile. Reload and try again.",
    );
  }
  return {
    ok: true,
    message: `Your membership is paused until ${until.toISOString().slice(0, 10)}. Your credits are kept.`,
  };
}

/** `intent=resume`: the ledger moves the period by the time spent paused and sets ACTIVE. */
export async function resumeMembership(
  deps: LifecycleDeps,
  input: LifecycleInput,
): Promise<Result<{ message: string }, OwnerRefusal | ProviderRefusal | "not-paused">> {
  const { db } = deps;
  const owned = await ownedMembership(db, input.user.id);
  if (!owned.ok) return owned;
  const { membership } = owned;
  if (membership.status !== "PAUSED") {
    return refuse("conflict", "not-paused", "Your membership isn't paused.");
  }
  const stripe = stripeFor(deps, membership);
  if (stripe) {
    try {
      await stripe.subscriptions.update(membership.sub!, { pause_collection: "" });
    } catch (error) {
      return providerFailed("membership.resume.stripe_failed", membership.id, error);
    }
  }
  // The ledger writes the MEMBERSHIP_RESUMED audit row with the UPDATE (by: "member").
  const resumed = await resumePausedMemberships(db, {
    now: input.now,
    membershipId: membership.id,
    actor: { id: input.user.id, role: input.user.role },
    request: input.request,
  });
  if (resumed === 0) {
    return refuse("conflict", "not-paused", "Your membership isn't paused.");
  }
  await queueEmail(db, {
    ...membershipResumedEmail(),
    to: input.user.email,
    at: input.now,
    dedupeKey: `membership-resumed:${membership.id}:${input.now.getTime()}`,
  });
  return { ok: true, message: "Your membership is running again." };
}

// ---- What the member's pages show -----------------------------------------------------------

/** The plan facts of /account/membership and /pricing for this user (owner or teammate). */
export async function getMembershipPlan(db: Database, userId: string, env: AppEnv) {
  const [row] = await db
    .select({
      ...ownedColumns,
      pausedAt: memberships.pausedAt,
      graceEndsAt: memberships.graceEndsAt,
      paidThrough: memberships.paidThrough,
      role: membershipMembers.role,
    })
    .from(membershipMembers)
    .innerJoin(memberships, eq(memberships.id, membershipMembers.membershipId))
    .where(eq(membershipMembers.userId, userId))
    .limit(1);
  if (!row) return null;
  const testProvider =
    testProviderActive(env) && !row.sub && (await isTestProviderMembership(db, row.id));
  return {
    id: row.id,
    tier: row.tier,
    status: row.status,
    autoRenew: row.autoRenew,
    pendingTier: row.pendingTier,
    currentPeriodEnd: row.currentPeriodEnd,
    pausedAt: row.pausedAt,
    pauseEndsAt: row.pauseEndsAt,
    graceEndsAt: row.graceEndsAt,
    isOwner: row.role === "OWNER",
    testProvider,
  };
}
export type MembershipPlan = NonNullable<Awaited<ReturnType<typeof getMembershipPlan>>>;

async function isTestProviderMembership(db: Database, membershipId: string) {
  const [row] = await db
    .select({ id: membershipCheckouts.id })
    .from(membershipCheckouts)
    .where(
      and(
        eq(membershipCheckouts.membershipId, membershipId),
        eq(membershipCheckouts.kind, "SUBSCRIPTION"),
        eq(membershipCheckouts.provider, "TEST"),
      ),
    )
    .limit(1);
  return Boolean(row);
}

// ---- The test provider's upgrade and renewal payments -----------------------------------------

/** The owner's upgrade quote on the test provider's page, or null (→ 404). */
export async function getTestUpgradeQuote(
  db: Database,
  input: { userId: string; membershipId: string; tier: MembershipTier; now: Date },
) {
  const [membership] = await db
    .select(ownedColumns)
    .from(memberships)
    .where(and(eq(memberships.id, input.membershipId), eq(memberships.userId, input.userId)))
    .limit(1);
  if (!membership || membership.sub) return null;
  const refused = tierChangeRefusal(membership, input.tier);
  const upgrade = tierChange(membership.tier, input.tier) === "upgrade";
  return {
    membershipId: membership.id,
    from: membership.tier,
    to: input.tier,
    open: !refused && upgrade,
    credits: upgradeCredits(membership.tier, input.tier),
    amountCents: proratedUpgradeCents({
      from: membership.tier,
      to: input.tier,
      periodStart: membership.currentPeriodStart,
      periodEnd: membership.currentPeriodEnd,
      now: input.now,
    }),
    currency: TIERS[input.tier].currency,
    periodStart: membership.currentPeriodStart,
    periodEnd: membership.currentPeriodEnd,
  };
}
export type TestUpgradeQuote = NonNullable<Awaited<ReturnType<typeof getTestUpgradeQuote>>>;

/** "Pay" on the test upgrade page: the same event and apply function as Stripe's webhook. */
export function settleTestUpgrade(
  db: Database,
  input: { quote: TestUpgradeQuote; now: Date },
): Promise<MembershipEventResult> {
  const { quote } = input;
  return applyMembershipEvent(db, {
    provider: "TEST",
    eventId: `test_evt_${createId()}`,
    type: "test.subscription_upgraded",
    kind: "TIER_CHANGED",
    membershipId: quote.membershipId,
    tier: quote.to,
    invoice: {
      id: `test_upg_${quote.membershipId}_${quote.periodStart.getTime()}_${quote.to}`,
      kind: "UPGRADE",
      amountCents: quote.amountCents,
      currency: quote.currency,
      periodStart: input.now,
      periodEnd: quote.periodEnd,
    },
    now: input.now,
    summary: { tier: quote.to, amountCents: quote.amountCents },
  });
}

const testRenewalColumns = {
  id: memberships.id,
  tier: memberships.tier,
  pendingTier: memberships.pendingTier,
  currentPeriodEnd: memberships.currentPeriodEnd,
};
interface TestRenewalTarget {
  id: string;
  tier: MembershipTier;
  pendingTier: MembershipTier | null;
  currentPeriodEnd: Date;
}

/** The test provider's renewal invoice for the period after the current one, paid or failed. */
function testRenewalEvent(
  db: Database,
  membership: TestRenewalTarget,
  outcome: "succeed" | "fail",
  now: Date,
) {
  const next = membership.pendingTier ?? membership.tier;
  const periodEnd = membership.currentPeriodEnd;
  const nextEnd = new Date(periodEnd.getTime() + periodLengthMs(next));
  const invoiceId = testRenewalInvoiceId(membership.id, periodEnd);
  return applyMembershipEvent(db, {
    provider: "TEST",
    eventId: `test_evt_${outcome === "succeed" ? "paid" : "failed"}_${membership.id}_${periodEnd.getTime()}`,
    type: outcome === "succeed" ? "test.invoice_paid" : "test.invoice_payment_failed",
    kind: outcome === "succeed" ? "INVOICE_PAID" : "INVOICE_FAILED",
    membershipId: membership.id,
    paidThrough: outcome === "succeed" ? nextEnd : null,
    invoice: {
      id: invoiceId,
      kind: "RENEWAL",
      amountCents: TIERS[next].priceCents,
      currency: TIERS[next].currency,
      periodStart: periodEnd,
      periodEnd: nextEnd,
    },
    now,
    summary: { outcome, invoiceId },
  });
}

/** "Simulate the renewal payment now" on /account/membership (owner of a TEST membership). */
export async function simulateTestRenewal(
  db: Database,
  input: { userId: string; membershipId: string; outcome: "succeed" | "fail"; now: Date },
): Promise<MembershipEventResult | null> {
  const [membership] = await db
    .select(testRenewalColumns)
    .from(memberships)
    .where(
      and(
        eq(memberships.id, input.membershipId),
        eq(memberships.userId, input.userId),
        sql`${memberships.providerSubscriptionId} is null`,
      ),
    )
    .limit(1);
  if (!membership || !(await isTestProviderMembership(db, membership.id))) return null;
  return testRenewalEvent(db, membership, input.outcome, input.now);
}

export const TEST_RENEWALS_PER_RUN = 200;

/**
 * The cron job's part (test-provider-renewals): TEST memberships that renew, are not paused
 * and whose period ends within the hour without payment for the next one get it paid. The
 * invoice and event ids name the period, so a retried tick pays once.
 */
export async function payDueTestRenewals(db: Database, input: { now: Date }) {
  const horizon = input.now.getTime() + TEST_RENEWAL_WINDOW_MS;
  const due = await db
    .select(testRenewalColumns)
    .from(memberships)
    .where(
      sql`${memberships.status} = 'ACTIVE' and ${memberships.autoRenew} = 1
        and ${memberships.providerSubscriptionId} is null
        and ${memberships.currentPeriodEnd} <= ${horizon}
        and coalesce(${memberships.paidThrough}, 0) <= ${memberships.currentPeriodEnd}
        and exists (select 1 from "membership_checkouts" mc where mc."membership_id" = ${memberships.id}
          and mc."kind" = 'SUBSCRIPTION' and mc."provider" = 'TEST')`,
    )
    .limit(TEST_RENEWALS_PER_RUN);
  let paid = 0;
  for (const membership of due) {
    const result = await testRenewalEvent(db, membership, "succeed", input.now);
    if (result.status === "processed") paid++;
  }
  return { due: due.length, paid };
}
