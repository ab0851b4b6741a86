import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { DeviceFingerprintInput } from "~/components/device-fingerprint";
import { Field, FormError, SubmitButton, useFormReply } from "~/components/forms";
import { FeaturePaused } from "~/components/feature-paused";
import { signupFormSchema } from "~/domain/auth/forms";
import { PASSWORD_MIN_LENGTH } from "~/domain/auth/password-rules";
import { parseForm } from "~/lib/forms.server";
import { auditRequestInfo, requireAnonymous } from "~/request/auth.server";
import { featureRefusal } from "~/request/feature-gate.server";
import { refusedForm } from "~/request/refusals.server";
import { readForm } from "~/request/read-form.server";
import { createAccount } from "~/services/auth/signup.server";

export const meta: MetaFunction = () => [{ title: "Create an account — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAnonymous(request, context);
  // Sign-ups paused (feature flag): the page says so instead of offering the form.
  return { paused: (await featureRefusal(context, "signup"))?.message ?? null };
}

export async function action({ request, context }: ActionFunctionArgs) {
  await requireAnonymous(request, context);
  const now = new Date();
  const formData = await readForm(request);
  const paused = await featureRefusal(context, "signup");
  if (paused) return refusedForm(formData, paused);
  const submission = parseForm(formData, signupFormSchema(now));
  if (!submission.ok) return data(submission.reply, { status: 400 });
  const form = submission.value;

  // A new and a taken address get the same answer (issue 14.6): no session, no toast, the
  // same page naming the address typed. Whoever owns the mailbox continues from the email.
  const result = await createAccount(
    { db: context.db, env: context.env },
    {
      form,
      origin: new URL(request.url).origin,
      request: await auditRequestInfo(request, context),
      now,
    },
  );
  if (!result.ok) return refusedForm(formData, result);
  return { sent: { email: result.email } };
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
  const { paused } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const sent = actionData && "sent" in actionData ? actionData.sent : null;
  const form = useFormReply(actionData && "sent" in actionData ? undefined : actionData);
  const birthDateMeta = form.field("birthDate");
  const guardianMeta = form.field("guardianEmail");
  // Tracked as typed, only to show the guardian field as soon as the date says "under 18".
  const [birthDate, setBirthDate] = useState(birthDateMeta.defaultValue ?? "");
  const showGuardian = isUnder18(birthDate) || Boolean(guardianMeta.error);

  return (
    <section className="auth-card" aria-labelledby="signup-title">
      <h1 id="signup-title">{sent ? "Check your email" : "Create an account"}</h1>
      {sent ? (
        <div data-testid="signup-sent" role="status">
          <p>
            We&apos;ve sent an email to <strong>{sent.email}</strong>. Open the link in it to finish
            creating your account; it works for 48 hours.
          </p>
          <p>
            Nothing there after a few minutes? Check your spam folder, or{" "}
            <Link to="/signup">sign up again</Link>.
          </p>
        </div>
      ) : paused ? (
        <FeaturePaused message={paused} />
      ) : (
        <>
          <FormError>{form.formError}</FormError>
          <Form method="post" className="form-stack" noValidate>
            <Field label="Name" meta={form.field("name")} autoComplete="name" required />
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
              autoComplete="new-password"
              required
              minLength={PASSWORD_MIN_LENGTH}
              description={`At least ${PASSWORD_MIN_LENGTH} characters. A short sentence works well.`}
            />
            <Field
              label="Date of birth"
              meta={birthDateMeta}
              type="date"
              required
              onChange={(event) => setBirthDate(event.currentTarget.value)}
              description="You need to be 13 or older. Under 18s need a parent or guardian to agree."
            />
            {showGuardian && (
              <Field
                label="Parent or guardian's email"
                meta={guardianMeta}
                type="email"
                autoComplete="off"
                description="We'll email them a link to agree. Until then you can browse but not buy."
              />
            )}
            <DeviceFingerprintInput />
            <SubmitButton pendingText="Creating your account…">Create account</SubmitButton>
          </Form>
        </>
      )}
      <p className="auth-card__footer">
        Already have an account? <Link to="/login">Log in</Link>
      </p>
    </section>
  );
}
