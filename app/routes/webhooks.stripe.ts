import type { ActionFunctionArgs } from "@remix-run/cloudflare";
import { handleStripeEvent, verifyStripeEvent } from "~/services/stripe-webhook.server";

/**
 * Stripe's webhook endpoint: the only way a Stripe payment is fulfilled. The body is read as
 * raw text (the signature covers the exact bytes), verified, then applied once per event id.
 * Exempt from the same-origin check (lib/csrf.server.ts); the signature is the authentication.
 */

const text = (body: string, status: number) =>
  new Response(body, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });

export async function action({ request, context }: ActionFunctionArgs) {
  if (!context.env.stripe) return text("Not found", 404);
  if (request.method !== "POST") return text("Method not allowed", 405);

  const now = new Date();
  const rawBody = await request.text();
  const verified = await verifyStripeEvent(
    rawBody,
    request.headers.get("Stripe-Signature"),
    context.env.stripe.webhookSecret,
    now,
  );
  if (!verified.ok) {
    console.warn(
      JSON.stringify({
        level: "warn",
        event: "stripe.webhook.refused",
        requestId: context.requestId,
        reason: verified.reason,
        detail: verified.message,
      }),
    );
    return text(
      verified.reason === "not-an-event" ? "Not a Stripe event" : "Invalid signature",
      400,
    );
  }

  try {
    const result = await handleStripeEvent(
      { db: context.db, env: context.env },
      verified.event,
      now,
    );
    return Response.json({ received: true, result: result.status });
  } catch (error) {
    // A 500 makes Stripe retry later; nothing of this event was written.
    console.error(
      JSON.stringify({
        level: "error",
        event: "stripe.webhook.failed",
        requestId: context.requestId,
        eventId: verified.event.id,
        message: error instanceof Error ? error.message : String(error),
      }),
    );
    return text("Could not process the event; please retry", 500);
  }
}

export function loader() {
  return new Response("Not found", { status: 404 });
}
