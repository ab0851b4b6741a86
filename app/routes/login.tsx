import {
  data,
  redirect,
  type ActionFunctionArgs,
  type HeadersFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useActionData, useSearchParams } from "@remix-run/react";
import { DeviceFingerprintInput } from "~/components/device-fingerprint";
import { Field, FormError, SubmitButton, useFormReply } from "~/components/forms";
import { LoginFormSchema } from "~/domain/auth/forms";
import { DELETION_CANCELLED_MESSAGE } from "~/domain/privacy/deletion";
import { parseForm, refusalReply } from "~/lib/forms.server";
import { retryAfterHeaders } from "~/lib/http";
import { redirectWithToast } from "~/lib/toast.server";
import {
  auditRequestInfo,
  challengeSetCookie,
  clientIp,
  redirectWithSession,
  requireAnonymous,
  sessionCookie,
} from "~/request/auth.server";
import { refusalStatus, refusedForm } from "~/request/refusals.server";
import { readForm } from "~/request/read-form.server";
import { checkPassword, startSession, type PasswordRefusal } from "~/services/auth/login.server";

export const meta: MetaFunction = () => [{ title: "Log in — Studio Store" }];

export const headers: HeadersFunction = retryAfterHeaders;

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAnonymous(request, context);
  return null;
}

/**
 * The password step (docs/architecture.md §5). An account with 2FA gets a signed challenge
 * that carries where the user was going, and continues at /login/2fa; any other starts its
 * session here.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await readForm(request);
  const submission = parseForm(formData, LoginFormSchema);
  if (!submission.ok) return data(submission.reply, { status: 400 });
  const form = submission.value;

  const now = new Date();
  const deps = { db: context.db, env: context.env };
  const userAgent = request.headers.get("User-Agent");
  const check = await checkPassword(deps, {
    email: form.email,
    password: form.password,
    fingerprint: form.fingerprint,
    userAgent,
    ip: clientIp(request),
    requestId: context.requestId,
    now,
  });
  if (!check.ok) return refusedLogin(formData, check, now);

  if (check.user.twoFactorEnabled) {
    const challenge = {
      userId: check.user.id,
      deviceSessionId: check.deviceSessionId,
      newDevice: check.newDevice,
      redirectTo: form.redirectTo,
    };
    return redirect("/login/2fa", {
      headers: { "Set-Cookie": await challengeSetCookie(context, challenge, now) },
    });
  }

  const { token, deletionCancelled } = await startSession(deps, {
    user: check.user,
    deviceSessionId: check.deviceSessionId,
    newDevice: check.newDevice,
    twoFactorVerified: false,
    method: "password",
    request: await auditRequestInfo(request, context),
    userAgent,
    now,
  });
  if (deletionCancelled) {
    const headers = { "Set-Cookie": await sessionCookie(context).serialize(token) };
    const toast = { kind: "info" as const, message: DELETION_CANCELLED_MESSAGE };
    return redirectWithToast(context, form.redirectTo, toast, { headers });
  }
  return redirectWithSession(context, token, form.redirectTo);
}

/** The form again with the refusal; a throttled attempt also says when to retry. */
function refusedLogin(formData: FormData, refusal: PasswordRefusal, now: Date) {
  if (!("retryAt" in refusal)) return refusedForm(formData, refusal);
  const seconds = Math.ceil((refusal.retryAt.getTime() - now.getTime()) / 1000);
  return data(refusalReply(formData, refusal), {
    status: refusalStatus(refusal),
    headers: { "Retry-After": String(seconds) },
  });
}

export default function Login() {
  const form = useFormReply(useActionData<typeof action>());
  const [searchParams] = useSearchParams();
  const redirectTo = searchParams.get("redirectTo") ?? "/account";
  return (
    <section className="auth-card" aria-labelledby="login-title">
      <h1 id="login-title">Log in</h1>
      <FormError>{form.formError}</FormError>
      <Form method="post" className="form-stack" noValidate>
        <Field
          label="Email"
          meta={form.field("email")}
          type="email"
          autoComplete="email"
          required
        />
        <Field
          label="Password"
          meta={form.field("password")}
          type="password"
          autoComplete="current-password"
          required
        />
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <DeviceFingerprintInput />
        <SubmitButton pendingText="Logging in…">Log in</SubmitButton>
      </Form>
      <p className="auth-card__footer">
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
      <p className="auth-card__footer">
        New here? <Link to="/signup">Create an account</Link>
      </p>
    </section>
  );
}
