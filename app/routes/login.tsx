import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useSearchParams } from "@remix-run/react";
import { DeviceFingerprintInput } from "~/components/device-fingerprint";
import { Field, FormError, SubmitButton } from "~/components/forms";
import { formatWait } from "~/domain/auth/login-policy";
import {
  auditRequestInfo,
  challengeSetCookie,
  redirectWithSession,
  requireAnonymous,
} from "~/request/auth.server";
import { createAuthenticator } from "~/request/authenticator.server";
import { startSession } from "~/services/auth/login.server";
import { redirect } from "@remix-run/cloudflare";

export const meta: MetaFunction = () => [{ title: "Log in — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAnonymous(request, context);
  return null;
}

type ActionData = { formError?: string; fieldErrors?: Record<string, string>; email?: string };

export async function action({ request, context }: ActionFunctionArgs) {
  const outcome = await createAuthenticator(context).authenticate("form", request);
  if (outcome.kind === "invalid-form") {
    return Response.json(
      { fieldErrors: outcome.fieldErrors, email: outcome.email } satisfies ActionData,
      {
        status: 400,
      },
    );
  }

  const { form, check } = outcome;
  const now = new Date();
  switch (check.status) {
    case "invalid":
      return Response.json(
        {
          formError: "That email and password don't match an account.",
          email: form.email,
        } satisfies ActionData,
        {
          status: 400,
        },
      );
    case "throttled":
      return Response.json(
        {
          formError:
            check.reason === "locked"
              ? `Too many failed attempts: this account is locked. Try again in ${formatWait(check.retryAt, now)}.`
              : `Too many failed attempts. Wait ${formatWait(check.retryAt, now)} before trying again.`,
          email: form.email,
        } satisfies ActionData,
        {
          status: 429,
          headers: {
            "Retry-After": String(Math.ceil((check.retryAt.getTime() - now.getTime()) / 1000)),
          },
        },
      );
    case "refused":
      return Response.json({ formError: check.message, email: form.email } satisfies ActionData, {
        status: 403,
      });
    case "ok":
      break;
  }

  if (check.user.twoFactorEnabled) {
    const cookie = await challengeSetCookie(
      context,
      {
        userId: check.user.id,
        deviceSessionId: check.deviceSessionId,
        newDevice: check.newDevice,
        redirectTo: form.redirectTo,
      },
      now,
    );
    return redirect(`/login/2fa?${new URLSearchParams({ redirectTo: form.redirectTo })}`, {
      headers: { "Set-Cookie": cookie },
    });
  }

  const { token } = await startSession(
    { db: context.db, env: context.env },
    {
      user: check.user,
      deviceSessionId: check.deviceSessionId,
      newDevice: check.newDevice,
      twoFactorVerified: false,
      method: "password",
      request: await auditRequestInfo(request, context),
      userAgent: request.headers.get("User-Agent"),
      now,
    },
  );
  return redirectWithSession(context, token, form.redirectTo);
}

export default function Login() {
  const actionData = useActionData<ActionData>();
  const [searchParams] = useSearchParams();
  const redirectTo = searchParams.get("redirectTo") ?? "/account";
  return (
    <section className="auth-card" aria-labelledby="login-title">
      <h1 id="login-title">Log in</h1>
      <FormError>{actionData?.formError}</FormError>
      <Form method="post" className="form-stack" noValidate>
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          required
          defaultValue={actionData?.email}
          error={actionData?.fieldErrors?.email}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          error={actionData?.fieldErrors?.password}
        />
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <DeviceFingerprintInput />
        <SubmitButton pendingText="Logging in…">Log in</SubmitButton>
      </Form>
      <p className="auth-card__footer">
        New here? <Link to="/signup">Create an account</Link>
      </p>
    </section>
  );
}
