import { createId } from "@paralleldrive/cuid2";
import { eq, sql, type SQL } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database } from "#db/client";
import {
  auditLogs,
  membershipCheckouts,
  membershipInvoices,
  membershipMembers,
  memberships,
  paymentEvents,
  users,
  type MembershipInvoiceKind,
  type MembershipTier,
} from "#db/schema";
import { MEMBERSHIP_TIERS } from "#db/schema/enums";
import type { AuditAction } from "~/domain/audit/actions";
import {
  paymentFailedEmail,
  paymentReceivedEmail,
  tierUpgradedEmail,
} from "~/domain/email/templates";
import {
  graceEndsAt,
  isUpgrade,
  upgradeCredits,
  upgradeDescription,
  upgradeKey,
} from "~/domain/memberships/lifecycle";
import { periodLengthMs, TIERS } from "~/domain/memberships/tiers";
import { auditStatement } from "./audit.server";
import { insertWhen } from "./conditional-insert.server";
import { queueEmail } from "./email-outbox.server";
import type { ProviderEvent } from "./fulfilment.server";
import { paidCreditsStatements, tierDifferenceStatements } from "./ledger.server";
import { isUniqueViolation, namedBatch } from "./named-batch.server";

/**
 * Fulfilment of subscriptions and credit packs (issue 6), from verified payment events only:
 * Stripe's webhook and the test provider both end here. Same rules as product fulfilment
 * (fulfilment.server.ts): the `payment_events` row (unique per provider + event id) is in the
 * batch of its effects and is written only while the state we planned from still holds; every
 * other statement is guarded by "this event's row was written", so a duplicate or a lost race
 * writes nothing at all, and a lost race is planned again.
 */

export type MembershipEventKind =
  | "CHECKOUT_PAID"
  | "CHECKOUT_FAILED"
  | "INVOICE_PAID"
  | "INVOICE_FAILED"
  | "TIER_CHANGED"
  | "SUBSCRIPTION_CANCELLED";

/** A provider invoice after the first payment (renewal or upgrade proration). */
export interface MembershipEventInvoice {
  id: string;
  kind: MembershipInvoiceKind;
  amountCents: number;
  currency: string;
  periodStart?: Date | null;
  periodEnd?: Date | null;
  /** INVOICE_FAILED: where the member fixes the payment (Stripe's hosted invoice page). */
  hostedUrl?: string | null;
}

export interface MembershipEventInput extends ProviderEvent {
  kind: MembershipEventKind | null;
  checkoutId?: string | null;
  subscriptionId?: string | null;
  /** The test provider names the membership itself (it has no subscription id). */
  membershipId?: string | null;
  /** INVOICE_PAID: the end of the period the invoice paid for. */
  paidThrough?: Date | null;
  /** TIER_CHANGED: the tier the subscription now carries. */
  tier?: MembershipTier | null;
  /** INVOICE_PAID / INVOICE_FAILED (and a test upgrade's payment): the invoice to record. */
  invoice?: MembershipEventInvoice | null;
}

export type MembershipEventResult =
  | { status: "duplicate" }
  | { status: "ignored"; reason: string }
  | { status: "processed"; membershipId: string | null; effect: string };

type BatchItem = Parameters<Database["batch"]>[0][number];
type BuiltInsert = Parameters<typeof insertWhen>[2];
const MAX_ATTEMPTS = 5;

export async function applyMembershipEvent(
  db: Database,
  input: MembershipEventInput,
): Promise<MembershipEventResult> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    try {
      const result = await applyOnce(db, input);
      if (result) return result;
    } catch (error) {
      if (isUniqueViolation(error, "payment_events")) return { status: "duplicate" };
      // A parallel event created the same user's membership first: plan again.
      if (isUniqueViolation(error, "memberships")) continue;
      throw error;
    }
  }
  throw new Error(`Membership event ${input.eventId} kept losing races; giving up for a retry`);
}

