import { createId } from "@paralleldrive/cuid2";
import { eq, sql, type SQL } from "drizzle-orm";
import type { Database } from "#db/client";
import {
  auditLogs,
  digitalProductPurchases,
  digitalProducts,
  licenses,
  paymentEvents,
  users,
  type PaymentProvider,
  type PurchaseStatus,
} from "#db/schema";
import type { AuditAction } from "~/domain/audit/actions";
import { paymentMismatchEmail, purchaseReceiptEmail } from "~/domain/email/templates";
import {
  LICENSE_EFFECT_STATUSES,
  planTransition,
  paymentMismatch,
  type PaidAmount,
  type PaymentEventKind,
  type PurchaseTransition,
} from "~/domain/payments/purchase-state";
import type { AppEnv } from "~/lib/env.server";
import { auditStatement } from "./audit.server";
import { insertWhen } from "./conditional-insert.server";
import { queueEmail } from "./email-outbox.server";
import { issueLicenseStatement } from "./licenses.server";
import { isUniqueViolation, namedBatch } from "./named-batch.server";
import { staffRecipients } from "./projects/emails.server";

/**
 * Fulfilment (docs/architecture.md §7): the only code that moves a purchase after checkout. Stripe's
 * webhook and the test provider both end here, so both follow the same rules.
 *
 * Idempotency and races, in one place:
 * - the `payment_events` row (unique per provider + event id) is written in the same batch as
 *   the effects, so a replayed event hits the unique constraint and the whole batch is undone;
 * - every statement of the batch is guarded by "the purchase is still in the status we read"
 *   and the purchase UPDATE runs last, so a batch either applies the whole transition or
 *   writes nothing at all (not even its event row);
 * - a batch that wrote nothing lost a race with another event: we read the state again and
 *   plan again (order of arrival does not matter; see `planTransition`).
 */

export interface FulfilmentDeps {
  db: Database;
  env: AppEnv;
}

/** What every verified payment event carries, whatever it is about. */
export interface ProviderEvent {
  provider: PaymentProvider;
  /** The provider's event id (Stripe `evt_…`); each is processed once. */
  eventId: string;
  /** The provider's event type as received, e.g. `checkout.session.completed`. */
  type: string;
  now: Date;
  /** The fields we acted on (ids, amounts, statuses): never card data. */
  summary: Record<string, unknown>;
}

export interface PaymentEventInput extends ProviderEvent {
  /** What the event means for the purchase; null → recorded as IGNORED. */
  kind: PaymentEventKind | null;
  purchaseId?: string | null;
  sessionId?: string | null;
  paymentIntentId?: string | null;
  disputeId?: string | null;
  /**
   * For PAYMENT_SUCCEEDED from a provider that reports it: what was actually paid. A
   * difference from the purchase leaves it PENDING, recorded and reported to staff.
   */
  paid?: PaidAmount;
}

export type PaymentEventResult =
  | { status: "duplicate" }
  | { status: "ignored"; purchaseId: string | null; reason: string }
  | {
      status: "processed";
      purchaseId: string;
      from: PurchaseStatus;
      to: PurchaseStatus;
      licenseId: string | null;
    };

const MAX_ATTEMPTS = 5;

export async function applyPaymentEvent(
  deps: FulfilmentDeps,
  input: PaymentEventInput,
): Promise<PaymentEventResult> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const purchase = await findPurchaseForEvent(deps.db, input);
    try {
      const result = await applyOnce(deps, input, purchase);
      if (result) return result;
    } catch (error) {
      if (isUniqueViolation(error, "payment_events")) return { status: "duplicate" };
      throw error;
    }
  }
  throw new Error(`Payment event ${input.eventId} kept losing races; giving up for a retry`);
}

type PurchaseRow = NonNullable<Awaited<ReturnType<typeof findPurchaseForEvent>>>;

