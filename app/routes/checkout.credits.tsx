import { redirect, type ActionFunctionArgs } from "@remix-run/cloudflare";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { CreditPackFormSchema } from "~/domain/memberships/forms";
import { membershipCheckoutAction } from "~/request/checkout-actions.server";

/** `POST /checkout/credits` (`pack`): a credit-pack checkout for a member, then the payment page. */
export function action(args: ActionFunctionArgs) {
  return membershipCheckoutAction(args, {
    parse(formData) {
      const parsed = CreditPackFormSchema.safeParse({ pack: formData.get("pack") ?? undefined });
      return parsed.success ? { kind: "CREDIT_PACK", pack: parsed.data.pack } : null;
    },
    invalidMessage: "Choose a credit pack.",
  });
}

/** Top-ups start from the membership page; a GET goes back there. */
export function loader() {
  return redirect("/account/membership");
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
