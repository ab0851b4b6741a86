import Stripe from "stripe";
import type { PaymentEventKind } from "~/domain/payments/purchase-state";
import { refuse, type Result } from "~/domain/refusal";
import type { AppEnv } from "~/lib/env.server";
import { createStripeClient } from "./checkout.server";
import {
  applyPaymentEvent,
  findPurchaseIdByPaymentIntent,
  type FulfilmentDeps,
  type PaymentEventInput,
  type PaymentEventResult,
} from "./fulfilment.server";
import {
  applyMembershipEvent,
  stripeEventToMembershipEvent,
  stripeId,
  type MembershipEventResult,
} from "./membership-fulfilment.server";

/** Stripe's own default: a signed event older than this is refused (replay protection). */
export const STRIPE_SIGNATURE_TOLERANCE_SECONDS = 300;

const cryptoProvider = Stripe.createSubtleCryptoProvider();

export type VerifiedStripeEvent = Result<
  { event: Stripe.Event },
  "signature-missing" | "signature-invalid" | "signed-in-future" | "not-an-event"
>;

/** The `t=` of a `Stripe-Signature` header, in seconds, or null. */
function signedAt(signature: string): number | null {
  const match = /(?:^|,)\s*t=(\d{1,12})\s*(?:,|$)/.exec(signature);
  return match ? Number(match[1]) : null;
}

/** The shape every Stripe event has; a signed `{}` or `[]` is not an event. */
function isStripeEvent(value: unknown): value is Stripe.Event {
  if (!value || typeof value !== "object" || Array.isArray(value)) return false;
  const event = value as { id?: unknown; type?: unknown; data?: { object?: unknown } };
  return (
    typeof event.id === "string" &&
    typeof event.type === "string" &&
    typeof event.data === "object" &&
    event.data !== null &&
    typeof event.data.object === "object" &&
    event.data.object !== null
  );
}

/**
 * Check `Stripe-Signature` against the raw body (as received: re-serialized JSON would not
 * match) and the endpoint secret. Events signed more than five minutes ago are refused, and so
 * are events signed more than five minutes in the future (the SDK only checks the past: a
 * future timestamp would stretch a captured event's replay window).
 */
export async function verifyStripeEvent(
  rawBody: string,
  signature: string | null,
  secret: string,
  now: Date = new Date(),
): Promise<VerifiedStripeEvent> {
  if (!signature) {
    return refuse("invalid", "signature-missing", "Missing Stripe-Signature header");
  }
  try {
    const event = await Stripe.webhooks.constructEventAsync(
      rawBody,
      signature,
      secret,
      STRIPE_SIGNATURE_TOLERANCE_SECONDS,
      cryptoProvider,
      now.getTime(),
    );
    const at = signedAt(signature);
    if (at !== null && at * 1000 > now.getTime() + STRIPE_SIGNATURE_TOLERANCE_SECONDS * 1000) {
      return refuse("invalid", "signed-in-future", "The signature's timestamp is in the future");
    }
    if (!isStripeEvent(event)) {
      return refuse("invalid", "not-an-event", "The signed body is not a Stripe event");
    }
    return { ok: true, event };
  } catch (error) {
    return refuse(
      "invalid",
      "signature-invalid",
      error instanceof Error ? error.message : "Invalid signature",
    );
  }
}

/** A Stripe signature header for a payload, as the SDK's tests make them (no network). */
export function signStripePayload(payload: string, secret: string, timestamp?: number) {
  return Stripe.webhooks.generateTestHeaderStringAsync({
    payload,
    secret,
    cryptoProvider,
    ...(timestamp === undefined ? {} : { timestamp }),
  });
}

/**
 * The parts of a Stripe event fulfilment needs. Types we don't handle map to `kind: null`
 * and are recorded as IGNORED. The summary keeps ids, amounts and statuses only.
 */
export function stripeEventToPaymentEvent(
  event: Stripe.Event,
  now: Date,
): Omit<PaymentEventInput, "provider"> {
  const base = { eventId: event.id, type: event.type, now };
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded":
    case "checkout.session.async_payment_failed":
    case "checkout.session.expired": {
      const session = event.data.object;
      const paid =
        session.payment_status === "paid" || session.payment_status === "no_payment_required";
      const kind: PaymentEventKind | null =
        event.type === "checkout.session.async_payment_failed" ||
        event.type === "checkout.session.expired"
          ? "PAYMENT_FAILED"
          : paid
            ? "PAYMENT_SUCCEEDED"
            : null; // completed but an async payment method is still pending
      return {
        ...base,
        kind,
        purchaseId: session.client_reference_id ?? session.metadata?.purchaseId ?? null,
        sessionId: session.id,
        paymentIntentId: stripeId(session.payment_intent),
        paid: { amount: session.amount_total, currency: session.currency },
        summary: {
          sessionId: session.id,
          paymentStatus: session.payment_status,
          amountTotal: session.amount_total,
          currency: session.currency,
        },
      };
    }
    case "charge.refunded": {
      const charge = event.data.object;
      return {
        ...base,
        // A partial refund leaves the license alone; staff decide what it means.
        kind: charge.refunded ? "REFUNDED" : null,
        purchaseId: charge.metadata?.purchaseId ?? null,
        paymentIntentId: stripeId(charge.payment_intent),
        summary: {
          chargeId: charge.id,
          amount: charge.amount,
          amountRefunded: charge.amount_refunded,
          currency: charge.currency,
          fullyRefunded: charge.refunded,
        },
      };
    }
    case "charge.dispute.created":
    case "charge.dispute.closed": {
      const dispute = event.data.object;
      const kind: PaymentEventKind | null =
        event.type === "charge.dispute.created"
          ? "DISPUTE_OPENED"
          : dispute.status === "won" || dispute.status === "warning_closed"
            ? "DISPUTE_WON"
            : dispute.status === "lost"
              ? "DISPUTE_LOST"
              : null;
      return {
        ...base,
        kind,
        purchaseId: dispute.metadata?.purchaseId ?? null,
        paymentIntentId: stripeId(dispute.payment_intent),
        disputeId: dispute.id,
        summary: {
          disputeId: dispute.id,
          status: dispute.status,
          reason: dispute.reason,
          amount: dispute.amount,
          currency: dispute.currency,
        },
      };
    }
    default:
      return { ...base, kind: null, summary: { type: event.type } };
  }
}

/**
 * Apply a verified Stripe event. Refunds and disputes name only the payment intent; if it is
 * not on a purchase yet (the checkout event has not arrived), the intent's metadata names it.
 */
export async function handleStripeEvent(
  deps: FulfilmentDeps & { env: AppEnv },
  event: Stripe.Event,
  now: Date,
): Promise<PaymentEventResult | MembershipEventResult> {
  // Subscriptions and credit packs (issue 6) have their own fulfilment.
  const membershipEvent = stripeEventToMembershipEvent(event, now);
  if (membershipEvent) {
    return applyMembershipEvent(deps.db, { ...membershipEvent, provider: "STRIPE" });
  }
  const input = stripeEventToPaymentEvent(event, now);
  if (input.kind && !input.purchaseId && !input.sessionId && input.paymentIntentId) {
    input.purchaseId = await findPurchaseIdByPaymentIntent(deps.db, input.paymentIntentId);
    if (!input.purchaseId && deps.env.stripe) {
      const intent = await createStripeClient(deps.env.stripe.secretKey).paymentIntents.retrieve(
        input.paymentIntentId,
      );
      input.purchaseId = intent.metadata?.purchaseId ?? null;
    }
  }
  return applyPaymentEvent(deps, { ...input, provider: "STRIPE" });
}
