import { createId } from "@paralleldrive/cuid2";
import { and, asc, desc, eq, gte, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database } from "#db/client";
import {
  auditLogs,
  creditTransactions,
  membershipCheckouts,
  membershipMembers,
  memberships,
  users,
  type MembershipTier,
} from "#db/schema";
import { membershipGrantedEmail } from "~/domain/email/templates";
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
import { paidCreditsStatements, refundPackStatements } from "./ledger.server";
import { isUniqueViolation, namedBatch } from "./named-batch.server";

/**
 * Staff tools of a membership (issue 15 item 7): seats and pool usage, refunding a credit pack,
 * and giving a membership to a user who has none.
 */

// ---- Seats and pool usage ------------------------------------------------------------------

/**
 * Who shares the membership, what each spent this period (the USAGE rows name the spender)
 * and their cap; the lifecycle dates (pending downgrade, pause, grace); the credit packs,
 * newest first. Null when there is no such membership.
 */
export async function getSeatsAndPacks(db: Database, membershipId: string) {
  const [membership] = await db
    .select({
      id: memberships.id,
      currentPeriodStart: memberships.currentPeriodStart,
      currentPeriodEnd: memberships.currentPeriodEnd,
      paidCredits: memberships.paidCredits,
      pendingTier: memberships.pendingTier,
      pausedAt: memberships.pausedAt,
      pauseEndsAt: memberships.pauseEndsAt,
      graceEndsAt: memberships.graceEndsAt,
    })
    .from(memberships)
    .where(eq(memberships.id, membershipId))
    .limit(1);
  if (!membership) return null;
  const [seats, usage, packs] = await Promise.all([
    db
      .select({
        userId: membershipMembers.userId,
        role: membershipMembers.role,
        periodCap: membershipMembers.periodCap,
        since: membershipMembers.createdAt,
        email: users.email,
        name: users.name,
      })
      .from(membershipMembers)
      .innerJoin(users, eq(users.id, membershipMembers.userId))
      .where(eq(membershipMembers.membershipId, membership.id))
      .orderBy(asc(membershipMembers.role), asc(membershipMembers.createdAt)),
    db
      .select({
        userId: creditTransactions.userId,
        spent: sql<number>`coalesce(sum(-${creditTransactions.amount}), 0)`,
      })
      .from(creditTransactions)
      .where(
        and(
          eq(creditTransactions.membershipId, membership.id),
          eq(creditTransactions.type, "USAGE"),
          gte(creditTransactions.createdAt, membership.currentPeriodStart),
        ),
      )
      .groupBy(creditTransactions.userId),
    db
      .select({
        id: membershipCheckouts.id,
        pack: membershipCheckouts.pack,
        credits: membershipCheckouts.credits,
        amountCents: membershipCheckouts.amountCents,
        currency: membershipCheckouts.currency,
        status: membershipCheckouts.status,
        provider: membershipCheckouts.provider,
        completedAt: membershipCheckouts.completedAt,
        refundedAt: membershipCheckouts.refundedAt,
        refundedCredits: membershipCheckouts.refundedCredits,
      })
      .from(membershipCheckouts)
      .where(
        and(
          eq(membershipCheckouts.membershipId, membership.id),
          eq(membershipCheckouts.kind, "CREDIT_PACK"),
          sql`${membershipCheckouts.status} in ('COMPLETED', 'REFUNDED')`,
        ),
      )
      .orderBy(desc(membershipCheckouts.createdAt), desc(membershipCheckouts.id)),
  ]);
  const spentBy = new Map(usage.map((row) => [row.userId, Number(row.spent)]));
  const { id: _id, ...lifecycle } = membership;
  return {
    lifecycle,
    seats: seats.map((seat) => ({ ...seat, spent: spentBy.get(seat.userId) ?? 0 })),
    packs: packs.map((pack) => ({
      ...pack,
      refundedAt: pack.status === "REFUNDED" ? pack.refundedAt : null,
    })),
  };
}

// ---- Refund a credit pack --------------------------------------------------------------------

export interface PackRefundDeps {
  db: Database;
  env: AppEnv;
  /** Overrides the client built from `env.stripe` (tests); null: no Stripe here. */
  stripe?: Pick<Stripe, "refunds" | "checkout"> | null;
}

/** A refund claim older than this is taken to have died with its request and may be retried. */
export const PACK_REFUND_CLAIM_MS = 5 * 60 * 1000;

