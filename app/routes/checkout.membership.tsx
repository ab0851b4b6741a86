import { redirect, type ActionFunctionArgs } from "@remix-run/cloudflare";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { MembershipCheckoutFormSchema } from "~/domain/memberships/forms";
import {
  auditActor,
  auditRequestInfo,
  requireGuardianConsent,
  requireUser,
} from "~/lib/auth.server";
import { invariantResponse } from "~/lib/http";
import { CheckoutError } from "~/services/checkout.server";
import { startMembershipCheckout } from "~/services/membership-checkout.server";

/** `POST /checkout/membership` (`tier`): a subscription checkout, then the payment page. */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  requireGuardianConsent(user);
  const parsed = MembershipCheckoutFormSchema.safeParse({
    tier: (await request.formData()).get("tier") ?? undefined,
  });
  invariantResponse(parsed.success, "Choose a membership tier: basic access, pro or managed.");
  try {
    const checkout = await startMembershipCheckout(
      { db: context.db, env: context.env },
      {
        user: { ...auditActor(user), email: user.email },
        item: { kind: "SUBSCRIPTION", tier: parsed.data.tier },
        origin: new URL(request.url).origin,
        now: new Date(),
        request: await auditRequestInfo(request, context),
      },
    );
    return redirect(checkout.redirectTo);
  } catch (error) {
    if (error instanceof CheckoutError) {
      throw new Response(error.message, {
        status: error.status,
        headers: { "Content-Type": "text/plain; charset=utf-8" },
      });
    }
    throw error;
  }
}

/** Checkout starts from the pricing page's form; a GET goes back there. */
export function loader() {
  return redirect("/pricing");
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
