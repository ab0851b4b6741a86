import {
  data,
  type ActionFunctionArgs,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { PurchaseStatusBadge } from "~/components/badge";
import { ProductArt } from "~/components/product-card";
import { purchasedProduct } from "~/components/purchased-product";
import { TestPaymentForm } from "~/components/test-payment-form";
import { CATEGORY_LABELS } from "~/domain/catalog/labels";
import { DOWNLOAD_WINDOW_DAYS, licenseTerms } from "~/domain/catalog/license-terms";
import { DOWNLOADS_PER_WINDOW } from "~/domain/downloads/quota";
import { formatMoney } from "~/domain/money";
import { TestOutcomeFormSchema } from "~/domain/payments/checkout-forms";
import { parseForm } from "~/lib/forms.server";
import { invariantResponse, requireIdParam } from "~/lib/http";
import { redirectWithToast } from "~/lib/toast.server";
import { requireUser } from "~/request/auth.server";
import { readForm } from "~/request/read-form.server";
import { settleTestCheckout } from "~/services/checkout.server";
import { getOwnPurchase } from "~/services/purchases.server";
import catalogStyles from "~/styles/catalog.css?url";
import checkoutStyles from "~/styles/checkout.css?url";

/**
 * The test payment provider (docs/architecture.md §7): stands in for Stripe when no key is configured,
 * and goes through the same fulfilment code. It does not exist in production.
 *
 * Not gated by the `checkout` feature flag, on purpose: like Stripe's hosted page, it may
 * still take the payment of a checkout started before the flag went off, and a payment taken
 * is always fulfilled (for the same reason the Stripe webhook is never gated).
 */

const NOT_FOUND = "This checkout doesn't exist.";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: catalogStyles },
  { rel: "stylesheet", href: checkoutStyles },
];

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
        productCategory: purchase.productCategory,
        productThumbnailKey: purchase.productThumbnailKey,
        licenseType: purchase.licenseType,
        amountCents: purchase.amountCents,
        currency: purchase.currency,
        status: purchase.status,
      },
      terms: licenseTerms(purchase.licenseType, purchase),
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
  const { purchase, terms } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  const price = formatMoney(purchase.amountCents, purchase.currency);
  const productHref = `/products/${purchase.productSlug}`;
  return (
    <section className="container section checkout" aria-labelledby="test-checkout-title">
      <header className="checkout__header">
        <p className="eyebrow">Checkout</p>
        <h1 id="test-checkout-title">Review and pay</h1>
        <p className="checkout__note">
          Test checkout: no payment provider is configured, so this page stands in for one. Nothing
          is charged.
        </p>
      </header>
      <div className="checkout__layout">
        <article
          className="checkout-summary"
          aria-labelledby="order-title"
          data-testid="order-summary"
        >
          <h2 id="order-title">Order summary</h2>
          <div className="checkout-summary__product">
            <ProductArt
              product={purchasedProduct(purchase)}
              className="checkout-summary__art"
              loading="eager"
            />
            <div>
              <p className="checkout-summary__category">
                {CATEGORY_LABELS[purchase.productCategory]}
              </p>
              <h3 className="checkout-summary__name">
                <Link to={productHref}>{purchase.productName}</Link>
              </h3>
              <p className="checkout-summary__license" data-testid="order-license">
                {terms.label}
                {purchase.licenseType === "TEAM" && ` · ${terms.seats} seats`}
              </p>
            </div>
            <p className="checkout-summary__price">{price}</p>
          </div>

          <section aria-labelledby="terms-title" className="checkout-summary__block">
            <h3 id="terms-title">What the {terms.label.toLowerCase()} allows</h3>
            <ul className="checkout-summary__terms" data-testid="order-terms">
              {terms.allows.map((line) => (
                <li key={line}>{line}</li>
              ))}
              <li>Term: {terms.term.toLowerCase()}</li>
            </ul>
            <p className="checkout-summary__more">
              The full wording is in the <Link to="/terms">terms</Link>.
            </p>
          </section>

          <dl className="checkout-summary__totals">
            <div>
              <dt>Subtotal</dt>
              <dd>{price}</dd>
            </div>
            <div className="checkout-summary__total">
              <dt>Total</dt>
              <dd data-testid="order-total">{price}</dd>
            </div>
          </dl>
        </article>

        <aside className="checkout-pay" aria-labelledby="next-title">
          <h2 id="next-title">What happens next</h2>
          <ol className="checkout-steps" data-testid="order-next">
            <li>You pay; the receipt appears under Billing.</li>
            <li>
              Your license key is ready at once under <strong>Licenses</strong>
              {purchase.licenseType === "TEAM" && `, with ${terms.seats} seats for your team`}.
            </li>
            <li>
              Download the files {DOWNLOADS_PER_WINDOW} times in any {DOWNLOAD_WINDOW_DAYS} days;
              ask for a reset if you need more.
            </li>
          </ol>
          {purchase.status !== "PENDING" && (
            <p className="checkout-pay__status">
              Status: <PurchaseStatusBadge status={purchase.status} />
            </p>
          )}
          <TestPaymentForm
            reply={reply}
            pending={purchase.status === "PENDING"}
            cancelHref={productHref}
            settled={
              <>
                This order is settled. <Link to="/account/purchases">See your purchases</Link>.
              </>
            }
          />
        </aside>
      </div>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
