import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/cloudflare";
import { CheckoutFormSchema } from "~/domain/payments/checkout-forms";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import {
  auditActor,
  auditRequestInfo,
  requireGuardianConsent,
  requireUser,
} from "~/request/auth.server";
import { invariantResponse } from "~/lib/http";
import { checkoutErrorResponse } from "~/request/checkout-actions.server";
import { startCheckout } from "~/services/checkout.server";

/** `POST /checkout/:slug` (`licenseType`): a PENDING purchase, then the payment page. */

const SLUG = /^[a-z0-9-]{1,120}$/;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const slug = params.slug ?? "";
  invariantResponse(SLUG.test(slug), "This product isn't available.", { status: 404 });
  const user = await requireUser(request, context);
  requireGuardianConsent(user);
  const parsed = CheckoutFormSchema.safeParse({
    licenseType: (await request.formData()).get("licenseType") ?? undefined,
  });
  invariantResponse(parsed.success, "Choose a license type: personal, commercial or team.");

  try {
    const checkout = await startCheckout(
      { db: context.db, env: context.env },
      {
        user: { ...auditActor(user), email: user.email },
        slug,
        licenseType: parsed.data.licenseType,
        origin: new URL(request.url).origin,
        now: new Date(),
        request: await auditRequestInfo(request, context),
      },
    );
    return redirect(checkout.redirectTo);
  } catch (error) {
    throw checkoutErrorResponse(error);
  }
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
        403: ({ error }) => (
          <div className="container section">
            <h1>We can&apos;t take this order</h1>
            <p>{typeof error.data === "string" ? error.data : "Your account can't buy this."}</p>
          </div>
        ),
      }}
    />
  );
}
