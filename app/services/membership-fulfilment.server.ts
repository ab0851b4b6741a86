import { createId } from "@paralleldrive/cuid2";
import { eq, sql, type SQL } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database } from "#db/client";
import { auditLogs, membershipCheckouts, memberships, paymentEvents } from "#db/schema";
import type { AuditAction } from "~/domain/audit/actions";
import { periodLengthMs, TIERS } from "~/domain/memberships/tiers";
import { auditStatement } from "./audit.server";
import { insertWhen } from "./conditional-insert.server";
import type { ProviderEvent } from "./fulfilment.server";
import { paidCreditsStatements } from "./ledger.server";
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
  "CHECKOUT_PAID" | "CHECKOUT_FAILED" | "INVOICE_PAID" | "SUBSCRIPTION_CANCELLED";

export interface MembershipEventInput extends ProviderEvent {
  kind: MembershipEventKind | null;
  checkoutId?: string | null;
  subscriptionId?: string | null;
  /** INVOICE_PAID: the end of the period the invoice paid for. */
  paidThrough?: Date | null;
}

export type MembershipEventResult =
  | { status: "duplicate" }
  | { status: "ignored"; reason: string }
  | { status: "processed"; membershipId: string | null; effect: string };

type BatchItem = Parameters<Database["batch"]>[0][number];
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

  if (input.kind === "INVOICE_PAID" || input.kind === "SUBSCRIPTION_CANCELLED") {
    const membership = input.subscriptionId
      ? await findMembership(db, eq(memberships.providerSubscriptionId, input.subscriptionId))
      : null;
    if (!membership) return ignore("No membership has this subscription.");
    const event = eventRow("PROCESSED", null, null);
    if (input.kind === "INVOICE_PAID") {
      const paidThrough = input.paidThrough?.getTime() ?? null;
      if (paidThrough === null) return ignore("The invoice names no period.");
      await db.batch([
        event,
        db
          .update(memberships)
          .set({
            paidThrough: sql`max(coalesce(${memberships.paidThrough}, 0), ${paidThrough})`,
            updatedAt: input.now,
          })
          .where(sql`${memberships.id} = ${membership.id} and ${written}`),
        audit("MEMBERSHIP_PAID", membership.id, { paidThrough }),
      ]);
      return { status: "processed", membershipId: membership.id, effect: "paid-through extended" };
    }
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
    .select({ id: memberships.id, status: memberships.status, updatedAt: memberships.updatedAt })
    .from(memberships)
    .where(where)
    .limit(1);
  return row ?? null;
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
    case "invoice.paid": {
      const invoice = event.data.object;
      const subscriptionId = stripeId(invoice.parent?.subscription_details?.subscription);
      if (!subscriptionId) return null;
      const periodEnd = invoice.lines?.data?.[0]?.period?.end ?? null;
      return {
        ...base,
        kind: "INVOICE_PAID",
        subscriptionId,
        paidThrough: periodEnd ? new Date(periodEnd * 1000) : null,
        summary: {
          invoiceId: invoice.id,
          subscriptionId,
          amountPaid: invoice.amount_paid,
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
      return {
        ...base,
        kind: cancelling ? "SUBSCRIPTION_CANCELLED" : null,
        subscriptionId: subscription.id,
        summary: {
          subscriptionId: subscription.id,
          status: subscription.status,
          cancelAtPeriodEnd: subscription.cancel_at_period_end,
        },
      };
    }
    default:
      return null;
  }
}
