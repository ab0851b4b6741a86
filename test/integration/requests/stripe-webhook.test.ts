import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { and, eq } from "drizzle-orm";
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import {
  auditLogs,
  digitalProductPurchases,
  emailOutbox,
  licenses,
  paymentEvents,
} from "#db/schema";
import { parseEnv } from "~/lib/env.server";
import { startCheckout } from "~/services/checkout.server";
import {
  handleStripeEvent,
  signStripePayload,
  stripeEventToPaymentEvent,
  verifyStripeEvent,
} from "~/services/stripe-webhook.server";
import { createProduct, createUser } from "../../factories";
import { ORIGIN } from "../../helpers/session";

/**
 * The pool's Worker has no Stripe keys (the test provider is on), so the endpoint itself
 * answers 404 here; verification and event handling are tested directly, with signatures
 * made by the SDK (no network).
 */

const db = createDb(env.DB);
const appEnv = parseEnv(env);
const SECRET = "whsec_test_secret_for_signatures_0123456789";

function stripeEvent(
  type: string,
  object: Record<string, unknown>,
  id = `evt_${crypto.randomUUID()}`,
) {
  return {
    id,
    object: "event",
    api_version: "2025-01-27",
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

/** A PENDING Stripe purchase, with Stripe's session creation faked. */
async function stripePurchase() {
  const user = await createUser(db);
  const product = await createProduct({ db, files: env.FILES });
  let params: Stripe.Checkout.SessionCreateParams | undefined;
  const sessionId = `cs_test_${crypto.randomUUID().replaceAll("-", "")}`;
  const fakeStripe = {
    checkout: {
      sessions: {
        create: async (input: Stripe.Checkout.SessionCreateParams) => {
          params = input;
          return { id: sessionId, url: `https://checkout.stripe.com/c/pay/${sessionId}` };
        },
      },
    },
  } as unknown as Pick<Stripe, "checkout">;
  const checkout = await startCheckout(
    { db, env: appEnv, stripe: fakeStripe },
    {
      user: { id: user.id, role: user.role, email: user.email },
      slug: product.slug,
      licenseType: "COMMERCIAL",
      origin: ORIGIN,
      now: new Date(),
    },
  );
  return { user, product, sessionId, params: params!, ...checkout };
}

async function deliver(event: object, now = new Date()) {
  const payload = JSON.stringify(event);
  const signature = await signStripePayload(payload, SECRET);
  const verified = await verifyStripeEvent(payload, signature, SECRET, now);
  if (!verified.ok) throw new Error(verified.message);
  return handleStripeEvent({ db, env: appEnv }, verified.event, now);
}

describe("Stripe signature verification", () => {
  const payload = JSON.stringify(stripeEvent("checkout.session.completed", { id: "cs_1" }));

  it("accepts a correctly signed event", async () => {
    const signature = await signStripePayload(payload, SECRET);
    const verified = await verifyStripeEvent(payload, signature, SECRET);
    expect(verified.ok).toBe(true);
    if (verified.ok) expect(verified.event.type).toBe("checkout.session.completed");
  });

  it("refuses a tampered body", async () => {
    const signature = await signStripePayload(payload, SECRET);
    const tampered = payload.replace("cs_1", "cs_2");
    expect((await verifyStripeEvent(tampered, signature, SECRET)).ok).toBe(false);
  });

  it("refuses a signature made with another secret", async () => {
    const signature = await signStripePayload(payload, "whsec_someone_else_entirely_000000");
    expect((await verifyStripeEvent(payload, signature, SECRET)).ok).toBe(false);
  });

  it("refuses an event signed more than five minutes ago", async () => {
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    const signature = await signStripePayload(payload, SECRET, sixMinutesAgo);
    const verified = await verifyStripeEvent(payload, signature, SECRET);
    expect(verified).toMatchObject({ ok: false });
    const fourMinutesAgo = Math.floor(Date.now() / 1000) - 4 * 60;
    const fresh = await signStripePayload(payload, SECRET, fourMinutesAgo);
    expect((await verifyStripeEvent(payload, fresh, SECRET)).ok).toBe(true);
  });

  it("refuses an event signed more than five minutes in the future", async () => {
    const sixMinutesAhead = Math.floor(Date.now() / 1000) + 6 * 60;
    const signature = await signStripePayload(payload, SECRET, sixMinutesAhead);
    expect(await verifyStripeEvent(payload, signature, SECRET)).toMatchObject({
      ok: false,
      reason: "signed-in-future",
    });
    const slightlyAhead = await signStripePayload(
      payload,
      SECRET,
      Math.floor(Date.now() / 1000) + 30,
    );
    expect((await verifyStripeEvent(payload, slightlyAhead, SECRET)).ok).toBe(true);
  });

  it("refuses a correctly signed body that is not an event ({}, [], null, a string)", async () => {
    for (const body of ["{}", "[]", "null", '"evt"', '{"id":"evt_1","type":"x"}']) {
      const signature = await signStripePayload(body, SECRET);
      expect(await verifyStripeEvent(body, signature, SECRET), body).toMatchObject({
        ok: false,
        reason: "not-an-event",
      });
    }
  });

  it("refuses a request without a signature", async () => {
    expect(await verifyStripeEvent(payload, null, SECRET)).toMatchObject({ ok: false });
  });

  it("the endpoint does not exist while Stripe is not configured", async () => {
    const response = await SELF.fetch(`${ORIGIN}/webhooks/stripe`, {
      method: "POST",
      body: payload,
      headers: { "Stripe-Signature": await signStripePayload(payload, SECRET) },
    });
    expect(response.status).toBe(404);
  });
});

describe("Stripe checkout and events", () => {
  it("creates a Checkout Session with the copied price and the purchase id", async () => {
    const { params, purchaseId, redirectTo, sessionId } = await stripePurchase();
    expect(redirectTo).toBe(`https://checkout.stripe.com/c/pay/${sessionId}`);
    expect(params).toMatchObject({
      mode: "payment",
      client_reference_id: purchaseId,
      metadata: { purchaseId },
      payment_intent_data: { metadata: { purchaseId } },
      success_url: `${ORIGIN}/account/purchases?checkout=success`,
      line_items: [{ quantity: 1, price_data: { unit_amount: 7900, currency: "usd" } }],
    });
    const [purchase] = await db
      .select()
      .from(digitalProductPurchases)
      .where(eq(digitalProductPurchases.id, purchaseId));
    expect(purchase).toMatchObject({
      provider: "STRIPE",
      status: "PENDING",
      providerSessionId: sessionId,
      amountCents: 7900,
    });
  });

  it("marks the purchase FAILED when Stripe refuses to open a session", async () => {
    const user = await createUser(db);
    const product = await createProduct({ db, files: env.FILES });
    const failing = {
      checkout: {
        sessions: {
          create: async () => {
            throw new Error("Stripe is down");
          },
        },
      },
    } as unknown as Pick<Stripe, "checkout">;
    await expect(
      startCheckout(
        { db, env: appEnv, stripe: failing },
        {
          user: { id: user.id, role: user.role, email: user.email },
          slug: product.slug,
          licenseType: "PERSONAL",
          origin: ORIGIN,
          now: new Date(),
        },
      ),
    ).rejects.toMatchObject({ refusal: { kind: "upstream", reason: "payment-page-unavailable" } });
    const [purchase] = await db
      .select()
      .from(digitalProductPurchases)
      .where(eq(digitalProductPurchases.userId, user.id));
    expect(purchase).toMatchObject({ status: "FAILED", provider: "STRIPE" });
  });

  it("checkout.session.completed issues one license; a redelivery and a parallel copy do not", async () => {
    const { purchaseId, sessionId } = await stripePurchase();
    const event = stripeEvent("checkout.session.completed", {
      id: sessionId,
      object: "checkout.session",
      client_reference_id: purchaseId,
      metadata: { purchaseId },
      payment_intent: "pi_test_1",
      payment_status: "paid",
      amount_total: 7900,
      currency: "usd",
    });
    const results = await Promise.all([deliver(event), deliver(event)]);
    expect(results.map((result) => result.status).sort()).toEqual(["duplicate", "processed"]);
    expect(await deliver(event)).toEqual({ status: "duplicate" });
    expect(
      await db.select().from(licenses).where(eq(licenses.purchaseId, purchaseId)),
    ).toHaveLength(1);
    const [purchase] = await db
      .select()
      .from(digitalProductPurchases)
      .where(eq(digitalProductPurchases.id, purchaseId));
    expect(purchase).toMatchObject({ status: "COMPLETED", providerPaymentIntentId: "pi_test_1" });
  });

  it("a success paying another amount or currency issues nothing, keeps the purchase PENDING and alerts staff", async () => {
    const owner = await createUser(db, { role: "OWNER" });
    for (const paid of [
      { amount_total: 100, currency: "usd" },
      { amount_total: 7900, currency: "eur" },
      { amount_total: null, currency: "usd" },
    ]) {
      const { purchaseId, sessionId } = await stripePurchase();
      const event = stripeEvent("checkout.session.completed", {
        id: sessionId,
        object: "checkout.session",
        client_reference_id: purchaseId,
        payment_intent: `pi_${crypto.randomUUID()}`,
        payment_status: "paid",
        ...paid,
      });
      expect(await deliver(event)).toMatchObject({ status: "ignored", purchaseId });
      expect(await deliver(event)).toEqual({ status: "duplicate" });
      const [purchase] = await db
        .select()
        .from(digitalProductPurchases)
        .where(eq(digitalProductPurchases.id, purchaseId));
      expect(purchase!.status).toBe("PENDING");
      expect(
        await db.select().from(licenses).where(eq(licenses.purchaseId, purchaseId)),
      ).toHaveLength(0);
      const [recorded] = await db
        .select()
        .from(paymentEvents)
        .where(eq(paymentEvents.eventId, event.id));
      expect(recorded).toMatchObject({ status: "IGNORED", purchaseId });
      expect(recorded!.error).toMatch(/^Paid /);
      const alerts = await db
        .select()
        .from(emailOutbox)
        .where(eq(emailOutbox.dedupeKey, `payment-mismatch:${event.id}:${owner.email}`));
      expect(alerts).toHaveLength(1);
      const audit = await db
        .select()
        .from(auditLogs)
        .where(
          and(eq(auditLogs.entityId, purchaseId), eq(auditLogs.action, "PAYMENT_AMOUNT_MISMATCH")),
        );
      expect(audit).toHaveLength(1);
    }
  });

  it("a refund arriving before the checkout event prevents the license", async () => {
    const { purchaseId, sessionId } = await stripePurchase();
    // The refund names only the payment intent; here it is found through the session's
    // earlier "completed but unpaid" event, which attached the intent to the purchase.
    await deliver(
      stripeEvent("checkout.session.completed", {
        id: sessionId,
        client_reference_id: purchaseId,
        payment_intent: "pi_test_early_refund",
        payment_status: "unpaid",
      }),
    );
    const refund = await deliver(
      stripeEvent("charge.refunded", {
        id: "ch_test_1",
        object: "charge",
        payment_intent: "pi_test_early_refund",
        refunded: true,
        amount: 7900,
        amount_refunded: 7900,
        currency: "usd",
        metadata: {},
      }),
    );
    expect(refund).toMatchObject({ status: "processed", to: "FAILED" });
    const late = await deliver(
      stripeEvent("checkout.session.async_payment_succeeded", {
        id: sessionId,
        client_reference_id: purchaseId,
        payment_intent: "pi_test_early_refund",
        payment_status: "paid",
      }),
    );
    expect(late).toMatchObject({ status: "ignored" });
    expect(
      await db.select().from(licenses).where(eq(licenses.purchaseId, purchaseId)),
    ).toHaveLength(0);
  });

  it("maps refunds and disputes by payment intent, and records unknown types as IGNORED", async () => {
    const { purchaseId, sessionId } = await stripePurchase();
    await deliver(
      stripeEvent("checkout.session.completed", {
        id: sessionId,
        client_reference_id: purchaseId,
        payment_intent: "pi_test_dispute",
        payment_status: "paid",
        amount_total: 7900,
        currency: "usd",
      }),
    );
    const dispute = {
      id: "dp_test_1",
      object: "dispute",
      payment_intent: "pi_test_dispute",
      amount: 7900,
      currency: "usd",
      reason: "fraudulent",
      metadata: {},
    };
    await deliver(stripeEvent("charge.dispute.created", { ...dispute, status: "needs_response" }));
    const [suspended] = await db.select().from(licenses).where(eq(licenses.purchaseId, purchaseId));
    expect(suspended).toMatchObject({ status: "SUSPENDED" });
    await deliver(stripeEvent("charge.dispute.closed", { ...dispute, status: "lost" }));
    const [revoked] = await db.select().from(licenses).where(eq(licenses.purchaseId, purchaseId));
    expect(revoked).toMatchObject({ status: "REVOKED" });

    const unknown = stripeEvent("customer.created", { id: "cus_1" });
    expect(await deliver(unknown)).toMatchObject({ status: "ignored" });
    const [row] = await db
      .select()
      .from(paymentEvents)
      .where(eq(paymentEvents.eventId, unknown.id));
    expect(row).toMatchObject({ provider: "STRIPE", status: "IGNORED", type: "customer.created" });
  });

  it("a partial refund leaves the license alone", () => {
    const mapped = stripeEventToPaymentEvent(
      stripeEvent("charge.refunded", {
        id: "ch_1",
        payment_intent: "pi_1",
        refunded: false,
        amount: 7900,
        amount_refunded: 1000,
      }) as unknown as Stripe.Event,
      new Date(),
    );
    expect(mapped.kind).toBeNull();
  });
});
