import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { TestPaymentForm } from "~/components/test-payment-form";
import { formatMoney } from "~/domain/money";
import { TestOutcomeFormSchema } from "~/domain/payments/checkout-forms";
import { parseForm } from "~/lib/forms.server";
import { invariantResponse, requireIdParam } from "~/lib/http";
import { redirectWithToast } from "~/lib/toast.server";
import { requireUser } from "~/request/auth.server";
import { readForm } from "~/request/read-form.server";
import { settleTestCheckout } from "~/services/checkout.server";
import { getOwnPurchase } from "~/services/purchases.server";

/**
 * The test payment provider (docs/architecture.md §7): stands in for Stripe when no key is configured,
 * and goes through the same fulfilment code. It does not exist in production.
 *
 * Not gated by the `checkout` feature flag, on purpose: like Stripe's hosted page, it may
 * still take the payment of a checkout started before the flag went off, and a payment taken
 * is always fulfilled (for the same reason the Stripe webhook is never gated).
 */

const NOT_FOUND = "This checkout doesn't exist.";

async function requireTestCheckout({ request, params, context }: LoaderFunctionArgs) {
  invariantResponse(!context.env.isProduction && !context.env.stripe, NOT_FOUND, {
    status: 404,
  });
  const purchaseId = requireIdParam(params, "purchaseId", NOT_FOUND);
  const user = await requireUser(request, context);
  const purchase = await getOwnPurchase(context.db, user.id, purchaseId);
  invariantResponse(purchase && purchase.provider === "TEST", NOT_FOUND, { status: 404 });
  return purchase;
}

export async function loader(args: LoaderFunctionArgs) {
  const purchase = await requireTestCheckout(args);
  return data(
    {
      purchase: {
        id: purchase.id,
        productName: purchase.productName,
        productSlug: purchase.productSlug,
        licenseType: purchase.licenseType,
        amountCents: purchase.amountCents,
        currency: purchase.currency,
        status: purchase.status,
      },
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

export async function action(args: ActionFunctionArgs) {
  const purchase = await requireTestCheckout(args);
  const submission = parseForm(await readForm(args.request), TestOutcomeFormSchema);
  if (!submission.ok) return data(submission.reply, { status: 400 });

  const result = await settleTestCheckout(
    { db: args.context.db, env: args.context.env },
    { purchaseId: purchase.id, outcome: submission.value.outcome, now: new Date() },
  );
  const toast =
    result.status !== "processed"
      ? { kind: "info" as const, message: "This order was already settled." }
      : result.to === "COMPLETED"
        ? {
            kind: "success" as const,
            message: `Payment received. Your ${purchase.productName} license is ready.`,
          }
        : { kind: "error" as const, message: "The test payment failed. You were not charged." };
  return redirectWithToast(args.context, "/account/purchases", toast);
}

export const meta: MetaFunction = () => [{ title: "Test checkout — Studio Store" }];

export default function TestCheckoutPage() {
  const { purchase } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  return (
    <section className="container section" aria-labelledby="test-checkout-title">
      <h1 id="test-checkout-title">Test checkout</h1>
      <p>No payment provider is configured, so this page stands in for one. Nothing is charged.</p>
      <dl className="facts">
        <div>
          <dt>Product</dt>
          <dd>
            <Link to={`/products/${purchase.productSlug}`}>{purchase.productName}</Link>
          </dd>
        </div>
        <div>
          <dt>License</dt>
          <dd>{purchase.licenseType.toLowerCase()}</dd>
        </div>
        <div>
          <dt>Price</dt>
          <dd>{formatMoney(purchase.amountCents, purchase.currency)}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>{purchase.status.toLowerCase()}</dd>
        </div>
      </dl>
      <TestPaymentForm
        reply={reply}
        pending={purchase.status === "PENDING"}
        settled={
          <>
            This order is settled. <Link to="/account/purchases">See your purchases</Link>.
          </>
        }
      />
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