async function applyOnce(
  db: Database,
  input: MembershipEventInput,
): Promise<MembershipEventResult | null> {
  const eventRowId = createId();
  const written = sql`exists (select 1 from "payment_events" pe where pe."id" = ${eventRowId})`;
  const eventRow = (
    status: "PROCESSED" | "IGNORED",
    error: string | null,
    checkoutId: string | null,
  ) =>
    db.insert(paymentEvents).values({
      id: eventRowId,
      provider: input.provider,
      eventId: input.eventId,
      type: input.type.slice(0, 100),
      status,
      membershipCheckoutId: checkoutId,
      summary: input.summary,
      error,
      processedAt: input.now,
      createdAt: input.now,
    });
  const ignore = async (reason: string, checkoutId: string | null = null) => {
    await eventRow("IGNORED", reason, checkoutId);
    return { status: "ignored" as const, reason };
  };
  const audit = (action: AuditAction, membershipId: string, metadata: Record<string, unknown>) =>
    insertWhen(
      db,
      auditLogs,
      auditStatement(db, {
        actor: null,
        action,
        entityType: "membership",
        entityId: membershipId,
        metadata: { provider: input.provider, eventId: input.eventId, ...metadata },
        at: input.now,
      }),
      written,
    );

  if (
    input.kind === "INVOICE_PAID" ||
    input.kind === "INVOICE_FAILED" ||
    input.kind === "TIER_CHANGED" ||
    input.kind === "SUBSCRIPTION_CANCELLED"
  ) {
    const membership = input.membershipId
      ? await findMembership(db, eq(memberships.id, input.membershipId))
      : input.subscriptionId
        ? await findMembership(db, eq(memberships.providerSubscriptionId, input.subscriptionId))
        : null;
    if (!membership) return ignore("No membership has this subscription.");
    const event = eventRow("PROCESSED", null, null);
    const lifecycle = { db, input, membership, event, written, audit, ignore };
    if (input.kind === "INVOICE_PAID") return invoicePaid(lifecycle);
    if (input.kind === "INVOICE_FAILED") return invoiceFailed(lifecycle);
    if (input.kind === "TIER_CHANGED") return tierUpgraded(lifecycle);
    await db.batch([
      event,
      db
        .update(memberships)
        .set({ autoRenew: false, cancelledAt: input.now, updatedAt: input.now })
        .where(sql`${memberships.id} = ${membership.id} and ${written}`),
      audit("MEMBERSHIP_AUTO_RENEW_CHANGED", membership.id, { autoRenew: false, by: "provider" }),
    ]);
    return { status: "processed", membershipId: membership.id, effect: "auto-renew off" };
  }

  const checkout = input.checkoutId ? await findCheckout(db, input.checkoutId) : null;
  if (!input.kind) return ignore("Event type not handled.", checkout?.id ?? null);
  if (!checkout || checkout.provider !== input.provider) {
    return ignore("No membership checkout matches this event.");
  }
  if (checkout.status !== "PENDING") {
    return ignore(`Nothing to do for a ${checkout.status} checkout.`, checkout.id);
  }
  const pending = sql`exists (select 1 from "membership_checkouts" mc where mc."id" = ${checkout.id} and mc."status" = 'PENDING')`;
  const event = insertWhen(
    db,
    paymentEvents,
    eventRow("PROCESSED", null, checkout.id),
    pending,
  ).returning({ id: paymentEvents.id });
  const finish = (status: "COMPLETED" | "FAILED", membershipId: string | null) =>
    db
      .update(membershipCheckouts)
      .set({
        status,
        membershipId,
        completedAt: status === "COMPLETED" ? input.now : null,
        failureReason: status === "FAILED" ? "The payment did not go through." : null,
        ...(input.subscriptionId ? { providerSubscriptionId: input.subscriptionId } : {}),
        updatedAt: input.now,
      })
      .where(
        sql`${membershipCheckouts.id} = ${checkout.id} and ${membershipCheckouts.status} = 'PENDING'`,
      );

  if (input.kind === "CHECKOUT_FAILED") {
    const failed = await namedBatch(db, { event, checkout: finish("FAILED", null) });
    if (failed.event.length === 0) return null;
    return { status: "processed", membershipId: null, effect: "failed" };
  }

  const existing = await findMembership(db, eq(memberships.userId, checkout.userId));
  const statements: BatchItem[] = [];
  let membershipId: string;

  if (checkout.kind === "CREDIT_PACK") {
    if (!existing) return ignore("A credit pack needs a membership.", checkout.id);
    membershipId = existing.id;
    statements.push(
      ...paidCreditsStatements(db, {
        membershipId,
        type: "TOP_UP",
        amount: checkout.credits,
        idempotencyKey: `top-up:${checkout.id}`,
        description: `Credit pack ${checkout.pack ?? ""}`.trim(),
        reference: `membership_checkout:${checkout.id}`,
        now: input.now,
        actor: null,
        guard: written,
      }),
    );
  } else {
    const tier = checkout.tier!;
    const start = input.now;
    const end = new Date(start.getTime() + periodLengthMs(tier));
    if (existing && existing.status !== "EXPIRED") {
      // Paid twice for a membership they already have: recorded, left for staff to refund.
      return ignore("This user already has a live membership.", checkout.id);
    }
    membershipId = existing?.id ?? createId();
    const values = {
      tier,
      status: "ACTIVE" as const,
      autoRenew: true,
      currentPeriodStart: start,
      currentPeriodEnd: end,
      paidThrough: end,
      providerSubscriptionId: input.subscriptionId ?? null,
      cancelledAt: null,
      updatedAt: input.now,
    };
    statements.push(
      existing
        ? db
            .update(memberships)
            .set(values)
            .where(
              sql`${memberships.id} = ${existing.id} and ${memberships.status} = 'EXPIRED' and ${memberships.updatedAt} = ${existing.updatedAt.getTime()} and ${written}`,
            )
        : insertWhen(
            db,
            memberships,
            db.insert(memberships).values({
              id: membershipId,
              userId: checkout.userId,
              totalCredits: 0,
              usedCredits: 0,
              createdAt: input.now,
              ...values,
            }),
            written,
          ),
      // The owner's seat (membership_members): spending and the member's pages go by seats.
      insertWhen(
        db,
        membershipMembers,
        db.insert(membershipMembers).values({
          membershipId,
          userId: checkout.userId,
          role: "OWNER",
          createdAt: input.now,
          updatedAt: input.now,
        }),
        written,
      ).onConflictDoNothing({ target: membershipMembers.userId }),
      // The membership's credits so far (zero, or what was left on an expired one) plus the
      // tier's allocation: the row's balance is computed from the membership in SQL.
      ...paidCreditsStatements(db, {
        membershipId,
        type: "INITIAL_ALLOCATION",
        amount: TIERS[tier].creditsPerPeriod,
        idempotencyKey: `initial:${checkout.id}`,
        description: `${TIERS[tier].name} membership: first period`,
        reference: `period:${start.getTime()}`,
        now: input.now,
        actor: null,
        guard: written,
      }),
      audit("MEMBERSHIP_CREATED", membershipId, {
        tier,
        checkoutId: checkout.id,
        subscriptionId: input.subscriptionId ?? null,
        renewed: existing ? true : false,
      }),
    );
  }
  const completed = await namedBatch(db, {
    event,
    effects: statements,
    checkout: finish("COMPLETED", membershipId),
  });
  if (completed.event.length === 0) return null;
  return {
    status: "processed",
    membershipId,
    effect: checkout.kind === "CREDIT_PACK" ? "credits topped up" : "membership started",
  };
}

