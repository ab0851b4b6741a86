import { createId } from "@paralleldrive/cuid2";
import { and, eq } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database } from "#db/client";
import { membershipCheckouts, memberships, type MembershipTier } from "#db/schema";
import { findCreditPack, TIERS } from "~/domain/memberships/tiers";
import type { AppEnv } from "~/lib/env.server";
import { auditStatement, type AuditActor, type AuditRequestInfo } from "./audit.server";
import {
  checkoutRefusal,
  checkoutStripe,
  noPaymentPage,
  paymentPageUnavailable,
  requireVerifiedBuyer,
} from "./checkout.server";
import { teammateSeatBlock } from "./membership-team.server";
import { applyMembershipEvent, type MembershipEventResult } from "./membership-fulfilment.server";

/**
 * Checkout of a subscription (`POST /checkout/membership`, `tier`) or a credit pack
 * (`POST /checkout/credits`, `pack`): a PENDING membership checkout at today's price, then
 * Stripe Checkout (subscription or payment mode) or the test provider's page. Nothing is
 * fulfilled here: only a verified payment event does that (membership-fulfilment.server.ts).
 */

export interface MembershipCheckoutDeps {
  db: Database;
  env: AppEnv;
  /** Overrides the client built from `env.stripe` (tests). */
  stripe?: Pick<Stripe, "checkout"> | null;
}

export type MembershipCheckoutItem =
  { kind: "SUBSCRIPTION"; tier: MembershipTier } | { kind: "CREDIT_PACK"; pack: string };

export interface StartMembershipCheckoutInput {
  user: AuditActor & { email: string };
  item: MembershipCheckoutItem;
  origin: string;
  now: Date;
  request?: AuditRequestInfo;
}

