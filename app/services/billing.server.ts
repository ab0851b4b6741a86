import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "#db/client";
import {
  digitalProductPurchases,
  digitalProducts,
  membershipCheckouts,
  membershipInvoices,
  users,
} from "#db/schema";
import {
  hasReceipt,
  licenseTerms,
  LISTED_STATUSES,
  receiptId,
  receiptNumber,
  type BillingKind,
  type BillingStatus,
  type ReceiptRef,
} from "~/domain/billing/receipts";
import { clampPageSize, decodeCursor, paginate } from "~/domain/catalog/cursor";
import { findCreditPack, periodLengthMs, TIERS } from "~/domain/memberships/tiers";

/**
 * Billing history (issue 15 item 6): every payment of one user, newest first, from three
 * tables — product purchases, membership checkouts (first payments and credit packs) and
 * membership invoices (renewals and upgrade prorations). One UNION query pages the keys
 * `(created_at, id)`; the rows of the page are then read from their own tables.
 */

export interface BillingEntry {
  receiptId: string;
  kind: BillingKind;
  /** What was paid for, in words ("Pro membership renewal"). */
  item: string;
  /** The license, pack or period, in words. */
  detail: string;
  /** License terms, or the tier's allocation, as the receipt prints them. */
  terms: string;
  /** The membership period paid for, if any. */
  period: { start: Date; end: Date } | null;
  amountCents: number;
  currency: string;
  status: BillingStatus;
  /** When it was paid (or failed). */
  date: Date;
  refundedAt: Date | null;
  /** A credit pack's credits that left the ledger with its refund. */
  refundedCredits: number | null;
  failureReason: string | null;
  hasReceipt: boolean;
  createdAt: Date;
  id: string;
}

const listed = sql.join(
  LISTED_STATUSES.map((status) => sql`${status}`),
  sql`, `,
);

/** One page of the user's payments, newest first, keyset-paginated on `(created_at, id)`. */
export async function listBilling(
  db: Database,
  userId: string,
  options: { cursor?: string | null; limit?: number | null } = {},
) {
  const limit = clampPageSize(options.limit);
  const cursor = decodeCursor(options.cursor);
  const after = cursor
    ? sql`where ("created_at" < ${cursor.sortKey} or ("created_at" = ${cursor.sortKey} and "id" < ${cursor.id}))`
    : sql``;
  const keys = await db.all<{ kind: BillingKind; id: string; created_at: number }>(sql`
    select "kind", "id", "created_at" from (
      select 'purchase' as "kind", "id", "created_at" from "digital_product_purchases"
        where "user_id" = ${userId} and "status" in (${listed})
      union all
      select 'checkout' as "kind", "id", "created_at" from "membership_checkouts"
        where "user_id" = ${userId} and "status" in (${listed})
      union all
      select 'invoice' as "kind", "id", "created_at" from "membership_invoices"
        where "user_id" = ${userId}
    ) ${after}
    order by "created_at" desc, "id" desc
    limit ${limit + 1}`);
  const entries = await loadEntries(db, userId, keys);
  const rows = keys
    .map((key) => entries.get(receiptId(key)))
    .filter((entry): entry is BillingEntry => entry !== undefined);
  return paginate(rows, limit, (row) => ({ sortKey: row.createdAt.getTime(), id: row.id }));
}

/** The entries named by `refs`, only the user's own, keyed by receipt id. */
async function loadEntries(db: Database, userId: string, refs: readonly ReceiptRef[]) {
  const ids = (kind: BillingKind) => refs.filter((ref) => ref.kind === kind).map((r) => r.id);
  const [purchases, checkouts, invoices] = await Promise.all([
    purchaseEntries(db, userId, ids("purchase")),
    checkoutEntries(db, userId, ids("checkout")),
    invoiceEntries(db, userId, ids("invoice")),
  ]);
  return new Map(
    [...purchases, ...checkouts, ...invoices].map((entry) => [entry.receiptId, entry] as const),
  );
}

