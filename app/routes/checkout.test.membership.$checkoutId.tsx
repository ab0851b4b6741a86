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
import {
  getOwnMembershipCheckout,
  settleTestMembershipCheckout,
} from "~/services/membership-checkout.server";

/**
 * The test payment provider for subscriptions and credit packs (like /checkout/test/:id for
 * products): stands in for Stripe when no key is configured, goes through the same
 * fulfilment code, and does not exist in production.
 */

const NOT_FOUND = "This checkout doesn't exist.";

async function requireTestCheckout({ request, params, context }: LoaderFunctionArgs) {
  invariantResponse(!context.env.isProduction && !context.env.stripe, NOT_FOUND, {
    status: 404,
  });
  const checkoutId = requireIdParam(params, "checkoutId", NOT_FOUND);
  const user = await requireUser(request, context);
  const checkout = await getOwnMembershipCheckout(context.db, user.id, checkoutId);
  invariantResponse(checkout && checkout.provider === "TEST", NOT_FOUND, { status: 404 });
  return checkout;
}

export async function loader(args: LoaderFunctionArgs) {
  const checkout = await requireTestCheckout(args);
  return data(
    {
      checkout: {
        id: checkout.id,
        kind: checkout.kind,
        tier: checkout.tier,
        pack: checkout.pack,
        credits: checkout.credits,
        amountCents: checkout.amountCents,
        currency: checkout.currency,
        status: checkout.status,
      },
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

export async function action(args: ActionFunctionArgs) {
  const checkout = await requireTestCheckout(args);
  const submission = parseForm(await readForm(args.request), TestOutcomeFormSchema);
  if (!submission.ok) return data(submission.reply, { status: 400 });
  const { outcome } = submission.value;
  const result = await settleTestMembershipCheckout(args.context.db, {
    checkoutId: checkout.id,
    outcome,
    now: new Date(),
  });
  const toast =
    result.status === "processed" && outcome === "succeed"
      ? {
          kind: "success" as const,
          message:
            checkout.kind === "SUBSCRIPTION"
              ? `Welcome! Your membership is active with ${checkout.credits} credits.`
              : `${checkout.credits} credits were added to your membership.`,
        }
      : result.status === "processed"
        ? { kind: "error" as const, message: "The test payment failed. You were not charged." }
        : { kind: "info" as const, message: "This checkout was already settled." };
  return redirectWithToast(args.context, "/account/membership", toast);
}

export const meta: MetaFunction = () => [{ title: "Test checkout — Studio Store" }];

export default function TestMembershipCheckoutPage() {
  const { checkout } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  return (
    <section className="container section" aria-labelledby="test-checkout-title">
      <h1 id="test-checkout-title">Test checkout</h1>
      <p>No payment provider is configured, so this page stands in for one. Nothing is charged.</p>
      <dl className="facts">
        <div>
          <dt>Item</dt>
          <dd>
            {checkout.kind === "SUBSCRIPTION"
              ? `${(checkout.tier ?? "").replace("_", " ").toLowerCase()} membership`
              : `credit pack (${checkout.credits} credits)`}
          </dd>
        </div>
        <div>
          <dt>Credits</dt>
          <dd>{checkout.credits}</dd>
        </div>
        <div>
          <dt>Price</dt>
          <dd>{formatMoney(checkout.amountCents, checkout.currency)}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>{checkout.status.toLowerCase()}</dd>
        </div>
      </dl>
      <TestPaymentForm
        reply={reply}
        pending={checkout.status === "PENDING"}
        settled={
          <>
            This checkout is settled. <Link to="/account/membership">See your membership</Link>.
          </>
        }
      />
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
