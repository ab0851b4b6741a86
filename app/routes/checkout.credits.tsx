import { redirect, type ActionFunctionArgs } from "@remix-run/cloudflare";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { CreditPackFormSchema } from "~/domain/memberships/forms";
import {
  auditActor,
  auditRequestInfo,
  requireGuardianConsent,
  requireUser,
} from "~/lib/auth.server";
import { invariantResponse } from "~/lib/http";
import { CheckoutError } from "~/services/checkout.server";
import { startMembershipCheckout } from "~/services/membership-checkout.server";

/** `POST /checkout/credits` (`pack`): a credit-pack checkout for a member, then the payment page. */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  requireGuardianConsent(user);
  const parsed = CreditPackFormSchema.safeParse({
    pack: (await request.formData()).get("pack") ?? undefined,
  });
  invariantResponse(parsed.success, "Choose a credit pack.");
  try {
    const checkout = await startMembershipCheckout(
      { db: context.db, env: context.env },
      {
        user: { ...auditActor(user), email: user.email },
        item: { kind: "CREDIT_PACK", pack: parsed.data.pack },
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

/** Top-ups start from the membership page; a GET goes back there. */
export function loader() {
  return redirect("/account/membership");
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
