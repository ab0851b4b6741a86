import { redirect, type ActionFunctionArgs } from "@remix-run/cloudflare";
import { ResendVerificationFormSchema } from "~/domain/auth/email-forms";
import { parseForm } from "~/lib/forms.server";
import { redirectWithToast } from "~/lib/toast.server";
import { requireAccountAction } from "~/request/account.server";
import { readForm } from "~/request/read-form.server";
import { resendVerificationEmail } from "~/services/auth/email-verification.server";

/**
 * "Send it again" from the unverified-email banner (POST only, `intent=resend-verification`).
 * Every outcome goes back to the page the banner was on, with a toast.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const account = await requireAccountAction(request, context);
  const submission = parseForm(await readForm(request), ResendVerificationFormSchema);
  if (!submission.ok) return redirect("/account");
  const result = await resendVerificationEmail(context.db, {
    ...account,
    userId: account.user.id,
    origin: new URL(request.url).origin,
  });
  return redirectWithToast(
    context,
    submission.value.redirectTo,
    result.ok
      ? {
          kind: "success",
          message: `We've sent a new link to ${result.email}. Earlier links no longer work.`,
        }
      : { kind: result.kind === "limit" ? "error" : "info", message: result.message },
  );
}

export function loader() {
  return redirect("/account");
}