async function purchaseEntries(
  db: Database,
  userId: string,
  ids: string[],
): Promise<BillingEntry[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select({
      id: digitalProductPurchases.id,
      licenseType: digitalProductPurchases.licenseType,
      amountCents: digitalProductPurchases.amountCents,
      currency: digitalProductPurchases.currency,
      status: digitalProductPurchases.status,
      failureReason: digitalProductPurchases.failureReason,
      completedAt: digitalProductPurchases.completedAt,
      refundedAt: digitalProductPurchases.refundedAt,
      createdAt: digitalProductPurchases.createdAt,
      productName: digitalProducts.name,
      productSlug: digitalProducts.slug,
      teamSeats: digitalProducts.teamSeats,
    })
    .from(digitalProductPurchases)
    .innerJoin(digitalProducts, eq(digitalProducts.id, digitalProductPurchases.productId))
    .where(
      and(eq(digitalProductPurchases.userId, userId), inArray(digitalProductPurchases.id, ids)),
    );
  return rows.map((row) => ({
    receiptId: receiptId({ kind: "purchase", id: row.id }),
    kind: "purchase" as const,
    item: row.productName,
    detail: `${row.licenseType.charAt(0)}${row.licenseType.slice(1).toLowerCase()} license`,
    terms: licenseTerms(row.licenseType, row.teamSeats),
    period: null,
    amountCents: row.amountCents,
    currency: row.currency,
    status: row.status,
    date: row.completedAt ?? row.createdAt,
    refundedAt: row.refundedAt,
    refundedCredits: null,
    failureReason: row.failureReason,
    hasReceipt: hasReceipt(row.status),
    createdAt: row.createdAt,
    id: row.id,
  }));
}

async function checkoutEntries(
  db: Database,
  userId: string,
  ids: string[],
): Promise<BillingEntry[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select()
    .from(membershipCheckouts)
    .where(and(eq(membershipCheckouts.userId, userId), inArray(membershipCheckouts.id, ids)));
  return rows.map((row) => {
    const date = row.completedAt ?? row.createdAt;
    const tier = row.tier ? TIERS[row.tier] : null;
    const pack = row.pack ? findCreditPack(row.pack) : null;
    return {
      receiptId: receiptId({ kind: "checkout", id: row.id }),
      kind: "checkout" as const,
      item: tier ? `${tier.name} membership` : `Credit pack: ${row.credits} credits`,
      detail: tier
        ? `First period, ${row.credits} credits`
        : `${pack?.name ?? `${row.credits} credits`}, credits that never expire`,
      terms: tier
        ? `${tier.name} membership: ${tier.creditsPerPeriod} credits every ${tier.periodDays} days.`
        : `${row.credits} credits added to your membership's pool; they are not expired at renewal.`,
      period:
        row.tier && row.completedAt
          ? {
              start: row.completedAt,
              end: new Date(row.completedAt.getTime() + periodLengthMs(row.tier)),
            }
          : null,
      amountCents: row.amountCents,
      currency: row.currency,
      status: row.status,
      date,
      refundedAt: row.refundedAt,
      refundedCredits: row.refundedCredits,
      failureReason: row.failureReason,
      hasReceipt: hasReceipt(row.status),
      createdAt: row.createdAt,
      id: row.id,
    };
  });
}

async function invoiceEntries(
  db: Database,
  userId: string,
  ids: string[],
): Promise<BillingEntry[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select()
    .from(membershipInvoices)
    .where(and(eq(membershipInvoices.userId, userId), inArray(membershipInvoices.id, ids)));
  return rows.map((row) => {
    const tier = TIERS[row.tier];
    return {
      receiptId: receiptId({ kind: "invoice", id: row.id }),
      kind: "invoice" as const,
      item: row.kind === "RENEWAL" ? `${tier.name} membership renewal` : `Upgrade to ${tier.name}`,
      detail: row.kind === "RENEWAL" ? "The next period" : "Prorated for the rest of the period",
      terms: `${tier.name} membership: ${tier.creditsPerPeriod} credits every ${tier.periodDays} days.`,
      period:
        row.periodStart && row.periodEnd ? { start: row.periodStart, end: row.periodEnd } : null,
      amountCents: row.amountCents,
      currency: row.currency,
      status: row.status,
      date: row.createdAt,
      refundedAt: null,
      refundedCredits: null,
      failureReason: row.failureReason,
      hasReceipt: hasReceipt(row.status),
      createdAt: row.createdAt,
      id: row.id,
    };
  });
}

/**
 * One printable receipt, only for the user who paid and only for a payment that was made
 * (null otherwise: the route answers 404 for someone else's, a failed one or a wrong id).
 */
export async function getReceipt(db: Database, userId: string, ref: ReceiptRef) {
  const [entries, [buyer]] = await Promise.all([
    loadEntries(db, userId, [ref]),
    db
      .select({ name: users.name, email: users.email })
      .from(users)
      .where(eq(users.id, userId))
      .limit(1),
  ]);
  const entry = entries.get(receiptId(ref));
  if (!entry || !entry.hasReceipt || !buyer) return null;
  return { ...entry, number: receiptNumber(ref), buyer };
}
export type Receipt = NonNullable<Awaited<ReturnType<typeof getReceipt>>>;
