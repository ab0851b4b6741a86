import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/cloudflare";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { CheckoutFormSchema } from "~/domain/payments/checkout-forms";
import { invariantResponse } from "~/lib/http";
import { checkoutAction } from "~/request/checkout-actions.server";
import { requireFeature } from "~/request/feature-gate.server";
import { startCheckout } from "~/services/checkout.server";

/** `POST /checkout/:slug` (`licenseType`): a PENDING purchase, then the payment page. */

const SLUG = /^[a-z0-9-]{1,120}$/;

export async function action(args: ActionFunctionArgs) {
  await requireFeature(args.context, "checkout");
  const slug = args.params.slug ?? "";
  invariantResponse(SLUG.test(slug), "This product isn't available.", { status: 404 });
  return checkoutAction(args, CheckoutFormSchema, (form, buyer) =>
    startCheckout(
      { db: args.context.db, env: args.context.env },
      { ...buyer, slug, licenseType: form.licenseType },
    ),
  );
}

/** Checkout starts from the product page's form; a GET goes back there. */
export function loader({ params }: LoaderFunctionArgs) {
  const slug = params.slug ?? "";
  return redirect(SLUG.test(slug) ? `/products/${slug}` : "/products");
}

export function ErrorBoundary() {
  return (
    <GeneralErrorBoundary
      statusHandlers={{
        403: ({ error }) => ({
          title: "We can't take this order",
          message: typeof error.data === "string" ? error.data : "Your account can't buy this.",
        }),
      }}
    />
  );
}
