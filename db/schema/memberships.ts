import { sql } from "drizzle-orm";
import {
  check,
  index,
  sqliteTable,
  uniqueIndex,
  type AnySQLiteColumn,
} from "drizzle-orm/sqlite-core";
import { users } from "./accounts";
import {
  bool,
  createdAt,
  currency,
  currencyCheck,
  enumCheck,
  id,
  integer,
  nonNegative,
  nullableEnumCheck,
  text,
  timestamp,
  updatedAt,
} from "./columns";
import {
  CREDIT_TRANSACTION_TYPES,
  MEMBERSHIP_CHECKOUT_KINDS,
  MEMBERSHIP_CHECKOUT_STATUSES,
  MEMBERSHIP_INVITATION_STATUSES,
  MEMBERSHIP_INVOICE_KINDS,
  MEMBERSHIP_INVOICE_STATUSES,
  MEMBERSHIP_MEMBER_ROLES,
  MEMBERSHIP_STATUSES,
  MEMBERSHIP_TIERS,
  PAYMENT_PROVIDERS,
} from "./enums";

/**
 * A membership, paid for by its owner (`user_id`) and shared with teammates through
 * `membership_members`. Remaining credits are derived (`total_credits - used_credits`), never
 * stored; both columns move in the same batch as the ledger row that explains them.
 * `paid_credits` is the part of the remaining credits bought with money in packs: renewal never
 * expires it and spends take period credits first (docs/decisions/0010-paid-credits.md).
 */
