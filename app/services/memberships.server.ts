import { and, desc, eq, lt, or, sql, type SQL } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database } from "#db/client";
import {
  auditLogs,
  creditTransactions,
  memberships,
  users,
  type MembershipStatus,
  type MembershipTier,
} from "#db/schema";
import { clampPageSize, decodeCursor, paginate } from "~/domain/catalog/cursor";
import { remainingCredits } from "~/domain/credits/balance";
import { rolloverCredits, TIERS } from "~/domain/memberships/tiers";
import { refuse, type Result } from "~/domain/refusal";
import type { AppEnv } from "~/lib/env.server";
import {
  auditStatement,
  recentAuditStatement,
  type AuditActor,
  type AuditRequestInfo,
} from "./audit.server";
import { createStripeClient } from "./checkout.server";
import { insertWhen } from "./conditional-insert.server";
import { adjust, checkLedger } from "./ledger.server";

/** Reading memberships and the changes that are not credits (auto-renew, tier). */

const ledgerColumns = {
  seq: sql<number>`rowid`.as("seq"),
  id: creditTransactions.id,
  type: creditTransactions.type,
  amount: creditTransactions.amount,
  balance: creditTransactions.balance,
  description: creditTransactions.description,
  reference: creditTransactions.reference,
  createdAt: creditTransactions.createdAt,
};

/** One page of a membership's ledger, newest first (cursor on the insertion sequence). */
export async function ledgerPage(
  db: Database,
  membershipId: string,
  input: { cursor?: string | null; pageSize?: number } = {},
) {
  const limit = clampPageSize(input.pageSize);
  const cursor = decodeCursor(input.cursor);
  const rows = await db
    .select(ledgerColumns)
    .from(creditTransactions)
    .where(
      and(
        eq(creditTransactions.membershipId, membershipId),
        cursor ? lt(sql`rowid`, cursor.sortKey) : undefined,
      ),
    )
    .orderBy(desc(sql`rowid`))
    .limit(limit + 1);
  return paginate(rows, limit, (row) => ({ sortKey: row.seq, id: row.id }));
}
export type LedgerPageRow = Awaited<ReturnType<typeof ledgerPage>>["items"][number];

/** The balance after each of the newest `limit` rows, oldest first (for the chart). */
export async function balanceHistory(db: Database, membershipId: string, limit = 120) {
  const rows = await db
    .select({
      seq: sql<number>`rowid`.as("seq"),
      type: creditTransactions.type,
      balance: creditTransactions.balance,
      createdAt: creditTransactions.createdAt,
    })
    .from(creditTransactions)
    .where(eq(creditTransactions.membershipId, membershipId))
    .orderBy(desc(sql`rowid`))
    .limit(limit);
  return rows.reverse().map((row) => ({
    at: row.createdAt.getTime(),
    balance: row.balance,
    type: row.type,
  }));
}

const membershipColumns = {
  id: memberships.id,
  userId: memberships.userId,
  tier: memberships.tier,
  status: memberships.status,
  totalCredits: memberships.totalCredits,
  usedCredits: memberships.usedCredits,
  autoRenew: memberships.autoRenew,
  currentPeriodStart: memberships.currentPeriodStart,
  currentPeriodEnd: memberships.currentPeriodEnd,
  paidThrough: memberships.paidThrough,
  paidCredits: memberships.paidCredits,
  providerSubscriptionId: memberships.providerSubscriptionId,
  cancelledAt: memberships.cancelledAt,
  createdAt: memberships.createdAt,
};

/** What /account/membership shows; null when the user has never had a membership. */
export async function getMembershipOverview(db: Database, userId: string) {
  const [membership] = await db
    .select(membershipColumns)
    .from(memberships)
    .where(eq(memberships.userId, userId))
    .limit(1);
  if (!membership) return null;
  const tier = TIERS[membership.tier];
  const remaining = remainingCredits(membership);
  const renews = membership.status === "ACTIVE" && membership.autoRenew;
  // The renewal job renews only a membership paid through its current period (the provider's
  // invoice.paid moves paid_through); until then the member is told the payment is pending.
  const paymentPending =
    renews &&
    (membership.paidThrough === null ||
      membership.paidThrough.getTime() < membership.currentPeriodEnd.getTime());
  return {
    membership,
    remaining,
    renews,
    paymentPending,
    // Only period credits roll over (or expire); bought ones stay whole (ADR 0010).
    paidCredits: membership.paidCredits,
    rolloverPreview: renews
      ? rolloverCredits(remaining - membership.paidCredits, tier.rolloverCap)
      : 0,
    nextAllocation: renews ? tier.creditsPerPeriod : 0,
  };
}