async function findCheckout(db: Database, checkoutId: string) {
  const [row] = await db
    .select()
    .from(membershipCheckouts)
    .where(eq(membershipCheckouts.id, checkoutId))
    .limit(1);
  return row ?? null;
}

async function findMembership(db: Database, where: SQL) {
  const [row] = await db
    .select({
      id: memberships.id,
      userId: memberships.userId,
      tier: memberships.tier,
      status: memberships.status,
      currentPeriodStart: memberships.currentPeriodStart,
      currentPeriodEnd: memberships.currentPeriodEnd,
      updatedAt: memberships.updatedAt,
      email: users.email,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(where)
    .limit(1);
  return row ?? null;
}
type FoundMembership = NonNullable<Awaited<ReturnType<typeof findMembership>>>;

// ---- Invoices and tier changes (issue 15) ------------------------------------------------------

interface LifecycleEvent {
  db: Database;
  input: MembershipEventInput;
  membership: FoundMembership;
  /** The PROCESSED payment_events row (a plain INSERT, so insertWhen can guard it). */
  event: BuiltInsert & BatchItem;
  /** "This event's row was written": guards every other statement. */
  written: SQL;
  audit: (
    action: AuditAction,
    membershipId: string,
    metadata: Record<string, unknown>,
  ) => BatchItem;
  ignore: (reason: string) => Promise<MembershipEventResult>;
}

/** The `membership_invoices` row of a paid or failed invoice; a repeated invoice id adds nothing. */
function invoiceRow(
  { db, input, membership, written }: LifecycleEvent,
  invoice: MembershipEventInvoice,
  status: "PAID" | "FAILED",
  tier: MembershipTier,
) {
  return insertWhen(
    db,
    membershipInvoices,
    db.insert(membershipInvoices).values({
      membershipId: membership.id,
      userId: membership.userId,
      kind: invoice.kind,
      tier,
      status,
      amountCents: Math.max(0, Math.round(invoice.amountCents)),
      currency: invoice.currency.toUpperCase(),
      provider: input.provider,
      providerInvoiceId: invoice.id,
      periodStart: invoice.periodStart ?? null,
      periodEnd: invoice.periodEnd ?? null,
      failureReason: status === "FAILED" ? "The payment did not go through." : null,
      createdAt: input.now,
    }),
    written,
  ).onConflictDoNothing({
    target: [membershipInvoices.provider, membershipInvoices.providerInvoiceId],
  });
}

/**
 * A paid invoice: paid_through moves to the period it paid for, the invoice is recorded, and a
 * PAST_DUE membership is ACTIVE again (grace cleared, member emailed).
 */
async function invoicePaid(event: LifecycleEvent): Promise<MembershipEventResult> {
  const { db, input, membership, written } = event;
  const paidThrough = input.paidThrough?.getTime() ?? null;
  if (paidThrough === null) return event.ignore("The invoice names no period.");
  const wasPastDue = membership.status === "PAST_DUE";
  await db.batch([
    event.event,
    db
      .update(memberships)
      .set({
        paidThrough: sql`max(coalesce(${memberships.paidThrough}, 0), ${paidThrough})`,
        status: sql`case when ${memberships.status} = 'PAST_DUE' then 'ACTIVE' else ${memberships.status} end`,
        graceEndsAt: sql`case when ${memberships.status} = 'PAST_DUE' then null else ${memberships.graceEndsAt} end`,
        updatedAt: input.now,
      })
      .where(sql`${memberships.id} = ${membership.id} and ${written}`),
    ...(input.invoice
      ? [
          // An invoice that failed before and is paid now (a retried card, a fixed payment).
          db
            .update(membershipInvoices)
            .set({ status: "PAID", failureReason: null })
            .where(
              sql`${membershipInvoices.provider} = ${input.provider} and ${membershipInvoices.providerInvoiceId} = ${input.invoice.id} and ${membershipInvoices.status} = 'FAILED' and ${written}`,
            ),
          invoiceRow(event, input.invoice, "PAID", membership.tier),
        ]
      : []),
    event.audit("MEMBERSHIP_PAID", membership.id, {
      paidThrough,
      invoiceId: input.invoice?.id ?? null,
      ...(wasPastDue ? { from: "PAST_DUE", to: "ACTIVE" } : {}),
    }),
    ...(wasPastDue
      ? [
          queueEmail(
            db,
            {
              ...paymentReceivedEmail(),
              to: membership.email,
              dedupeKey: `membership-paid:${membership.id}:${input.invoice?.id ?? input.eventId}`,
              at: input.now,
            },
            { when: written },
          ),
        ]
      : []),
  ]);
  return {
    status: "processed",
    membershipId: membership.id,
    effect: wasPastDue ? "payment received, active again" : "paid-through extended",
  };
}

/**
 * A failed renewal payment: the invoice is recorded FAILED (once per invoice), an ACTIVE
 * membership becomes PAST_DUE with a 7-day grace, and the owner is emailed a link to fix it.
 * Further failed attempts of the same invoice keep the first grace.
 */
async function invoiceFailed(event: LifecycleEvent): Promise<MembershipEventResult> {
  const { db, input, membership, written } = event;
  const invoice = input.invoice;
  if (!invoice) return event.ignore("The event names no invoice.");
  const grace = graceEndsAt(input.now);
  const becomesPastDue = membership.status === "ACTIVE";
  const link = invoice.hostedUrl ?? "/account/membership";
  await db.batch([
    event.event,
    invoiceRow(event, invoice, "FAILED", membership.tier),
    db
      .update(memberships)
      .set({ status: "PAST_DUE", graceEndsAt: grace, updatedAt: input.now })
      .where(
        sql`${memberships.id} = ${membership.id} and ${memberships.status} = 'ACTIVE' and ${written}`,
      ),
    event.audit("MEMBERSHIP_PAYMENT_FAILED", membership.id, {
      invoiceId: invoice.id,
      amountCents: invoice.amountCents,
      ...(becomesPastDue ? { from: "ACTIVE", to: "PAST_DUE", graceEndsAt: grace.getTime() } : {}),
    }),
    ...(becomesPastDue
      ? [
          queueEmail(
            db,
            {
              ...paymentFailedEmail({ graceEndsAt: grace, link }),
              to: membership.email,
              dedupeKey: `membership-payment-failed:${membership.id}:${invoice.id}`,
              at: input.now,
            },
            {
              when: sql`${written} and exists (select 1 from "memberships" m where m."id" = ${membership.id} and m."status" = 'PAST_DUE' and m."grace_ends_at" = ${grace.getTime()})`,
            },
          ),
        ]
      : []),
  ]);
  return {
    status: "processed",
    membershipId: membership.id,
    effect: becomesPastDue ? "past due" : "failed payment recorded",
  };
}

/**
 * The subscription now carries a higher tier (Stripe's customer.subscription.updated after an
 * upgrade, or the test provider's upgrade page): tier := new tier, any pending downgrade is
 * dropped, and the credit difference is allocated once per period and tier. The event row is
 * written only while the membership is still ACTIVE on the tier we planned from, so parallel
 * deliveries change the tier once; a lower or equal tier (a downgrade waiting for the period
 * end, a pause) is not an upgrade and changes nothing here.
 */
async function tierUpgraded(event: LifecycleEvent): Promise<MembershipEventResult | null> {
  const { db, input, membership, written } = event;
  const to = input.tier ?? null;
  if (!to) return event.ignore("The subscription names no tier.");
  if (membership.status !== "ACTIVE") return event.ignore("Only an active membership upgrades.");
  if (!isUpgrade(membership.tier, to)) return event.ignore("Not an upgrade.");
  const from = membership.tier;
  const unchanged = sql`exists (select 1 from "memberships" m where m."id" = ${membership.id} and m."tier" = ${from} and m."status" = 'ACTIVE' and m."current_period_start" = ${membership.currentPeriodStart.getTime()})`;
  const credits = upgradeCredits(from, to);
  const key = upgradeKey(membership.id, membership.currentPeriodStart, to);
  const amountCents = input.invoice?.amountCents ?? 0;
  const batch = await namedBatch(db, {
    event: insertWhen(db, paymentEvents, event.event, unchanged).returning({
      id: paymentEvents.id,
    }),
    tier: db
      .update(memberships)
      .set({ tier: to, pendingTier: null, updatedAt: input.now })
      .where(sql`${memberships.id} = ${membership.id} and ${written}`),
    credits: tierDifferenceStatements(db, {
      membershipId: membership.id,
      amount: credits,
      idempotencyKey: key,
      description: upgradeDescription(from, to),
      now: input.now,
      actor: null,
      guard: written,
    }).statements,
    invoice: input.invoice ? [invoiceRow(event, input.invoice, "PAID", to)] : [],
    audit: event.audit("MEMBERSHIP_TIER_CHANGED", membership.id, {
      from,
      to,
      when: "now",
      credits,
    }),
    email: queueEmail(
      db,
      {
        ...tierUpgradedEmail({
          tierName: TIERS[to].name,
          credits,
          amountCents,
          currency: input.invoice?.currency ?? TIERS[to].currency,
        }),
        to: membership.email,
        dedupeKey: key,
        at: input.now,
      },
      { when: written },
    ),
  });
  if (batch.event.length === 0) return null;
  return { status: "processed", membershipId: membership.id, effect: "upgraded" };
}

// ---- Stripe events ----------------------------------------------------------------------------

/** The id of a Stripe field that is an id or, when expanded, the object itself. */
export const stripeId = (value: string | { id: string } | null | undefined) =>
  typeof value === "string" ? value : (value?.id ?? null);

/**
 * The membership meaning of a Stripe event, or null when it is about a product purchase
 * (those go to fulfilment.server.ts). Subscription and credit-pack checkouts carry
 * `metadata.membershipCheckoutId`; invoices and subscription changes name the subscription.
 */
export function stripeEventToMembershipEvent(
  event: Stripe.Event,
  now: Date,
): Omit<MembershipEventInput, "provider"> | null {
  const base = { eventId: event.id, type: event.type, now };
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded":
    case "checkout.session.async_payment_failed":
    case "checkout.session.expired": {
      const session = event.data.object;
      const checkoutId = session.metadata?.membershipCheckoutId;
      if (!checkoutId) return null;
      const paid =
        session.payment_status === "paid" || session.payment_status === "no_payment_required";
      const failed =
        event.type === "checkout.session.async_payment_failed" ||
        event.type === "checkout.session.expired";
      return {
        ...base,
        kind: failed ? "CHECKOUT_FAILED" : paid ? "CHECKOUT_PAID" : null,
        checkoutId,
        subscriptionId: stripeId(session.subscription),
        summary: {
          sessionId: session.id,
          mode: session.mode,
          paymentStatus: session.payment_status,
          amountTotal: session.amount_total,
          currency: session.currency,
        },
      };
    }
    case "invoice.paid":
    case "invoice.payment_failed": {
      const invoice = event.data.object;
      const subscriptionId = stripeId(invoice.parent?.subscription_details?.subscription);
      if (!subscriptionId) return null;
      const period = invoice.lines?.data?.[0]?.period ?? null;
      const periodEnd = period?.end ?? null;
      const paid = event.type === "invoice.paid";
      // The first invoice is the checkout's own payment (the membership started with it).
      const first = invoice.billing_reason === "subscription_create";
      return {
        ...base,
        kind: paid ? "INVOICE_PAID" : "INVOICE_FAILED",
        subscriptionId,
        paidThrough: paid && periodEnd ? new Date(periodEnd * 1000) : null,
        invoice:
          invoice.id && !first
            ? {
                id: invoice.id,
                kind: invoice.billing_reason === "subscription_update" ? "UPGRADE" : "RENEWAL",
                amountCents: paid ? invoice.amount_paid : invoice.amount_due,
                currency: invoice.currency,
                periodStart: period?.start ? new Date(period.start * 1000) : null,
                periodEnd: periodEnd ? new Date(periodEnd * 1000) : null,
                hostedUrl: invoice.hosted_invoice_url ?? null,
              }
            : null,
        summary: {
          invoiceId: invoice.id,
          subscriptionId,
          billingReason: invoice.billing_reason,
          amountPaid: invoice.amount_paid,
          amountDue: invoice.amount_due,
          currency: invoice.currency,
          periodEnd,
        },
      };
    }
    case "customer.subscription.deleted":
    case "customer.subscription.updated": {
      const subscription = event.data.object;
      const cancelling =
        event.type === "customer.subscription.deleted" || subscription.cancel_at_period_end;
      // After an upgrade the subscription's metadata names the new tier (membership-lifecycle).
      const tier = (MEMBERSHIP_TIERS as readonly string[]).includes(
        subscription.metadata?.tier ?? "",
      )
        ? (subscription.metadata!.tier as MembershipTier)
        : null;
      return {
        ...base,
        kind: cancelling ? "SUBSCRIPTION_CANCELLED" : tier ? "TIER_CHANGED" : null,
        subscriptionId: subscription.id,
        tier,
        summary: {
          subscriptionId: subscription.id,
          status: subscription.status,
          cancelAtPeriodEnd: subscription.cancel_at_period_end,
          tier,
        },
      };
    }
    default:
      return null;
  }
}
