import { redirect, type ActionFunctionArgs } from "@remix-run/cloudflare";
import { ResendConsentFormSchema } from "~/domain/auth/consent-forms";
import { parseForm } from "~/lib/forms.server";
import { redirectWithToast } from "~/lib/toast.server";
import { requireAccountAction } from "~/request/account.server";
import { readForm } from "~/request/read-form.server";
import { resendGuardianConsent } from "~/services/auth/guardian-consent.server";

/**
 * A minor asks for the guardian consent email again (POST only; the button is on /account and
 * /account/security). Every outcome goes back to that page with a toast.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const account = await requireAccountAction(request, context);
  const submission = parseForm(await readForm(request), ResendConsentFormSchema);
  // The schema falls back to /account rather than fail, so this is only belt and braces.
  const redirectTo = submission.ok ? submission.value.redirectTo : "/account";
  const result = await resendGuardianConsent(
    { db: context.db, env: context.env },
    { ...account, userId: account.user.id, origin: new URL(request.url).origin },
  );
  return redirectWithToast(
    context,
    redirectTo,
    result.ok
      ? {
          kind: "success",
          message:
            "We've emailed your parent or guardian a new link. Earlier links no longer work.",
        }
      : { kind: result.kind === "limit" ? "error" : "info", message: result.message },
  );
}

export function loader() {
  return redirect("/account");
}
