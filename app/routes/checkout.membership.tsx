import { redirect, type ActionFunctionArgs } from "@remix-run/cloudflare";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { MembershipCheckoutFormSchema } from "~/domain/memberships/forms";
import { membershipCheckoutAction } from "~/request/checkout-actions.server";

/** `POST /checkout/membership` (`tier`): a subscription checkout, then the payment page. */
export function action(args: ActionFunctionArgs) {
  return membershipCheckoutAction(args, {
    parse(formData) {
      const parsed = MembershipCheckoutFormSchema.safeParse({
        tier: formData.get("tier") ?? undefined,
      });
      return parsed.success ? { kind: "SUBSCRIPTION", tier: parsed.data.tier } : null;
    },
    invalidMessage: "Choose a membership tier: basic access, pro or managed.",
  });
}

/** Checkout starts from the pricing page's form; a GET goes back there. */
export function loader() {
  return redirect("/pricing");
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