export async function startMembershipCheckout(
  deps: MembershipCheckoutDeps,
  input: StartMembershipCheckoutInput,
): Promise<{ checkoutId: string; redirectTo: string }> {
  const { db } = deps;
  await requireVerifiedBuyer(db, input.user.id);
  const [membership] = await db
    .select({ status: memberships.status })
    .from(memberships)
    .where(eq(memberships.userId, input.user.id))
    .limit(1);
  const live = membership && membership.status !== "EXPIRED";

  let line: { name: string; credits: number; priceCents: number; currency: string };
  let periodDays = 0;
  if (input.item.kind === "SUBSCRIPTION") {
    const teammate = await teammateSeatBlock(db, input.user.id);
    if (teammate) throw checkoutRefusal("conflict", "membership-exists", teammate);
    if (live) {
      throw checkoutRefusal(
        "conflict",
        "membership-exists",
        "You already have a membership. Manage it under Account → Membership.",
      );
    }
    const tier = TIERS[input.item.tier];
    periodDays = tier.periodDays;
    line = {
      name: `${tier.name} membership`,
      credits: tier.creditsPerPeriod,
      priceCents: tier.priceCents,
      currency: tier.currency,
    };
  } else {
    const pack = findCreditPack(input.item.pack);
    if (!pack) {
      throw checkoutRefusal("not-found", "pack-unavailable", "This credit pack isn't available.");
    }
    if (!live) {
      throw checkoutRefusal(
        "conflict",
        "membership-required",
        "Credit packs top up a membership: subscribe first.",
      );
    }
    line = { ...pack, name: `Credit pack: ${pack.name}` };
  }

  const stripe = checkoutStripe(deps);
  const checkoutId = createId();
  await db.batch([
    db.insert(membershipCheckouts).values({
      id: checkoutId,
      userId: input.user.id,
      kind: input.item.kind,
      tier: input.item.kind === "SUBSCRIPTION" ? input.item.tier : null,
      pack: input.item.kind === "CREDIT_PACK" ? input.item.pack : null,
      credits: line.credits,
      amountCents: line.priceCents,
      currency: line.currency,
      status: "PENDING",
      provider: stripe ? "STRIPE" : "TEST",
      providerSessionId: stripe ? null : `test_${checkoutId}`,
      createdAt: input.now,
      updatedAt: input.now,
    }),
    auditStatement(db, {
      actor: { id: input.user.id, role: input.user.role },
      action: "PURCHASE_STARTED",
      entityType: "membership",
      entityId: checkoutId,
      metadata: {
        kind: input.item.kind,
        item: input.item.kind === "SUBSCRIPTION" ? input.item.tier : input.item.pack,
        amountCents: line.priceCents,
        currency: line.currency,
        provider: stripe ? "STRIPE" : "TEST",
      },
      request: input.request,
      at: input.now,
    }),
  ]);

  if (!stripe) return { checkoutId, redirectTo: `/checkout/test/membership/${checkoutId}` };

  let session: Stripe.Checkout.Session;
  const metadata = { membershipCheckoutId: checkoutId };
  const priceData = {
    currency: line.currency.toLowerCase(),
    unit_amount: line.priceCents,
    product_data: { name: line.name },
  };
  try {
    session = await stripe.checkout.sessions.create(
      input.item.kind === "SUBSCRIPTION"
        ? {
            mode: "subscription",
            client_reference_id: checkoutId,
            customer_email: input.user.email,
            line_items: [
              {
                quantity: 1,
                price_data: {
                  ...priceData,
                  recurring: { interval: "day", interval_count: periodDays },
                },
              },
            ],
            metadata,
            subscription_data: { metadata },
            success_url: `${input.origin}/account/membership?checkout=success`,
            cancel_url: `${input.origin}/pricing?checkout=cancelled`,
          }
        : {
            mode: "payment",
            client_reference_id: checkoutId,
            customer_email: input.user.email,
            line_items: [{ quantity: 1, price_data: priceData }],
            metadata,
            payment_intent_data: { metadata },
            success_url: `${input.origin}/account/membership?checkout=success`,
            cancel_url: `${input.origin}/account/membership?checkout=cancelled`,
          },
      { idempotencyKey: `membership-checkout:${checkoutId}` },
    );
  } catch (error) {
    await db
      .update(membershipCheckouts)
      .set({ status: "FAILED", failureReason: "Stripe refused to start the checkout." })
      .where(
        and(eq(membershipCheckouts.id, checkoutId), eq(membershipCheckouts.status, "PENDING")),
      );
    throw paymentPageUnavailable("membership_checkout.stripe_failed", { checkoutId }, error);
  }
  await db
    .update(membershipCheckouts)
    .set({ providerSessionId: session.id, updatedAt: input.now })
    .where(eq(membershipCheckouts.id, checkoutId));
  if (!session.url) throw noPaymentPage();
  return { checkoutId, redirectTo: session.url };
}

/** The buyer's own checkout (404 for anyone else's). */
export async function getOwnMembershipCheckout(db: Database, userId: string, checkoutId: string) {
  const [row] = await db
    .select()
    .from(membershipCheckouts)
    .where(and(eq(membershipCheckouts.id, checkoutId), eq(membershipCheckouts.userId, userId)))
    .limit(1);
  return row ?? null;
}

/** The test provider's "payment": the same fulfilment as a Stripe event, fresh event id. */
export function settleTestMembershipCheckout(
  db: Database,
  input: { checkoutId: string; outcome: "succeed" | "fail"; now: Date },
): Promise<MembershipEventResult> {
  return applyMembershipEvent(db, {
    provider: "TEST",
    eventId: `test_evt_${createId()}`,
    type: input.outcome === "succeed" ? "test.payment_succeeded" : "test.payment_failed",
    kind: input.outcome === "succeed" ? "CHECKOUT_PAID" : "CHECKOUT_FAILED",
    checkoutId: input.checkoutId,
    subscriptionId: null,
    now: input.now,
    summary: { outcome: input.outcome },
  });
}
