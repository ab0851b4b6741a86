import { redirect, type ActionFunctionArgs } from "@remix-run/cloudflare";
import { z } from "~/lib/zod";
import { formatWait } from "~/domain/auth/login-policy";
import { auditActor, auditRequestInfo, requireUser } from "~/request/auth.server";
import { redirectWithToast } from "~/lib/toast.server";
import { resendGuardianConsent } from "~/services/auth/guardian-consent.server";

/** A minor asks for the guardian consent email again (POST only; the button is on /account). */

const ResendFormSchema = z.object({
  // Back to the account page the button was on; nothing else, so this can't be an open redirect.
  redirectTo: z
    .string()
    .regex(/^\/account(\/[a-z0-9-]+)*$/)
    .catch("/account"),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const form = ResendFormSchema.parse({
    redirectTo: (await request.formData()).get("redirectTo") ?? undefined,
  });
  const now = new Date();
  const result = await resendGuardianConsent(
    { db: context.db, env: context.env },
    {
      userId: user.id,
      actor: auditActor(user),
      origin: new URL(request.url).origin,
      now,
      request: await auditRequestInfo(request, context),
    },
  );

  if (result.ok) {
    return redirectWithToast(context, form.redirectTo, {
      kind: "success",
      message: "We've emailed your parent or guardian a new link. Earlier links no longer work.",
    });
  }
  if (result.reason === "rate-limited") {
    return redirectWithToast(context, form.redirectTo, {
      kind: "error",
      message: `We sent the email less than 10 minutes ago. You can ask again in ${formatWait(result.retryAt, now)}.`,
    });
  }
  return redirectWithToast(context, form.redirectTo, {
    kind: "info",
    message: "Your account doesn't need a guardian's consent.",
  });
}

export function loader() {
  return redirect("/account");
}
