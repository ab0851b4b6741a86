import { sql } from "drizzle-orm";
import {
  check,
  index,
  sqliteTable,
  uniqueIndex,
  type AnySQLiteColumn,
} from "drizzle-orm/sqlite-core";
import { users } from "./accounts";
import { bool, createdAt, enumCheck, id, integer, text, timestamp, updatedAt } from "./columns";
import { CREDIT_TRANSACTION_TYPES, MEMBERSHIP_STATUSES, MEMBERSHIP_TIERS } from "./enums";

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
      sql`(${t.type} IN ('SPEND', 'EXPIRY') AND ${t.amount} < 0)
        OR (${t.type} IN ('ALLOCATION', 'RENEWAL', 'ROLLOVER', 'TOP_UP', 'REFUND') AND ${t.amount} > 0)
        OR (${t.type} = 'ADJUSTMENT' AND ${t.amount} <> 0)`,
    ),
  ],
);

export type Membership = typeof memberships.$inferSelect;
export type CreditTransaction = typeof creditTransactions.$inferSelect;
