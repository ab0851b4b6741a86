import {
  data,
  type ActionFunctionArgs,
  type HeadersFunction,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useActionData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormError, SubmitButton, useFormReply } from "~/components/forms";
import { ForgotPasswordFormSchema } from "~/domain/auth/password-forms";
import { parseForm, refusalReply } from "~/lib/forms.server";
import { retryAfterHeaders } from "~/lib/http";
import { auditRequestInfo } from "~/request/auth.server";
import { refusalStatus } from "~/request/refusals.server";
import { readForm } from "~/request/read-form.server";
import { requestPasswordReset } from "~/services/auth/password-reset.server";

export const meta: MetaFunction = () => [{ title: "Forgot your password? — Studio Store" }];

export const headers: HeadersFunction = retryAfterHeaders;

/**
 * Ask for a reset link (docs/architecture.md §5). Every address gets the same answer, so the
 * page tells nobody whether an account exists; only a throttled request is told to wait.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await readForm(request);
  const submission = parseForm(formData, ForgotPasswordFormSchema);
  if (!submission.ok) return data(submission.reply, { status: 400 });
  const result = await requestPasswordReset(
    { db: context.db, env: context.env },
    {
      email: submission.value.email,
      origin: new URL(request.url).origin,
      request: await auditRequestInfo(request, context),
      now: new Date(),
    },
  );
  if (!result.ok) {
    return data(refusalReply(formData, result), {
      status: refusalStatus(result),
      headers: { "Retry-After": String(result.retryAfterSeconds) },
    });
  }
  return { sent: true as const };
}

export default function ForgotPassword() {
  const reply = useActionData<typeof action>();
  const sent = reply !== undefined && "sent" in reply;
  const form = useFormReply(sent ? undefined : reply);
  return (
    <section className="auth-card" aria-labelledby="forgot-title">
      <h1 id="forgot-title">Forgot your password?</h1>
      {sent ? (
        <>
          <p role="status" data-testid="reset-requested">
            If an account exists for that address, we&apos;ve sent a link to it. The link works
            once, for 30 minutes.
          </p>
          <p>Nothing there after a few minutes? Check your spam folder, or ask again.</p>
        </>
      ) : (
        <>
          <p>
            Enter the email address of your account and we&apos;ll email you a link to choose a new
            password.
          </p>
          <FormError>{form.formError}</FormError>
          <Form method="post" className="form-stack" noValidate>
            <Field
              label="Email"
              meta={form.field("email")}
              type="email"
              autoComplete="email"
              required
            />
            <SubmitButton pendingText="Sending…">Email me a link</SubmitButton>
          </Form>
        </>
      )}
      <p className="auth-card__footer">
        Remembered it? <Link to="/login">Log in</Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