/**
 * What /account/membership/credits shows: one page of the owner's ledger and the balance
 * history for the chart; null when the user owns no membership.
 */
export async function getCreditHistory(
  db: Database,
  userId: string,
  input: { cursor?: string | null },
) {
  const [membership] = await db
    .select({ id: memberships.id, tier: memberships.tier, status: memberships.status })
    .from(memberships)
    .where(eq(memberships.userId, userId))
    .limit(1);
  if (!membership) return null;
  const [ledger, history] = await Promise.all([
    ledgerPage(db, membership.id, { cursor: input.cursor }),
    balanceHistory(db, membership.id),
  ]);
  return { membership, ledger, history };
}
export type CreditHistory = NonNullable<Awaited<ReturnType<typeof getCreditHistory>>>;

export type MembershipOverview = NonNullable<Awaited<ReturnType<typeof getMembershipOverview>>>;

/** `not-running`: no membership, or an expired one; `provider`: Stripe refused the change. */
export type AutoRenewResult = Result<{ message: string }, "not-running" | "provider">;

/**
 * The member turns auto-renew on or off. A Stripe subscription is told first (cancel at the
 * period end, or not), so the provider and the membership agree; the period always runs out.
 */
export async function setAutoRenew(
  deps: { db: Database; env: AppEnv; stripe?: Pick<Stripe, "subscriptions"> | null },
  input: { user: AuditActor; autoRenew: boolean; now: Date; request?: AuditRequestInfo },
): Promise<AutoRenewResult> {
  const { db } = deps;
  const [membership] = await db
    .select({
      id: memberships.id,
      status: memberships.status,
      sub: memberships.providerSubscriptionId,
    })
    .from(memberships)
    .where(eq(memberships.userId, input.user.id))
    .limit(1);
  if (!membership || membership.status === "EXPIRED") {
    return refuse("conflict", "not-running", "You have no running membership to change.");
  }
  const stripe =
    deps.stripe !== undefined
      ? deps.stripe
      : deps.env.stripe && membership.sub
        ? createStripeClient(deps.env.stripe.secretKey)
        : null;
  if (stripe && membership.sub) {
    try {
      await stripe.subscriptions.update(membership.sub, { cancel_at_period_end: !input.autoRenew });
    } catch (error) {
      console.error(
        JSON.stringify({
          level: "error",
          event: "membership.auto_renew.stripe_failed",
          membershipId: membership.id,
          message: error instanceof Error ? error.message : String(error),
        }),
      );
      const message = "The payment provider didn't accept the change. Try again.";
      return refuse("upstream", "provider", message);
    }
  }
  const changed = sql`${memberships.id} = ${membership.id} and ${memberships.autoRenew} = ${input.autoRenew ? 0 : 1} and ${memberships.status} <> 'EXPIRED'`;
  const [updated] = await db.batch([
    db
      .update(memberships)
      .set({
        autoRenew: input.autoRenew,
        cancelledAt: input.autoRenew ? null : input.now,
        updatedAt: input.now,
      })
      .where(changed)
      .returning({ id: memberships.id }),
    auditStatement(db, {
      actor: input.user,
      action: "MEMBERSHIP_AUTO_RENEW_CHANGED",
      entityType: "membership",
      entityId: membership.id,
      metadata: { autoRenew: input.autoRenew, by: "member" },
      request: input.request,
      at: input.now,
    }),
  ]);
  void updated;
  return {
    ok: true,
    message: input.autoRenew
      ? "Auto-renew is on: your membership renews at the end of the period."
      : "Auto-renew is off: your membership ends with this period.",
  };
}

// ---- Staff ----------------------------------------------------------------------------------

export interface MembershipSearchInput {
  q?: string;
  tier?: MembershipTier;
  status?: MembershipStatus;
  cursor?: string;
  pageSize?: number;
}