async function findPurchaseForEvent(db: Database, input: PaymentEventInput) {
  const by = input.purchaseId
    ? eq(digitalProductPurchases.id, input.purchaseId)
    : input.sessionId
      ? eq(digitalProductPurchases.providerSessionId, input.sessionId)
      : input.paymentIntentId
        ? eq(digitalProductPurchases.providerPaymentIntentId, input.paymentIntentId)
        : null;
  if (!by) return null;
  const [row] = await db
    .select({
      id: digitalProductPurchases.id,
      userId: digitalProductPurchases.userId,
      productId: digitalProductPurchases.productId,
      licenseType: digitalProductPurchases.licenseType,
      amountCents: digitalProductPurchases.amountCents,
      currency: digitalProductPurchases.currency,
      status: digitalProductPurchases.status,
      provider: digitalProductPurchases.provider,
      completedAt: digitalProductPurchases.completedAt,
      paymentIntentId: digitalProductPurchases.providerPaymentIntentId,
      productName: digitalProducts.name,
      teamSeats: digitalProducts.teamSeats,
      licenseDurationMonths: digitalProducts.licenseDurationMonths,
      userEmail: users.email,
      userName: users.name,
      licenseId: licenses.id,
    })
    .from(digitalProductPurchases)
    .innerJoin(digitalProducts, eq(digitalProducts.id, digitalProductPurchases.productId))
    .innerJoin(users, eq(users.id, digitalProductPurchases.userId))
    .leftJoin(licenses, eq(licenses.purchaseId, digitalProductPurchases.id))
    .where(by)
    .limit(1);
  // An event of another provider never moves a purchase (a TEST event cannot complete a
  // Stripe purchase, and the other way round).
  if (!row || row.provider !== input.provider) return null;
  return row;
}

/** One attempt: returns null when the batch lost a race and nothing was written. */
async function applyOnce(
  deps: FulfilmentDeps,
  input: PaymentEventInput,
  purchase: PurchaseRow | null,
): Promise<PaymentEventResult | null> {
  const { db } = deps;
  const eventRowId = createId();
  const event = (status: "PROCESSED" | "IGNORED", error: string | null) =>
    db.insert(paymentEvents).values({
      id: eventRowId,
      provider: input.provider,
      eventId: input.eventId,
      type: input.type.slice(0, 100),
      status,
      purchaseId: purchase?.id ?? null,
      summary: input.summary,
      error,
      processedAt: input.now,
      createdAt: input.now,
    });

  if (!purchase) {
    const reason = input.kind ? "No purchase matches this event." : "Event type not handled.";
    await event("IGNORED", reason);
    return { status: "ignored", purchaseId: null, reason };
  }

  // Every statement holds only while the purchase is still in the status we planned from.
  const unchanged = sql`exists (select 1 from "digital_product_purchases" gp where gp."id" = ${purchase.id} and gp."status" = ${purchase.status})`;

  // A success that did not pay for the purchase: the event is kept (IGNORED, with why), staff
  // are told and audited, and the purchase stays where it was — no license.
  const mismatch =
    input.kind === "PAYMENT_SUCCEEDED" && input.paid ? paymentMismatch(purchase, input.paid) : null;
  if (mismatch) {
    const staff = await staffRecipients(db);
    const written = await namedBatch(db, {
      event: insertWhen(db, paymentEvents, event("IGNORED", mismatch), unchanged).returning({
        id: paymentEvents.id,
      }),
      audit: insertWhen(
        db,
        auditLogs,
        auditStatement(db, {
          actor: null,
          action: "PAYMENT_AMOUNT_MISMATCH",
          entityType: "purchase",
          entityId: purchase.id,
          metadata: { eventId: input.eventId, detail: mismatch, ...input.paid },
          at: input.now,
        }),
        unchanged,
      ),
      alerts: staff.map((to) =>
        queueEmail(
          db,
          {
            to: to.email,
            ...paymentMismatchEmail({
              purchaseId: purchase.id,
              eventId: input.eventId,
              detail: mismatch,
            }),
            dedupeKey: `payment-mismatch:${input.eventId}:${to.email}`,
            at: input.now,
          },
          { when: unchanged },
        ),
      ),
    });
    if (written.event.length === 0) return null;
    return { status: "ignored", purchaseId: purchase.id, reason: mismatch };
  }

  const transition = input.kind
    ? planTransition(
        { status: purchase.status, everCompleted: purchase.completedAt !== null },
        input.kind,
      )
    : null;

  if (!transition) {
    const reason = input.kind
      ? `Nothing to do for a ${purchase.status} purchase.`
      : "Event type not handled.";
    const written = await namedBatch(db, {
      event: insertWhen(db, paymentEvents, event("IGNORED", reason), unchanged).returning({
        id: paymentEvents.id,
      }),
      paymentIds: attachPaymentIds(db, purchase, input),
    });
    if (written.event.length === 0) return null;
    return { status: "ignored", purchaseId: purchase.id, reason };
  }

  const effects = await transitionStatements(deps, input, purchase, transition, unchanged);
  const written = await namedBatch(db, {
    event: insertWhen(db, paymentEvents, event("PROCESSED", null), unchanged).returning({
      id: paymentEvents.id,
    }),
    effects: effects.statements,
  });
  if (written.event.length === 0) return null;
  return {
    status: "processed",
    purchaseId: purchase.id,
    from: transition.from,
    to: transition.to,
    licenseId: effects.licenseId ?? purchase.licenseId,
  };
}

