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
  MEMBERSHIP_STATUSES,
  MEMBERSHIP_TIERS,
  PAYMENT_PROVIDERS,
} from "./enums";

/**
 * One membership per user. Remaining credits are derived (`total_credits - used_credits`),
 * never stored; both columns move in the same batch as the ledger row that explains them.
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
    description: text("description").notNull(),
    /** Unique: retrying an operation can never write it twice. */
    idempotencyKey: text("idempotency_key").notNull(),
    /** A reversal points at the row it reverses. */
    reversesId: text("reverses_id").references((): AnySQLiteColumn => creditTransactions.id, {
      onDelete: "restrict",
    }),
    /** What the row is about, e.g. `add_on:<id>`, `purchase:<id>`, `period:<start>`. */
    reference: text("reference"),
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
