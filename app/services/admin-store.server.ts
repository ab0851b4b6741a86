import { recentAuditStatement } from "./audit.server";
import { createId } from "@paralleldrive/cuid2";
import { and, desc, eq, lt, or, sql, type SQL } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database } from "#db/client";
import {
  digitalProductPurchases,
  digitalProducts,
  licenses,
  users,
  type LicenseStatus,
  type PurchaseStatus,
} from "#db/schema";
import { can } from "~/domain/auth/permissions";
import { clampPageSize, decodeCursor, paginate } from "~/domain/catalog/cursor";
import { likePattern } from "~/domain/catalog/filters";
import { maskLicenseKey } from "~/domain/licenses/key";
import { effectiveLicenseStatus } from "~/domain/licenses/status";
import { refuse, type Result } from "~/domain/refusal";
import type { AppEnv } from "~/lib/env.server";
import { auditStatement, type AuditActor, type AuditRequestInfo } from "./audit.server";
import { createStripeClient } from "./checkout.server";
import { applyPaymentEvent } from "./fulfilment.server";

/**
 * Staff work on the store (issue 4, item 6): /admin/purchases and /admin/licenses. Lists,
 * detail pages and the refund. License status changes go through `setLicenseStatus`
 * (licenses.server.ts); a refund goes through fulfilment like any payment event, so a staff
 * refund and a Stripe refund follow the same rules.
 */

const RECENT_AUDIT_ROWS = 20;

// The detail queries run side by side with Promise.all, not db.batch: D1's batch answers rows
// as objects keyed by column name, and these joins select several columns named alike
// (`id`, `status`, `created_at`), which would overwrite one another.

/** Buyer email or product name, case-insensitive, as a LIKE pattern. */
function textFilter(q: string | undefined): SQL | null {
  const text = q?.trim();
  if (!text) return null;
  const pattern = likePattern(text.toLowerCase());
  return or(
    sql`lower(${users.email}) like ${pattern} escape '\\'`,
    sql`lower(${digitalProducts.name}) like ${pattern} escape '\\'`,
  )!;
}

// ---- Purchases ------------------------------------------------------------------------------

export interface PurchaseSearchInput {
  q?: string;
  status?: PurchaseStatus;
  cursor?: string;
  pageSize?: number;
}

const purchaseListColumns = {
  id: digitalProductPurchases.id,
  status: digitalProductPurchases.status,
  provider: digitalProductPurchases.provider,
  licenseType: digitalProductPurchases.licenseType,
  amountCents: digitalProductPurchases.amountCents,
  currency: digitalProductPurchases.currency,
  createdAt: digitalProductPurchases.createdAt,
  completedAt: digitalProductPurchases.completedAt,
  refundedAt: digitalProductPurchases.refundedAt,
  productName: digitalProducts.name,
  buyerId: users.id,
  buyerEmail: users.email,
};

/** Purchases newest first, filtered by status and buyer email / product name; keyset-paginated. */
export async function searchPurchases(db: Database, input: PurchaseSearchInput) {
  const limit = clampPageSize(input.pageSize);
  const conditions: SQL[] = [];
  const text = textFilter(input.q);
  if (text) conditions.push(text);
  if (input.status) conditions.push(eq(digitalProductPurchases.status, input.status));
  const cursor = decodeCursor(input.cursor);
  if (cursor) {
    const at = new Date(cursor.sortKey);
    conditions.push(
      or(
        lt(digitalProductPurchases.createdAt, at),
        and(eq(digitalProductPurchases.createdAt, at), lt(digitalProductPurchases.id, cursor.id)),
      )!,
    );
  }
  const rows = await db
    .select(purchaseListColumns)
    .from(digitalProductPurchases)
    .innerJoin(digitalProducts, eq(digitalProducts.id, digitalProductPurchases.productId))
    .innerJoin(users, eq(users.id, digitalProductPurchases.userId))
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(digitalProductPurchases.createdAt), desc(digitalProductPurchases.id))
    .limit(limit + 1);
  return paginate(rows, limit, (row) => ({ sortKey: row.createdAt.getTime(), id: row.id }));
}
export type PurchaseAdminListItem = Awaited<ReturnType<typeof searchPurchases>>["items"][number];

/** Purchases in these statuses can be refunded by staff. */
export const REFUNDABLE_STATUSES: readonly PurchaseStatus[] = ["COMPLETED", "DISPUTED"];
export const isRefundable = (status: PurchaseStatus) => REFUNDABLE_STATUSES.includes(status);

