import {
  data,
  redirect,
  type ActionFunctionArgs,
  type AppLoadContext,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { FormError, SubmitButton, useFormReply } from "~/components/forms";
import { TwoFactorCodeField } from "~/components/two-factor-section";
import { SafeRedirectSchema, TwoFactorCodeFormSchema } from "~/domain/auth/forms";
import { DELETION_CANCELLED_MESSAGE } from "~/domain/privacy/deletion";
import { parseForm } from "~/lib/forms.server";
import { redirectWithToast } from "~/lib/toast.server";
import {
  auditRequestInfo,
  clearChallengeCookie,
  getCurrentUser,
  readLoginChallenge,
  sessionCookie,
} from "~/request/auth.server";
import { refusedForm } from "~/request/refusals.server";
import { readForm } from "~/request/read-form.server";
import { completeTwoFactorLogin } from "~/services/auth/login.server";

export const meta: MetaFunction = () => [{ title: "Two-factor code — Studio Store" }];

/**
 * The second log-in step. Two ways in: a password step that left a signed challenge cookie
 * (it names where the user was going), or a logged-in session stepping up (staff opening
 * /admin, sent here with `?redirectTo=`). Either way a correct code starts a brand-new session.
 */
async function pendingLogin(request: Request, context: AppLoadContext, now: Date) {
  const challenge = await readLoginChallenge(request, context, now);
  if (challenge) return { ...challenge, stepUp: false, replaceSessionId: undefined };
  const user = await getCurrentUser(request, context);
  if (!user?.twoFactorEnabled || user.twoFactorVerified) return null;
  return {
    userId: user.id,
    deviceSessionId: user.deviceSessionId,
    newDevice: false,
    redirectTo: SafeRedirectSchema.parse(
      new URL(request.url).searchParams.get("redirectTo") ?? undefined,
    ),
    stepUp: true,
    replaceSessionId: user.sessionId,
  };
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const pending = await pendingLogin(request, context, new Date());
  if (!pending) throw redirect("/login");
  return { stepUp: pending.stepUp };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const now = new Date();
  const pending = await pendingLogin(request, context, now);
  if (!pending?.deviceSessionId) throw redirect("/login");

  const formData = await readForm(request);
  const submission = parseForm(formData, TwoFactorCodeFormSchema);
  if (!submission.ok) return data(submission.reply, { status: 400 });

  const result = await completeTwoFactorLogin(
    { db: context.db, env: context.env },
    {
      userId: pending.userId,
      code: submission.value.code,
      deviceSessionId: pending.deviceSessionId,
      newDevice: pending.newDevice,
      replaceSessionId: pending.replaceSessionId,
      request: await auditRequestInfo(request, context),
      userAgent: request.headers.get("User-Agent"),
      now,
    },
  );
  if (!result.ok) return refusedForm(formData, result);

  const headers = new Headers();
  headers.append("Set-Cookie", await sessionCookie(context).serialize(result.token));
  headers.append("Set-Cookie", await clearChallengeCookie(context));
  if (result.deletionCancelled) {
    const toast = { kind: "info" as const, message: DELETION_CANCELLED_MESSAGE };
    return redirectWithToast(context, pending.redirectTo, toast, { headers });
  }
  return redirect(pending.redirectTo, { headers });
}

export default function TwoFactorStep() {
  const { stepUp } = useLoaderData<typeof loader>();
  const form = useFormReply(useActionData<typeof action>());
  return (
    <section className="auth-card" aria-labelledby="two-factor-title">
      <h1 id="two-factor-title">Enter your code</h1>
      <p>
        {stepUp
          ? "This page needs a fresh two-factor check. Open your authenticator app and enter the current code."
          : "Open your authenticator app and enter the 6-digit code for Studio Store."}
      </p>
      <FormError>{form.formError}</FormError>
      <Form method="post" className="form-stack" noValidate>
        <TwoFactorCodeField
          label="Code"
          meta={form.field("code")}
          description="Lost your phone? Enter one of your recovery codes instead."
        />
        <SubmitButton pendingText="Checking…">Continue</SubmitButton>
      </Form>
      <p className="auth-card__footer">
        <Link to="/login">Start over</Link>
      </p>
    </section>
  );
}