export type PackRefundResult = Result<
  { message: string; refundedCredits: number },
  "not-found" | "not-refundable" | "already-refunded" | "provider" | "changed"
>;

/**
 * Staff refund a credit pack: the money back through Stripe (the test provider has no one to
 * call), then in one batch the pack's credits out of the paid bucket (min(pack, paid credits
 * left), the lead's `refundPackStatements`), the checkout REFUNDED with its refunded credits,
 * and the audit row. The request first claims the checkout (`refunded_at` set while it is
 * still COMPLETED), so of two parallel refunds one calls Stripe and the other is refused; a
 * failed Stripe call gives the claim back. Stripe's idempotency key makes a retry after a
 * crash refund once.
 */
export async function refundCreditPack(
  deps: PackRefundDeps,
  input: {
    actor: AuditActor;
    membershipId: string;
    checkoutId: string;
    reason: string;
    now: Date;
    request?: AuditRequestInfo;
  },
): Promise<PackRefundResult> {
  const { db, env } = deps;
  const { checkoutId, membershipId, now } = input;
  const reason = input.reason.trim();
  const [checkout] = await db
    .select({
      kind: membershipCheckouts.kind,
      status: membershipCheckouts.status,
      membershipId: membershipCheckouts.membershipId,
      provider: membershipCheckouts.provider,
      sessionId: membershipCheckouts.providerSessionId,
      credits: membershipCheckouts.credits,
    })
    .from(membershipCheckouts)
    .where(eq(membershipCheckouts.id, checkoutId))
    .limit(1);
  if (!checkout || checkout.kind !== "CREDIT_PACK" || checkout.membershipId !== membershipId) {
    return refuse("not-found", "not-found", "This membership has no such credit pack.");
  }
  if (checkout.status === "REFUNDED") {
    return refuse("conflict", "already-refunded", "This credit pack was already refunded.");
  }
  if (checkout.status !== "COMPLETED") {
    const message = `A ${checkout.status.toLowerCase()} credit pack can't be refunded.`;
    return refuse("conflict", "not-refundable", message);
  }

  const claimedAt = now.getTime();
  const claim = await db
    .update(membershipCheckouts)
    .set({ refundedAt: now })
    .where(
      sql`${membershipCheckouts.id} = ${checkoutId} and ${membershipCheckouts.status} = 'COMPLETED' and (${membershipCheckouts.refundedAt} is null or ${membershipCheckouts.refundedAt} < ${claimedAt - PACK_REFUND_CLAIM_MS})`,
    )
    .returning({ id: membershipCheckouts.id });
  if (claim.length === 0) {
    return refuse(
      "conflict",
      "already-refunded",
      "This credit pack is already being refunded, or was refunded just now.",
    );
  }
  const release = () =>
    db
      .update(membershipCheckouts)
      .set({ refundedAt: null })
      .where(
        sql`${membershipCheckouts.id} = ${checkoutId} and ${membershipCheckouts.status} = 'COMPLETED' and ${membershipCheckouts.refundedAt} = ${claimedAt}`,
      );

  let refundId: string | null = null;
  if (checkout.provider === "STRIPE") {
    const stripe =
      deps.stripe !== undefined
        ? deps.stripe
        : env.stripe
          ? createStripeClient(env.stripe.secretKey)
          : null;
    if (!stripe || !checkout.sessionId) {
      await release();
      return refuse(
        "upstream",
        "provider",
        stripe
          ? "Stripe hasn't told us the payment of this pack, so it can't be refunded here."
          : "Stripe isn't configured here, so Stripe payments can't be refunded.",
      );
    }
    try {
      const session = await stripe.checkout.sessions.retrieve(checkout.sessionId);
      const paymentIntent =
        typeof session.payment_intent === "string"
          ? session.payment_intent
          : (session.payment_intent?.id ?? null);
      if (!paymentIntent) throw new Error("The checkout session has no payment intent");
      const refund = await stripe.refunds.create(
        { payment_intent: paymentIntent, metadata: { checkoutId, requestedBy: input.actor.id } },
        // One refund per pack, however often the button is pressed or a claim retried.
        { idempotencyKey: `refund_pack_${checkoutId}` },
      );
      refundId = refund.id;
    } catch (error) {
      console.error(
        JSON.stringify({
          level: "error",
          event: "membership.pack_refund.stripe_failed",
          checkoutId,
          requestId: input.request?.requestId ?? null,
          message: error instanceof Error ? error.message : String(error),
        }),
      );
      await release();
      return refuse("upstream", "provider", "Stripe refused the refund. Try again later.");
    }
  }

  const ours = sql`exists (select 1 from "membership_checkouts" c where c."id" = ${checkoutId} and c."status" = 'COMPLETED' and c."refunded_at" = ${claimedAt})`;
  const ledger = refundPackStatements(db, {
    membershipId,
    checkoutId,
    packCredits: checkout.credits,
    idempotencyKey: `refund-pack:${checkoutId}`,
    description: `Credit pack refunded (${checkout.credits} credits bought): ${reason}`,
    now,
    actor: input.actor,
    request: input.request,
    guard: ours,
  });
  const taken = sql`coalesce((select -ct."amount" from "credit_transactions" ct where ct."id" = ${ledger.rowId}), 0)`;
  const result = await namedBatch(db, {
    ledger: ledger.statements,
    checkout: db
      .update(membershipCheckouts)
      .set({ status: "REFUNDED", refundedCredits: taken, updatedAt: now })
      .where(
        sql`${membershipCheckouts.id} = ${checkoutId} and ${membershipCheckouts.status} = 'COMPLETED' and ${membershipCheckouts.refundedAt} = ${claimedAt}`,
      )
      .returning({ refundedCredits: membershipCheckouts.refundedCredits }),
    audit: insertWhen(
      db,
      auditLogs,
      auditStatement(db, {
        actor: input.actor,
        action: "CREDIT_PACK_REFUNDED",
        entityType: "membership",
        entityId: membershipId,
        metadata: {
          checkoutId,
          reason,
          provider: checkout.provider,
          refundId,
          transactionId: ledger.rowId,
        },
        request: input.request,
        at: now,
      }),
      sql`exists (select 1 from "membership_checkouts" c where c."id" = ${checkoutId} and c."status" = 'REFUNDED' and c."refunded_at" = ${claimedAt})`,
    ),
  });
  const [done] = result.checkout;
  if (!done) {
    const message = "This credit pack changed while it was being refunded. Reload and look.";
    return refuse("conflict", "changed", message);
  }
  const refundedCredits = done.refundedCredits ?? 0;
  return {
    ok: true,
    refundedCredits,
    message:
      refundedCredits > 0
        ? `The pack is refunded; ${refundedCredits} credits left the balance.`
        : "The pack is refunded; its credits had already been spent.",
  };
}

