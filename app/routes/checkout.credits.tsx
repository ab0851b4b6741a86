import { redirect, type ActionFunctionArgs } from "@remix-run/cloudflare";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { CreditPackFormSchema } from "~/domain/memberships/forms";
import { checkoutAction } from "~/request/checkout-actions.server";
import { requireFeature } from "~/request/feature-gate.server";
import { startMembershipCheckout } from "~/services/membership-checkout.server";

/** `POST /checkout/credits` (`pack`): a credit-pack checkout for a member, then the payment page. */
export async function action(args: ActionFunctionArgs) {
  await requireFeature(args.context, "checkout");
  return checkoutAction(args, CreditPackFormSchema, (form, buyer) =>
    startMembershipCheckout(
      { db: args.context.db, env: args.context.env },
      { ...buyer, item: { kind: "CREDIT_PACK", pack: form.pack } },
    ),
  );
}

/** Top-ups start from the membership page; a GET goes back there. */
export function loader() {
  return redirect("/account/membership");
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
