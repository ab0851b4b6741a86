import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData } from "@remix-run/react";
import { useState } from "react";
import { DeviceFingerprintInput } from "~/components/device-fingerprint";
import { Field, FormError, SubmitButton } from "~/components/forms";
import { fieldErrors, signupFormSchema } from "~/domain/auth/forms";
import { PASSWORD_MIN_LENGTH } from "~/domain/auth/password-rules";
import { auditRequestInfo, clientIp, requireAnonymous, sessionCookie } from "~/request/auth.server";
import { redirectWithToast } from "~/lib/toast.server";
import { recordDevice } from "~/services/auth/devices.server";
import { startSession } from "~/services/auth/login.server";
import { createAccount } from "~/services/auth/signup.server";

export const meta: MetaFunction = () => [{ title: "Create an account — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAnonymous(request, context);
  return null;
}

type Values = { email?: string; name?: string; birthDate?: string; guardianEmail?: string };
type ActionData = { fieldErrors: Record<string, string>; values: Values };

export async function action({ request, context }: ActionFunctionArgs) {
  await requireAnonymous(request, context);
  const now = new Date();
  const raw = Object.fromEntries(await request.formData());
  // Everything but the password goes back to the form on an error.
  const values: Values = {
    email: String(raw.email ?? ""),
    name: String(raw.name ?? ""),
    birthDate: String(raw.birthDate ?? ""),
    guardianEmail: String(raw.guardianEmail ?? ""),
  };
  const parsed = signupFormSchema(now).safeParse(raw);
  if (!parsed.success) {
    return Response.json({ fieldErrors: fieldErrors(parsed.error), values } satisfies ActionData, {
      status: 400,
    });
  }

  const deps = { db: context.db, env: context.env };
  const requestInfo = await auditRequestInfo(request, context);
  const result = await createAccount(deps, {
    form: parsed.data,
    origin: new URL(request.url).origin,
    request: requestInfo,
    now,
  });
  if (!result.ok) {
    return Response.json({ fieldErrors: result.fieldErrors, values } satisfies ActionData, {
      status: 400,
    });
  }

  const userAgent = request.headers.get("User-Agent");
  const device = await recordDevice(context.db, context.env, {
    userId: result.user.id,
    fingerprint: parsed.data.fingerprint,
    userAgent,
    ip: clientIp(request),
    now,
  });
  const { token } = await startSession(deps, {
    user: result.user,
    deviceSessionId: device.id,
    newDevice: true,
    twoFactorVerified: false,
    method: "signup",
    request: requestInfo,
    userAgent,
    now,
  });
  const message = result.user.isMinor
    ? "Welcome! We've emailed your guardian: you can browse now and buy once they agree."
    : `Welcome to Studio Store, ${result.user.name}!`;
  return redirectWithToast(
    context,
    "/account",
    { kind: "success", message },
    {
      headers: { "Set-Cookie": await sessionCookie(context).serialize(token) },
    },
  );
}

/** Whole years from a YYYY-MM-DD date to today, in the browser, to show the guardian field early. */
function isUnder18(birthDate: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) return false;
  const [year, month, day] = birthDate.split("-").map(Number) as [number, number, number];
  const today = new Date();
  let age = today.getFullYear() - year;
  if (today.getMonth() + 1 < month || (today.getMonth() + 1 === month && today.getDate() < day))
    age -= 1;
  return age < 18;
}

export default function Signup() {
  const actionData = useActionData<ActionData>();
  const errors = actionData?.fieldErrors ?? {};
  const values = actionData?.values ?? {};
  const [birthDate, setBirthDate] = useState(values.birthDate ?? "");
  const showGuardian = isUnder18(birthDate) || Boolean(errors.guardianEmail);

  return (
    <section className="auth-card" aria-labelledby="signup-title">
      <h1 id="signup-title">Create an account</h1>
      <FormError>{errors.form}</FormError>
      <Form method="post" className="form-stack" noValidate>
        <Field
          label="Name"
          name="name"
          autoComplete="name"
          required
          defaultValue={values.name}
          error={errors.name}
        />
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          required
          defaultValue={values.email}
          error={errors.email}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={PASSWORD_MIN_LENGTH}
          description={`At least ${PASSWORD_MIN_LENGTH} characters. A short sentence works well.`}
          error={errors.password}
        />
        <Field
          label="Date of birth"
          name="birthDate"
          type="date"
          required
          value={birthDate}
          onChange={(event) => setBirthDate(event.currentTarget.value)}
          description="You need to be 13 or older. Under 18s need a parent or guardian to agree."
          error={errors.birthDate}
        />
        {showGuardian && (
          <Field
            label="Parent or guardian's email"
            name="guardianEmail"
            type="email"
            autoComplete="off"
            defaultValue={values.guardianEmail}
            description="We'll email them a link to agree. Until then you can browse but not buy."
            error={errors.guardianEmail}
          />
        )}
        <DeviceFingerprintInput />
        <SubmitButton pendingText="Creating your account…">Create account</SubmitButton>
      </Form>
      <p className="auth-card__footer">
        Already have an account? <Link to="/login">Log in</Link>
      </p>
    </section>
  );
}