// ---- Give a membership -------------------------------------------------------------------------

export type GrantResult = Result<
  { membershipId: string; message: string },
  "not-found" | "has-membership" | "changed"
>;

const HAS_ONE = (who: string, what: string) =>
  refuse("conflict", "has-membership", `${who} ${what}, so they can't be given another.`, {
    field: "userId",
  });

/**
 * Staff give a membership to a user who has none: no provider subscription, auto-renew off,
 * paid through its first period, the OWNER seat, the tier's INITIAL_ALLOCATION through the
 * ledger, the audit row (MEMBERSHIP_GRANTED) and the email, in one batch. Refused when the
 * user owns a live membership or has a seat on anyone's; an expired membership of theirs is
 * started again (the user owns at most one row).
 */
export async function grantMembership(
  db: Database,
  input: {
    actor: AuditActor;
    userId: string;
    tier: MembershipTier;
    reason: string;
    now: Date;
    request?: AuditRequestInfo;
  },
): Promise<GrantResult> {
  const { now, tier } = input;
  const reason = input.reason.trim();
  const [user] = await db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(eq(users.id, input.userId))
    .limit(1);
  if (!user) return refuse("not-found", "not-found", "There is no such account.");
  const [[owned], [seat]] = await Promise.all([
    db
      .select({ id: memberships.id, status: memberships.status, updatedAt: memberships.updatedAt })
      .from(memberships)
      .where(eq(memberships.userId, user.id))
      .limit(1),
    db
      .select({ membershipId: membershipMembers.membershipId })
      .from(membershipMembers)
      .where(eq(membershipMembers.userId, user.id))
      .limit(1),
  ]);
  if (owned && owned.status !== "EXPIRED") {
    return HAS_ONE(user.email, `already has a ${owned.status.toLowerCase()} membership`);
  }
  if (seat && seat.membershipId !== owned?.id) {
    return HAS_ONE(user.email, "has a seat on someone else's membership");
  }

  const membershipId = owned?.id ?? createId();
  const config = TIERS[tier];
  const end = new Date(now.getTime() + periodLengthMs(tier));
  const values = {
    tier,
    status: "ACTIVE" as const,
    autoRenew: false,
    currentPeriodStart: now,
    currentPeriodEnd: end,
    paidThrough: end,
    providerSubscriptionId: null,
    cancelledAt: null,
    pendingTier: null,
    pausedAt: null,
    pauseEndsAt: null,
    graceEndsAt: null,
    updatedAt: now,
  };
  // The audit row follows this batch's membership write (`changes() = 1`) and everything else
  // follows the audit row: a parallel grant in the same millisecond (workerd's clock only moves
  // on I/O) leaves the same `current_period_start`, so the stored row can't tell them apart.
  const auditId = createId();
  const started = auditRowWritten(auditId);
  try {
    const result = await namedBatch(db, {
      membership: owned
        ? db
            .update(memberships)
            .set(values)
            .where(
              sql`${memberships.id} = ${owned.id} and ${memberships.status} = 'EXPIRED' and ${memberships.updatedAt} = ${owned.updatedAt.getTime()}`,
            )
            .returning({ id: memberships.id })
        : db
            .insert(memberships)
            .values({
              id: membershipId,
              userId: user.id,
              totalCredits: 0,
              usedCredits: 0,
              createdAt: now,
              ...values,
            })
            .returning({ id: memberships.id }),
      audit: insertWhen(
        db,
        auditLogs,
        auditStatement(db, {
          id: auditId,
          actor: input.actor,
          action: "MEMBERSHIP_GRANTED",
          entityType: "membership",
          entityId: membershipId,
          metadata: { userId: user.id, tier, reason, periodEnd: end.toISOString() },
          request: input.request,
          at: now,
        }),
        sql`changes() = 1`,
      ),
      seat: seat
        ? []
        : [
            insertWhen(
              db,
              membershipMembers,
              db.insert(membershipMembers).values({
                membershipId,
                userId: user.id,
                role: "OWNER",
                addedById: input.actor.id,
                createdAt: now,
                updatedAt: now,
              }),
              started,
            ),
          ],
      ledger: paidCreditsStatements(db, {
        membershipId,
        type: "INITIAL_ALLOCATION",
        amount: config.creditsPerPeriod,
        idempotencyKey: `grant:${membershipId}:${now.getTime()}`,
        description: `${config.name} membership given by the studio: first period`,
        reference: `period:${now.getTime()}`,
        now,
        actor: input.actor,
        request: input.request,
        guard: started,
      }),
      email: queueEmail(
        db,
        {
          to: user.email,
          ...membershipGrantedEmail({
            name: user.name,
            tierName: config.name,
            credits: config.creditsPerPeriod,
            periodEnd: end,
          }),
          dedupeKey: `membership-granted:${membershipId}:${now.getTime()}`,
          at: now,
        },
        { when: started },
      ),
    });
    if (result.membership.length === 0) {
      const message = "This account's membership changed just now. Reload and try again.";
      return refuse("conflict", "changed", message);
    }
  } catch (error) {
    // A parallel grant, checkout or invitation gave this user a membership or a seat first.
    if (isUniqueViolation(error, "memberships") || isUniqueViolation(error, "membership_members")) {
      return HAS_ONE(user.email, "was given a membership or a seat just now");
    }
    throw error;
  }
  return {
    ok: true,
    membershipId,
    message: `${user.email} now has a ${config.name} membership with ${config.creditsPerPeriod} credits.`,
  };
}

/** Who /admin/memberships/new?userId= is about, and the membership they already have, if any. */
export async function getGrantTarget(db: Database, userId: string) {
  const [user] = await db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  if (!user) return null;
  const [current] = await db
    .select({ id: memberships.id, tier: memberships.tier, status: memberships.status })
    .from(membershipMembers)
    .innerJoin(memberships, eq(memberships.id, membershipMembers.membershipId))
    .where(and(eq(membershipMembers.userId, userId), sql`${memberships.status} <> 'EXPIRED'`))
    .limit(1);
  return { user, current: current ?? null };
}
