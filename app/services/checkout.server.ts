import { createId } from "@paralleldrive/cuid2";
import { and, eq } from "drizzle-orm";
import Stripe from "stripe";
import type { Database } from "#db/client";
import { digitalProductPurchases, digitalProducts, type LicenseType } from "#db/schema";
import { licenseOptions } from "~/domain/catalog/license-options";
import { refuse, RefusalError } from "~/domain/refusal";
import type { AppEnv } from "~/lib/env.server";
import { auditStatement, type AuditActor, type AuditRequestInfo } from "./audit.server";
import { unverifiedEmailRefusal } from "./auth/email-verification.server";
import { applyPaymentEvent, type PaymentEventResult } from "./fulfilment.server";

/** Stripe's Workers build: fetch for HTTP, SubtleCrypto for signatures. One per request. */
export function createStripeClient(secretKey: string): Stripe {
  return new Stripe(secretKey, { httpClient: Stripe.createFetchHttpClient() });
}

export interface CheckoutDeps {
  db: Database;
  env: AppEnv;
  /** Overrides the client built from `env.stripe` (tests). */
  stripe?: Pick<Stripe, "checkout"> | null;
}

/**
 * Why a checkout does not start. Checkouts refuse by throwing `RefusalError` (ADR 0006): the
 * refusal may come from inside the Stripe call, and the route turns it into its answer.
 */
export type CheckoutRefusalReason =
  | "product-unavailable"
  | "license-type-not-offered"
  | "membership-exists"
  | "membership-required"
  | "pack-unavailable"
  | "payment-page-unavailable";

export const checkoutRefusal = (
  kind: "invalid" | "not-found" | "conflict" | "upstream",
  reason: CheckoutRefusalReason,
  message: string,
) => new RefusalError(refuse(kind, reason, message));

/** The payment provider of a new checkout: Stripe when configured, else the test provider. */
export function checkoutStripe(deps: CheckoutDeps): Pick<Stripe, "checkout"> | null {
  if (deps.stripe !== undefined) return deps.stripe;
  return deps.env.stripe ? createStripeClient(deps.env.stripe.secretKey) : null;
}

/** Only a confirmed address may buy (products, memberships, credit packs): nothing is written. */
export async function requireVerifiedBuyer(db: Database, userId: string): Promise<void> {
  const unverified = await unverifiedEmailRefusal(db, userId);
  if (unverified) throw new RefusalError(unverified);
}

/** Stripe would not open a payment page: logged for us, "try again" for the buyer. */
export function paymentPageUnavailable(
  event: string,
  ids: Record<string, string>,
  error: unknown,
): RefusalError {
  console.error(
    JSON.stringify({
      level: "error",
      event,
      ...ids,
      message: error instanceof Error ? error.message : String(error),
    }),
  );
  return checkoutRefusal(
    "upstream",
    "payment-page-unavailable",
    "The payment page could not be opened. Please try again.",
  );
}

export const noPaymentPage = () =>
  checkoutRefusal("upstream", "payment-page-unavailable", "Stripe returned no payment page.");

export interface StartCheckoutInput {
  user: AuditActor & { email: string };
  slug: string;
  licenseType: LicenseType;
  /** `https://store.example`: where Stripe sends the buyer back. */
  origin: string;
  now: Date;
  request?: AuditRequestInfo;
}

export interface StartedCheckout {
  purchaseId: string;
  /** Stripe Checkout's page, or the test provider's. */
  redirectTo: string;
}

/**
 * A PENDING purchase at today's price, then the payment page. The price and currency are
 * copied onto the purchase now, so a later price change never alters what the buyer agreed to.
 * Nothing is fulfilled here: only a payment event does that (fulfilment.server.ts).
 */
