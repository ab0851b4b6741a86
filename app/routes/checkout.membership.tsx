import { redirect, type ActionFunctionArgs } from "@remix-run/cloudflare";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { MembershipCheckoutFormSchema } from "~/domain/memberships/forms";
import { checkoutAction } from "~/request/checkout-actions.server";
import { requireFeature } from "~/request/feature-gate.server";
import { startMembershipCheckout } from "~/services/membership-checkout.server";

/** `POST /checkout/membership` (`tier`): a subscription checkout, then the payment page. */
export async function action(args: ActionFunctionArgs) {
  await requireFeature(args.context, "checkout");
  return checkoutAction(args, MembershipCheckoutFormSchema, (form, buyer) =>
    startMembershipCheckout(
      { db: args.context.db, env: args.context.env },
      { ...buyer, item: { kind: "SUBSCRIPTION", tier: form.tier } },
    ),
  );
}

/** Checkout starts from the pricing page's form; a GET goes back there. */
export function loader() {
  return redirect("/pricing");
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