/** One purchase with its buyer, product, license (masked) and audit trail; null if unknown. */
export async function getPurchaseDetail(db: Database, purchaseId: string) {
  const [[purchase], audit] = await Promise.all([
    db
      .select({
        ...purchaseListColumns,
        buyerName: users.name,
        productSlug: digitalProducts.slug,
        providerSessionId: digitalProductPurchases.providerSessionId,
        providerPaymentIntentId: digitalProductPurchases.providerPaymentIntentId,
        providerDisputeId: digitalProductPurchases.providerDisputeId,
        failureReason: digitalProductPurchases.failureReason,
        licenseId: licenses.id,
        licenseStatus: licenses.status,
        licenseKeyLast5: licenses.keyLast5,
      })
      .from(digitalProductPurchases)
      .innerJoin(digitalProducts, eq(digitalProducts.id, digitalProductPurchases.productId))
      .innerJoin(users, eq(users.id, digitalProductPurchases.userId))
      .leftJoin(licenses, eq(licenses.purchaseId, digitalProductPurchases.id))
      .where(eq(digitalProductPurchases.id, purchaseId))
      .limit(1),
    recentAuditStatement(db, "purchase", purchaseId, RECENT_AUDIT_ROWS),
  ]);
  if (!purchase) return null;
  const { licenseId, licenseStatus, licenseKeyLast5, ...rest } = purchase;
  return {
    purchase: { ...rest, refundable: isRefundable(rest.status) },
    license:
      licenseId && licenseStatus && licenseKeyLast5
        ? { id: licenseId, status: licenseStatus, maskedKey: maskLicenseKey(licenseKeyLast5) }
        : null,
    audit,
  };
}
export type PurchaseDetail = NonNullable<Awaited<ReturnType<typeof getPurchaseDetail>>>;

// ---- Refunds --------------------------------------------------------------------------------

export interface RefundDeps {
  db: Database;
  env: AppEnv;
  /** Overrides the client built from `env.stripe` (tests); null forces the test provider path. */
  stripe?: Pick<Stripe, "refunds"> | null;
}

/** `not-refundable`: its status rules a refund out; `changed`: it moved on while we looked. */
export type RefundResult = Result<
  { outcome: "refunded" | "requested"; message: string },
  "forbidden" | "not-found" | "not-refundable" | "changed" | "provider"
>;

/**
 * A staff refund. TEST purchases are refunded at once through fulfilment (purchase REFUNDED,
 * license REVOKED, both audited by fulfilment); STRIPE purchases are refunded at Stripe, and
 * the `charge.refunded` webhook applies it, so the store's state only ever follows verified
 * events. Either way the staff member's request is audited with its reason as
 * PURCHASE_REFUND_REQUESTED; PURCHASE_REFUNDED is written once, by fulfilment, with the change.
 */
export async function refundPurchase(
  deps: RefundDeps,
  input: {
    actor: AuditActor;
    purchaseId: string;
    reason: string;
    now: Date;
    request: AuditRequestInfo;
  },
): Promise<RefundResult> {
  const { db, env } = deps;
  const { actor, purchaseId, now } = input;
  if (!can(actor.role, "payments:refund")) {
    return refuse("forbidden", "forbidden", "Your role can't refund purchases.");
  }
  const reason = input.reason.trim();
  const [purchase] = await db
    .select({
      status: digitalProductPurchases.status,
      provider: digitalProductPurchases.provider,
      paymentIntentId: digitalProductPurchases.providerPaymentIntentId,
    })
    .from(digitalProductPurchases)
    .where(eq(digitalProductPurchases.id, purchaseId))
    .limit(1);
  if (!purchase) return refuse("not-found", "not-found", "That purchase doesn't exist.");
  if (!isRefundable(purchase.status)) {
    const message = `A ${purchase.status.toLowerCase()} purchase can't be refunded.`;
    return refuse("conflict", "not-refundable", message);
  }

  const audit = (metadata: Record<string, unknown>) =>
    auditStatement(db, {
      actor,
      action: "PURCHASE_REFUND_REQUESTED",
      entityType: "purchase",
      entityId: purchaseId,
      metadata: { reason, provider: purchase.provider, ...metadata },
      request: input.request,
      at: now,
    });

  if (purchase.provider === "TEST") {
    const eventId = `test_refund_${createId()}`;
    const result = await applyPaymentEvent(
      { db, env },
      {
        provider: "TEST",
        eventId,
        type: "test.refund",
        kind: "REFUNDED",
        purchaseId,
        now,
        summary: { refundedBy: actor.id },
      },
    );
    if (result.status !== "processed" || result.to !== "REFUNDED") {
      return refuse(
        "conflict",
        "changed",
        "The purchase changed just now and can't be refunded. Reload and try again.",
      );
    }
    await audit({ stage: "applied", eventId });
    return {
      ok: true,
      outcome: "refunded",
      message: "The purchase is refunded and its license revoked.",
    };
  }

  const stripe =
    deps.stripe !== undefined
      ? deps.stripe
      : env.stripe
        ? createStripeClient(env.stripe.secretKey)
        : null;
  if (!stripe || !purchase.paymentIntentId) {
    return refuse(
      "upstream",
      "provider",
      stripe
        ? "Stripe hasn't told us the payment for this purchase, so it can't be refunded here."
        : "Stripe isn't configured here, so Stripe purchases can't be refunded.",
    );
  }
  let refundId: string;
  try {
    const refund = await stripe.refunds.create(
      {
        payment_intent: purchase.paymentIntentId,
        metadata: { purchaseId, requestedBy: actor.id },
      },
      // One refund per purchase, however often the button is pressed.
      { idempotencyKey: `refund_${purchaseId}` },
    );
    refundId = refund.id;
  } catch (error) {
    console.error(
      JSON.stringify({
        event: "refund.stripe_failed",
        purchaseId,
        requestId: input.request.requestId ?? null,
        error: error instanceof Error ? error.message : String(error),
      }),
    );
    return refuse("upstream", "provider", "Stripe refused the refund. Try again later.");
  }
  await audit({ stage: "requested", refundId });
  return {
    ok: true,
    outcome: "requested",
    message: "Refund requested; the webhook will apply it.",
  };
}