export async function searchMemberships(db: Database, input: MembershipSearchInput) {
  const limit = clampPageSize(input.pageSize);
  const conditions: SQL[] = [];
  if (input.q) {
    const pattern = `%${input.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(
      or(
        sql`${users.email} like ${pattern} escape '\\'`,
        sql`lower(${users.name}) like ${pattern} escape '\\'`,
      )!,
    );
  }
  if (input.tier) conditions.push(eq(memberships.tier, input.tier));
  if (input.status) conditions.push(eq(memberships.status, input.status));
  const cursor = decodeCursor(input.cursor);
  if (cursor) {
    const at = new Date(cursor.sortKey);
    conditions.push(
      or(
        lt(memberships.createdAt, at),
        and(eq(memberships.createdAt, at), lt(memberships.id, cursor.id)),
      )!,
    );
  }
  const rows = await db
    .select({
      id: memberships.id,
      tier: memberships.tier,
      status: memberships.status,
      totalCredits: memberships.totalCredits,
      usedCredits: memberships.usedCredits,
      autoRenew: memberships.autoRenew,
      currentPeriodEnd: memberships.currentPeriodEnd,
      createdAt: memberships.createdAt,
      userId: users.id,
      email: users.email,
      name: users.name,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(memberships.createdAt), desc(memberships.id))
    .limit(limit + 1);
  return paginate(rows, limit, (row) => ({ sortKey: row.createdAt.getTime(), id: row.id }));
}
export type MembershipAdminListItem = Awaited<
  ReturnType<typeof searchMemberships>
>["items"][number];

/** One membership for staff: the member, the ledger page, its invariant check, history. */
export async function getMembershipDetail(
  db: Database,
  membershipId: string,
  input: { cursor?: string | null } = {},
) {
  const [[membership], ledger, check, audit] = await Promise.all([
    db
      .select({ ...membershipColumns, email: users.email, name: users.name })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.id, membershipId))
      .limit(1),
    ledgerPage(db, membershipId, { cursor: input.cursor }),
    checkLedger(db, membershipId),
    recentAuditStatement(db, "membership", membershipId, 20),
  ]);
  if (!membership || !check) return null;
  return { membership, remaining: remainingCredits(membership), ledger, check, audit };
}
export type MembershipDetail = NonNullable<Awaited<ReturnType<typeof getMembershipDetail>>>;

/**
 * Staff move a membership to another tier: from the next period on, it gets that tier's
 * allocation and cap. Credits already held do not change (use an adjustment for that).
 */
export async function assignTier(
  db: Database,
  input: {
    actor: AuditActor;
    membershipId: string;
    tier: MembershipTier;
    reason: string;
    now: Date;
    request?: AuditRequestInfo;
  },
): Promise<Result<{ message: string }, "not-found" | "unchanged" | "changed">> {
  const [current] = await db
    .select({ tier: memberships.tier })
    .from(memberships)
    .where(eq(memberships.id, input.membershipId))
    .limit(1);
  if (!current) return refuse("not-found", "not-found", "There is no such membership.");
  if (current.tier === input.tier) {
    return refuse("conflict", "unchanged", "The membership already has this tier.");
  }
  const changed = sql`${memberships.id} = ${input.membershipId} and ${memberships.tier} = ${current.tier}`;
  const [updated] = await db.batch([
    db
      .update(memberships)
      .set({ tier: input.tier, updatedAt: input.now })
      .where(changed)
      .returning({ id: memberships.id }),
    insertWhen(
      db,
      auditLogs,
      auditStatement(db, {
        actor: input.actor,
        action: "MEMBERSHIP_TIER_CHANGED",
        entityType: "membership",
        entityId: input.membershipId,
        metadata: { from: current.tier, to: input.tier, reason: input.reason },
        request: input.request,
        at: input.now,
      }),
      sql`exists (select 1 from "memberships" mm where mm."id" = ${input.membershipId} and mm."tier" = ${input.tier})`,
    ),
  ]);
  if (updated.length === 0) {
    const message = "Someone changed this membership first. Reload and try again.";
    return refuse("conflict", "changed", message);
  }
  return { ok: true, message: `The membership is now ${TIERS[input.tier].name}.` };
}

/**
 * A staff correction through the ledger. `token` comes from the form (one per render), so a
 * double submit writes one ADJUSTMENT row.
 */
export async function adjustCredits(
  db: Database,
  input: {
    actor: AuditActor;
    membershipId: string;
    amount: number;
    reason: string;
    token: string;
    now: Date;
    request?: AuditRequestInfo;
  },
): Promise<Result<{ message: string }, "not-found" | "low-balance">> {
  const result = await adjust(db, {
    membershipId: input.membershipId,
    amount: input.amount,
    reason: input.reason,
    description: `Staff adjustment: ${input.reason}`,
    idempotencyKey: `adjust:${input.membershipId}:${input.token}`,
    actor: input.actor,
    now: input.now,
    request: input.request,
  });
  if (result.status === "applied") {
    return {
      ok: true,
      message: `${input.amount > 0 ? "Added" : "Removed"} ${Math.abs(input.amount)} credits. Balance: ${result.transaction.balance}.`,
    };
  }
  if (result.status === "duplicate")
    return { ok: true, message: "This adjustment was already made." };
  if (result.reason === "not-found") {
    return refuse("not-found", "not-found", "There is no such membership.");
  }
  return refuse(
    "conflict",
    "low-balance",
    "The balance can't go below zero: remove fewer credits.",
  );
}