export const memberships = sqliteTable(
  "memberships",
  {
    id: id(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tier: text("tier", { enum: MEMBERSHIP_TIERS }).notNull(),
    status: text("status", { enum: MEMBERSHIP_STATUSES }).notNull().default("ACTIVE"),
    totalCredits: integer("total_credits").notNull().default(0),
    usedCredits: integer("used_credits").notNull().default(0),
    autoRenew: bool("auto_renew").notNull().default(true),
    currentPeriodStart: timestamp("current_period_start").notNull(),
    currentPeriodEnd: timestamp("current_period_end").notNull(),
    /** Payment covers periods ending on or before this time. */
    paidThrough: timestamp("paid_through"),
    providerSubscriptionId: text("provider_subscription_id"),
    cancelledAt: timestamp("cancelled_at"),
    /** Remaining credits bought in packs (never more than the remaining credits). */
    paidCredits: integer("paid_credits").notNull().default(0),
    /** PAUSED: when the pause began and the day it ends on its own. */
    pausedAt: timestamp("paused_at"),
    pauseEndsAt: timestamp("pause_ends_at"),
    /** PAST_DUE: a renewal payment failed; the membership expires if not paid by then. */
    graceEndsAt: timestamp("grace_ends_at"),
    /** A downgrade waiting for the period end. */
    pendingTier: text("pending_tier", { enum: MEMBERSHIP_TIERS }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("memberships_user_unique").on(t.userId),
    uniqueIndex("memberships_provider_subscription_unique").on(t.providerSubscriptionId),
    index("memberships_status_period_end_idx").on(t.status, t.currentPeriodEnd),
    enumCheck("memberships_tier_check", t.tier, MEMBERSHIP_TIERS),
    enumCheck("memberships_status_check", t.status, MEMBERSHIP_STATUSES),
    check(
      "memberships_credits_check",
      sql`${t.usedCredits} >= 0 AND ${t.totalCredits} >= 0 AND ${t.usedCredits} <= ${t.totalCredits}`,
    ),
    check("memberships_period_check", sql`${t.currentPeriodEnd} > ${t.currentPeriodStart}`),
    nullableEnumCheck("memberships_pending_tier_check", t.pendingTier, MEMBERSHIP_TIERS),
    check(
      "memberships_paid_credits_check",
      sql`${t.paidCredits} >= 0 AND ${t.paidCredits} <= ${t.totalCredits} - ${t.usedCredits}`,
    ),
    check(
      "memberships_pause_check",
      sql`(${t.status} = 'PAUSED') = (${t.pauseEndsAt} IS NOT NULL AND ${t.pausedAt} IS NOT NULL)`,
    ),
    check(
      "memberships_grace_check",
      sql`(${t.status} = 'PAST_DUE') = (${t.graceEndsAt} IS NOT NULL)`,
    ),
  ],
);

/**
 * The credit ledger: append-only (triggers refuse UPDATE and DELETE, see the custom
 * migration). Its foreign keys restrict deletion: money history outlives nothing it explains.
 */
export const creditTransactions = sqliteTable(
  "credit_transactions",
  {
    id: id(),
    membershipId: text("membership_id")
      .notNull()
      .references(() => memberships.id, { onDelete: "restrict" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    type: text("type", { enum: CREDIT_TRANSACTION_TYPES }).notNull(),
    /** Signed: + credits added, − credits spent or expired. */
    amount: integer("amount").notNull(),
    /** Remaining credits after this row. */
    balance: integer("balance").notNull(),
    /** The part of `balance` bought with money (credit packs): renewal never expires it. */
    paidBalance: integer("paid_balance").notNull().default(0),
    description: text("description").notNull(),
    /** Unique: retrying an operation can never write it twice. */
    idempotencyKey: text("idempotency_key").notNull(),
    /** A reversal points at the row it reverses. */
    reversesId: text("reverses_id").references((): AnySQLiteColumn => creditTransactions.id, {
      onDelete: "restrict",
    }),
    /** What the row is about, e.g. `add_on:<id>`, `purchase:<id>`, `period:<start>`. */
    reference: text("reference"),
    /** Who did it: staff for an adjustment (the spender of a USAGE row is `user_id`). */
    createdById: text("created_by_id").references(() => users.id, { onDelete: "restrict" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("credit_transactions_idempotency_unique").on(t.idempotencyKey),
    index("credit_transactions_membership_created_idx").on(t.membershipId, t.createdAt, t.id),
    index("credit_transactions_user_created_idx").on(t.userId, t.createdAt),
    index("credit_transactions_reference_idx").on(t.reference),
    enumCheck("credit_transactions_type_check", t.type, CREDIT_TRANSACTION_TYPES),
    check("credit_transactions_balance_check", sql`${t.balance} >= 0`),
    check(
      "credit_transactions_paid_balance_check",
      sql`${t.paidBalance} >= 0 AND ${t.paidBalance} <= ${t.balance}`,
    ),
    check(
      "credit_transactions_sign_check",
      sql`(${t.type} IN ('USAGE', 'EXPIRY') AND ${t.amount} < 0)
        OR (${t.type} IN ('INITIAL_ALLOCATION', 'RENEWAL', 'ROLLOVER', 'TOP_UP', 'REFUND') AND ${t.amount} > 0)
        OR (${t.type} = 'ADJUSTMENT' AND ${t.amount} <> 0)`,
    ),
  ],
);

export type Membership = typeof memberships.$inferSelect;
export type CreditTransaction = typeof creditTransactions.$inferSelect;

/**
 * A checkout of a subscription (a tier) or a credit pack: the price agreed at the time, the
 * provider's ids, and its outcome. Like a product purchase, nothing is fulfilled until a
 * verified payment event names it (services/membership-fulfilment.server.ts).
 */
export const membershipCheckouts = sqliteTable(
  "membership_checkouts",
  {
    id: id(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: MEMBERSHIP_CHECKOUT_KINDS }).notNull(),
    /** SUBSCRIPTION: the tier bought. */
    tier: text("tier", { enum: MEMBERSHIP_TIERS }),
    /** CREDIT_PACK: the pack's id in app/domain/memberships/tiers.ts and its credits. */
    pack: text("pack"),
    credits: integer("credits").notNull(),
    amountCents: integer("amount_cents").notNull(),
    currency: currency(),
    status: text("status", { enum: MEMBERSHIP_CHECKOUT_STATUSES }).notNull().default("PENDING"),
    provider: text("provider", { enum: PAYMENT_PROVIDERS }).notNull(),
    /** Stripe Checkout Session id (or the test provider's id). */
    providerSessionId: text("provider_session_id"),
    providerSubscriptionId: text("provider_subscription_id"),
    /** The membership it created or topped up. */
    membershipId: text("membership_id").references(() => memberships.id, {
      onDelete: "set null",
    }),
    failureReason: text("failure_reason"),
    completedAt: timestamp("completed_at"),
    /** REFUNDED (credit packs): when, and how many of its credits left the ledger. */
    refundedAt: timestamp("refunded_at"),
    refundedCredits: integer("refunded_credits"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("membership_checkouts_provider_session_unique").on(t.providerSessionId),
    index("membership_checkouts_user_created_idx").on(t.userId, t.createdAt, t.id),
    index("membership_checkouts_subscription_idx").on(t.providerSubscriptionId),
    enumCheck("membership_checkouts_kind_check", t.kind, MEMBERSHIP_CHECKOUT_KINDS),
    nullableEnumCheck("membership_checkouts_tier_check", t.tier, MEMBERSHIP_TIERS),
    enumCheck("membership_checkouts_status_check", t.status, MEMBERSHIP_CHECKOUT_STATUSES),
    enumCheck("membership_checkouts_provider_check", t.provider, PAYMENT_PROVIDERS),
    check(
      "membership_checkouts_item_check",
      sql`(${t.kind} = 'SUBSCRIPTION' AND ${t.tier} IS NOT NULL AND ${t.pack} IS NULL)
        OR (${t.kind} = 'CREDIT_PACK' AND ${t.pack} IS NOT NULL AND ${t.tier} IS NULL)`,
    ),
    check("membership_checkouts_credits_check", sql`${t.credits} > 0`),
    nonNegative("membership_checkouts_amount_check", t.amountCents),
    currencyCheck("membership_checkouts_currency_check", t.currency),
  ],
);

export type MembershipCheckout = typeof membershipCheckouts.$inferSelect;

/**
 * Who shares a membership (the brief's `Membership.users`): its owner and invited teammates.
 * A user belongs to at most one membership; a teammate may have a cap on what they spend in one
 * period (null: no cap).
 */
export const membershipMembers = sqliteTable(
  "membership_members",
  {
    id: id(),
    membershipId: text("membership_id")
      .notNull()
      .references(() => memberships.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: MEMBERSHIP_MEMBER_ROLES }).notNull(),
    /** Credits this teammate may spend per period; null = no cap. */
    periodCap: integer("period_cap"),
    addedById: text("added_by_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("membership_members_user_unique").on(t.userId),
    index("membership_members_membership_idx").on(t.membershipId, t.role),
    enumCheck("membership_members_role_check", t.role, MEMBERSHIP_MEMBER_ROLES),
    check(
      "membership_members_cap_check",
      sql`${t.periodCap} IS NULL OR (${t.periodCap} >= 0 AND ${t.role} = 'MEMBER')`,
    ),
  ],
);

export type MembershipMember = typeof membershipMembers.$inferSelect;

/** An emailed invitation to a membership's pool; the link carries a token, stored hashed. */
export const membershipInvitations = sqliteTable(
  "membership_invitations",
  {
    id: id(),
    membershipId: text("membership_id")
      .notNull()
      .references(() => memberships.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    tokenHash: text("token_hash").notNull(),
    status: text("status", { enum: MEMBERSHIP_INVITATION_STATUSES }).notNull().default("PENDING"),
    invitedById: text("invited_by_id").references(() => users.id, { onDelete: "set null" }),
    acceptedById: text("accepted_by_id").references(() => users.id, { onDelete: "set null" }),
    expiresAt: timestamp("expires_at").notNull(),
    respondedAt: timestamp("responded_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("membership_invitations_token_unique").on(t.tokenHash),
    uniqueIndex("membership_invitations_pending_unique")
      .on(t.membershipId, t.email)
      .where(sql`status = 'PENDING'`),
    index("membership_invitations_email_idx").on(t.email),
    enumCheck("membership_invitations_status_check", t.status, MEMBERSHIP_INVITATION_STATUSES),
  ],
);

export type MembershipInvitation = typeof membershipInvitations.$inferSelect;

/**
 * Provider invoices after a membership's first payment (that one is its checkout): renewals and
 * upgrade prorations, paid or failed. Billing history and receipts read them; unique per
 * provider invoice, so a repeated event records one row.
 */
export const membershipInvoices = sqliteTable(
  "membership_invoices",
  {
    id: id(),
    membershipId: text("membership_id")
      .notNull()
      .references(() => memberships.id, { onDelete: "cascade" }),
    /** The owner who paid (or whose payment failed). */
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: MEMBERSHIP_INVOICE_KINDS }).notNull(),
    tier: text("tier", { enum: MEMBERSHIP_TIERS }).notNull(),
    status: text("status", { enum: MEMBERSHIP_INVOICE_STATUSES }).notNull(),
    amountCents: integer("amount_cents").notNull(),
    currency: currency(),
    provider: text("provider", { enum: PAYMENT_PROVIDERS }).notNull(),
    providerInvoiceId: text("provider_invoice_id").notNull(),
    periodStart: timestamp("period_start"),
    periodEnd: timestamp("period_end"),
    failureReason: text("failure_reason"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("membership_invoices_provider_unique").on(t.provider, t.providerInvoiceId),
    index("membership_invoices_user_created_idx").on(t.userId, t.createdAt, t.id),
    index("membership_invoices_membership_idx").on(t.membershipId, t.createdAt),
    enumCheck("membership_invoices_kind_check", t.kind, MEMBERSHIP_INVOICE_KINDS),
    enumCheck("membership_invoices_tier_check", t.tier, MEMBERSHIP_TIERS),
    enumCheck("membership_invoices_status_check", t.status, MEMBERSHIP_INVOICE_STATUSES),
    enumCheck("membership_invoices_provider_check", t.provider, PAYMENT_PROVIDERS),
    nonNegative("membership_invoices_amount_check", t.amountCents),
    currencyCheck("membership_invoices_currency_check", t.currency),
  ],
);

export type MembershipInvoice = typeof membershipInvoices.$inferSelect;