// ---- Licenses -------------------------------------------------------------------------------

export interface LicenseSearchInput {
  q?: string;
  status?: LicenseStatus;
  abuse?: "FLAGGED";
  cursor?: string;
  pageSize?: number;
}

const licenseListColumns = {
  id: licenses.id,
  status: licenses.status,
  licenseType: licenses.licenseType,
  keyLast5: licenses.keyLast5,
  expiresAt: licenses.expiresAt,
  maxUsers: licenses.maxUsers,
  currentUsers: licenses.currentUsers,
  createdAt: licenses.createdAt,
  abuseDetected: licenses.abuseDetected,
  abuseReason: licenses.abuseReason,
  productName: digitalProducts.name,
  ownerId: users.id,
  ownerEmail: users.email,
  ownerStatus: users.accountStatus,
};

type LicenseListRow = {
  id: string;
  status: LicenseStatus;
  keyLast5: string;
  expiresAt: Date | null;
  ownerStatus: (typeof users.$inferSelect)["accountStatus"];
};

/** The key is never shown to staff: only its mask. */
function presentLicense<T extends LicenseListRow>(row: T, now: Date) {
  const { keyLast5, ...rest } = row;
  return {
    ...rest,
    maskedKey: maskLicenseKey(keyLast5),
    effective: effectiveLicenseStatus(row, now),
  };
}

/** Licenses newest first, filtered by status and owner email / product name; keyset-paginated. */
export async function searchLicenses(db: Database, input: LicenseSearchInput, now = new Date()) {
  const limit = clampPageSize(input.pageSize);
  const conditions: SQL[] = [];
  const text = textFilter(input.q);
  if (text) conditions.push(text);
  if (input.status) conditions.push(eq(licenses.status, input.status));
  if (input.abuse === "FLAGGED") conditions.push(eq(licenses.abuseDetected, true));
  const cursor = decodeCursor(input.cursor);
  if (cursor) {
    const at = new Date(cursor.sortKey);
    conditions.push(
      or(lt(licenses.createdAt, at), and(eq(licenses.createdAt, at), lt(licenses.id, cursor.id)))!,
    );
  }
  const rows = await db
    .select(licenseListColumns)
    .from(licenses)
    .innerJoin(digitalProducts, eq(digitalProducts.id, licenses.productId))
    .innerJoin(users, eq(users.id, licenses.userId))
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(licenses.createdAt), desc(licenses.id))
    .limit(limit + 1);
  return paginate(
    rows.map((row) => presentLicense(row, now)),
    limit,
    (item) => ({ sortKey: item.createdAt.getTime(), id: item.id }),
  );
}
export type LicenseAdminListItem = Awaited<ReturnType<typeof searchLicenses>>["items"][number];

/** One license for staff (masked key only), its purchase and audit trail; null if unknown. */
export async function getLicenseDetail(db: Database, licenseId: string, now = new Date()) {
  const [[row], audit] = await Promise.all([
    db
      .select({
        ...licenseListColumns,
        ownerName: users.name,
        purchaseId: licenses.purchaseId,
        purchaseStatus: digitalProductPurchases.status,
        statusReason: licenses.statusReason,
        revokedAt: licenses.revokedAt,
        abuseDetectedAt: licenses.abuseDetectedAt,
        updatedAt: licenses.updatedAt,
      })
      .from(licenses)
      .innerJoin(digitalProducts, eq(digitalProducts.id, licenses.productId))
      .innerJoin(users, eq(users.id, licenses.userId))
      .innerJoin(digitalProductPurchases, eq(digitalProductPurchases.id, licenses.purchaseId))
      .where(eq(licenses.id, licenseId))
      .limit(1),
    recentAuditStatement(db, "license", licenseId, RECENT_AUDIT_ROWS),
  ]);
  if (!row) return null;
  return { license: presentLicense(row, now), audit };
}
export type LicenseAdminDetail = NonNullable<Awaited<ReturnType<typeof getLicenseDetail>>>;