export async function startCheckout(
  deps: CheckoutDeps,
  input: StartCheckoutInput,
): Promise<StartedCheckout> {
  const { db } = deps;
  await requireVerifiedBuyer(db, input.user.id);
  const [product] = await db
    .select({
      id: digitalProducts.id,
      name: digitalProducts.name,
      slug: digitalProducts.slug,
      currency: digitalProducts.currency,
      pricePersonalCents: digitalProducts.pricePersonalCents,
      priceCommercialCents: digitalProducts.priceCommercialCents,
      priceTeamCents: digitalProducts.priceTeamCents,
      teamSeats: digitalProducts.teamSeats,
    })
    .from(digitalProducts)
    .where(and(eq(digitalProducts.slug, input.slug), eq(digitalProducts.status, "PUBLISHED")))
    .limit(1);
  if (!product) {
    throw checkoutRefusal("not-found", "product-unavailable", "This product isn't available.");
  }

  const option = licenseOptions(product).find((candidate) => candidate.type === input.licenseType);
  if (!option) {
    throw checkoutRefusal(
      "invalid",
      "license-type-not-offered",
      `${product.name} isn't sold with this license type.`,
    );
  }

  const stripe = checkoutStripe(deps);
  const purchaseId = createId();
  await db.batch([
    db.insert(digitalProductPurchases).values({
      id: purchaseId,
      userId: input.user.id,
      productId: product.id,
      licenseType: option.type,
      amountCents: option.priceCents,
      currency: product.currency,
      status: "PENDING",
      provider: stripe ? "STRIPE" : "TEST",
      providerSessionId: stripe ? null : `test_${purchaseId}`,
      createdAt: input.now,
      updatedAt: input.now,
    }),
    auditStatement(db, {
      actor: { id: input.user.id, role: input.user.role },
      action: "PURCHASE_STARTED",
      entityType: "purchase",
      entityId: purchaseId,
      metadata: {
        productId: product.id,
        licenseType: option.type,
        amountCents: option.priceCents,
        currency: product.currency,
        provider: stripe ? "STRIPE" : "TEST",
      },
      request: input.request,
      at: input.now,
    }),
  ]);

  if (!stripe) return { purchaseId, redirectTo: `/checkout/test/${purchaseId}` };

  let session: Stripe.Checkout.Session;
  try {
    session = await stripe.checkout.sessions.create(
      {
        mode: "payment",
        client_reference_id: purchaseId,
        customer_email: input.user.email,
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: product.currency.toLowerCase(),
              unit_amount: option.priceCents,
              product_data: { name: `${product.name} — ${option.label} license` },
            },
          },
        ],
        metadata: { purchaseId },
        // Refunds and disputes name only the payment intent: this lets us find the purchase
        // even when they arrive before the checkout event.
        payment_intent_data: { metadata: { purchaseId } },
        success_url: `${input.origin}/account/purchases?checkout=success`,
        cancel_url: `${input.origin}/products/${product.slug}?checkout=cancelled`,
      },
      { idempotencyKey: `checkout:${purchaseId}` },
    );
  } catch (error) {
    await markCheckoutFailed(db, purchaseId, input.now, "Stripe refused to start the checkout.");
    throw paymentPageUnavailable("checkout.stripe_failed", { purchaseId }, error);
  }

  await db
    .update(digitalProductPurchases)
    .set({ providerSessionId: session.id, updatedAt: input.now })
    .where(eq(digitalProductPurchases.id, purchaseId));
  if (!session.url) throw noPaymentPage();
  return { purchaseId, redirectTo: session.url };
}

async function markCheckoutFailed(db: Database, purchaseId: string, now: Date, reason: string) {
  await db
    .update(digitalProductPurchases)
    .set({ status: "FAILED", failureReason: reason, updatedAt: now })
    .where(
      and(
        eq(digitalProductPurchases.id, purchaseId),
        eq(digitalProductPurchases.status, "PENDING"),
      ),
    );
}

/**
 * The test provider's "payment": the same fulfilment path as a Stripe event, with a fresh
 * event id per click. The route checks ownership and that the provider is allowed at all.
 */
export async function settleTestCheckout(
  deps: { db: Database; env: AppEnv },
  input: { purchaseId: string; outcome: "succeed" | "fail"; now: Date },
): Promise<PaymentEventResult> {
  return applyPaymentEvent(deps, {
    provider: "TEST",
    eventId: `test_evt_${createId()}`,
    type: input.outcome === "succeed" ? "test.payment_succeeded" : "test.payment_failed",
    kind: input.outcome === "succeed" ? "PAYMENT_SUCCEEDED" : "PAYMENT_FAILED",
    purchaseId: input.purchaseId,
    now: input.now,
    summary: { outcome: input.outcome },
  });
}