/** Keep the provider's payment ids even when the event changes nothing else. */
function attachPaymentIds(db: Database, purchase: PurchaseRow, input: PaymentEventInput) {
  if (!input.paymentIntentId || purchase.paymentIntentId) return [];
  return [
    db
      .update(digitalProductPurchases)
      .set({ providerPaymentIntentId: input.paymentIntentId })
      .where(
        sql`${digitalProductPurchases.id} = ${purchase.id} and ${digitalProductPurchases.providerPaymentIntentId} is null`,
      ),
  ];
}

async function transitionStatements(
  deps: FulfilmentDeps,
  input: PaymentEventInput,
  purchase: PurchaseRow,
  transition: PurchaseTransition,
  unchanged: SQL,
) {
  const { db, env } = deps;
  const now = input.now;
  const metadata = {
    provider: input.provider,
    eventId: input.eventId,
    eventType: input.type,
    from: transition.from,
    to: transition.to,
  };
  const audit = (
    action: AuditAction,
    entityType: "purchase" | "license",
    entityId: string,
    condition: SQL,
  ) =>
    insertWhen(
      db,
      auditLogs,
      auditStatement(db, { actor: null, action, entityType, entityId, metadata, at: now }),
      condition,
    );
  const licenseExists = (statuses?: readonly string[]) =>
    statuses
      ? sql`exists (select 1 from "licenses" gl where gl."purchase_id" = ${purchase.id} and gl."status" in (${sql.join(
          statuses.map((status) => sql`${status}`),
          sql`, `,
        )}))`
      : sql`exists (select 1 from "licenses" gl where gl."purchase_id" = ${purchase.id})`;

  // Statements run in this order; the purchase UPDATE goes last, since it ends `unchanged`.
  const statements: Parameters<Database["batch"]>[0][number][] = [];
  let licenseId: string | null = null;

  if (transition.license === "ISSUE") {
    const issued = await issueLicenseStatement(db, env, {
      purchaseId: purchase.id,
      userId: purchase.userId,
      productId: purchase.productId,
      licenseType: purchase.licenseType,
      teamSeats: purchase.teamSeats,
      durationMonths: purchase.licenseDurationMonths,
      now,
    });
    licenseId = purchase.licenseId ?? issued.licenseId;
    const noLicenseYet = sql`${unchanged} and not ${licenseExists()}`;
    statements.push(
      audit("LICENSE_ISSUED", "license", issued.licenseId, noLicenseYet),
      // Keeps the statement's own ON CONFLICT (purchase_id) DO NOTHING.
      insertWhen(db, licenses, issued.statement, noLicenseYet),
    );
  } else if (transition.license !== "NONE") {
    const { from, to } = LICENSE_EFFECT_STATUSES[transition.license];
    const action: AuditAction =
      transition.license === "SUSPEND"
        ? "LICENSE_SUSPENDED"
        : transition.license === "REINSTATE"
          ? "LICENSE_REINSTATED"
          : "LICENSE_REVOKED";
    const reason =
      transition.license === "SUSPEND"
        ? "Payment disputed"
        : transition.license === "REINSTATE"
          ? "Dispute closed in our favour"
          : transition.to === "REFUNDED" && input.kind === "DISPUTE_LOST"
            ? "Dispute lost"
            : "Purchase refunded";
    if (purchase.licenseId) {
      statements.push(
        audit(action, "license", purchase.licenseId, sql`${unchanged} and ${licenseExists(from)}`),
      );
    }
    statements.push(
      db
        .update(licenses)
        .set({
          status: to,
          statusReason: reason,
          updatedAt: now,
          ...(to === "REVOKED" ? { revokedAt: now } : {}),
        })
        .where(
          sql`${licenses.purchaseId} = ${purchase.id} and ${licenses.status} in (${sql.join(
            from.map((status) => sql`${status}`),
            sql`, `,
          )}) and ${unchanged}`,
        ),
    );
  }

  if (transition.completes) {
    statements.push(
      db
        .update(digitalProducts)
        .set({ purchaseCount: sql`${digitalProducts.purchaseCount} + 1` })
        .where(sql`${digitalProducts.id} = ${purchase.productId} and ${unchanged}`),
      audit("PURCHASE_COMPLETED", "purchase", purchase.id, unchanged),
      queueEmail(
        db,
        {
          to: purchase.userEmail,
          ...purchaseReceiptEmail({ ...purchase, buyerName: purchase.userName }),
          dedupeKey: `purchase-receipt:${purchase.id}`,
          at: now,
        },
        { when: unchanged },
      ),
    );
  }

  const purchaseAction: AuditAction | null =
    transition.to === "DISPUTED"
      ? "PURCHASE_DISPUTED"
      : transition.refunds
        ? "PURCHASE_REFUNDED"
        : transition.to === "FAILED"
          ? "PURCHASE_FAILED"
          : null;
  if (purchaseAction) statements.push(audit(purchaseAction, "purchase", purchase.id, unchanged));

  statements.push(
    db
      .update(digitalProductPurchases)
      .set({
        status: transition.to,
        updatedAt: now,
        ...(transition.completes ? { completedAt: now } : {}),
        ...(transition.refunds ? { refundedAt: now } : {}),
        ...(transition.failureReason ? { failureReason: transition.failureReason } : {}),
        ...(input.paymentIntentId && !purchase.paymentIntentId
          ? { providerPaymentIntentId: input.paymentIntentId }
          : {}),
        ...(input.kind === "DISPUTE_OPENED" && input.disputeId
          ? { providerDisputeId: input.disputeId }
          : {}),
      })
      .where(
        sql`${digitalProductPurchases.id} = ${purchase.id} and ${digitalProductPurchases.status} = ${purchase.status}`,
      ),
  );
  return { statements, licenseId };
}

/** The purchase a payment intent belongs to, for refunds and disputes (they carry only it). */
export async function findPurchaseIdByPaymentIntent(
  db: Database,
  paymentIntentId: string,
): Promise<string | null> {
  const [row] = await db
    .select({ id: digitalProductPurchases.id })
    .from(digitalProductPurchases)
    .where(eq(digitalProductPurchases.providerPaymentIntentId, paymentIntentId))
    .limit(1);
  return row?.id ?? null;
}
