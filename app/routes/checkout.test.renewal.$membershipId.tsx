import { redirect, type ActionFunctionArgs } from "@remix-run/cloudflare";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { TestOutcomeFormSchema } from "~/domain/payments/checkout-forms";
import { refuse } from "~/domain/refusal";
import { parseForm } from "~/lib/forms.server";
import { invariantResponse, requireIdParam } from "~/lib/http";
import { redirectWithToast } from "~/lib/toast.server";
import { requireUser } from "~/request/auth.server";
import { readForm } from "~/request/read-form.server";
import { refusalResponse } from "~/request/refusals.server";
import { simulateTestRenewal, testProviderActive } from "~/services/membership-lifecycle.server";

/**
 * `POST /checkout/test/renewal/:membershipId` (`outcome` = succeed | fail): the test provider's
 * renewal payment for the next period, now. Builds INVOICE_PAID / INVOICE_FAILED and goes
 * through the same apply function as Stripe's webhook. Only the owner of a TEST membership;
 * never in production. The form sits on /account/membership, so an invalid one is thrown as its
 * sentence (400) for the error boundary, like the other checkout actions.
 */

const NOT_FOUND = "There is no such membership.";

export async function action({ request, params, context }: ActionFunctionArgs) {
  invariantResponse(testProviderActive(context.env), NOT_FOUND, { status: 404 });
  const membershipId = requireIdParam(params, "membershipId", NOT_FOUND);
  const user = await requireUser(request, context);
  const submission = parseForm(await readForm(request), TestOutcomeFormSchema);
  if (!submission.ok) {
    const message = submission.reply.fieldErrors.outcome ?? "Choose succeed or fail.";
    throw refusalResponse(refuse("invalid", "invalid-form", message));
  }
  const { outcome } = submission.value;
  const result = await simulateTestRenewal(context.db, {
    userId: user.id,
    membershipId,
    outcome,
    now: new Date(),
  });
  invariantResponse(result, NOT_FOUND, { status: 404 });
  const toast =
    result.status !== "processed"
      ? { kind: "info" as const, message: "This renewal payment was already simulated." }
      : outcome === "succeed"
        ? { kind: "success" as const, message: "The renewal payment went through (test)." }
        : {
            kind: "error" as const,
            message: "The renewal payment failed (test): your credits are on hold.",
          };
  return redirectWithToast(context, "/account/membership", toast);
}

/** The panel posts here; a GET goes back to the membership page. */
export function loader() {
  return redirect("/account/membership");
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
