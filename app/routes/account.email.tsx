import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormError, SubmitButton, useFormReply } from "~/components/forms";
import { EmailChangeFormSchema } from "~/domain/auth/email-forms";
import { formatDateTime } from "~/lib/format";
import { parseForm } from "~/lib/forms.server";
import { redirectWithToast } from "~/lib/toast.server";
import { requireAccountAction } from "~/request/account.server";
import { requireUser } from "~/request/auth.server";
import { refusedForm } from "~/request/refusals.server";
import { pendingEmailChange, requestEmailChange } from "~/services/auth/email-change.server";

/**
 * `/account/email`: change the account's address. The new address gets a link and the old one
 * a notice; the address changes only when the link is used (docs/architecture.md §5).
 */

export const meta: MetaFunction = () => [{ title: "Email address — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const pending = await pendingEmailChange(context.db, { userId: user.id, now: new Date() });
  return { email: user.email, verified: user.emailVerifiedAt !== null, pending };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const account = await requireAccountAction(request, context);
  const formData = await request.formData();
  const submission = parseForm(formData, EmailChangeFormSchema);
  if (!submission.ok) return data(submission.reply, { status: 400 });
  const result = await requestEmailChange(context.db, {
    ...account,
    userId: account.user.id,
    form: submission.value,
    origin: new URL(request.url).origin,
  });
  if (!result.ok) return refusedForm(formData, result);
  return redirectWithToast(context, "/account/email", {
    kind: "success",
    message: `We've sent a link to ${result.newEmail}. Your address changes when you open it.`,
  });
}

export default function AccountEmail() {
  const { email, verified, pending } = useLoaderData<typeof loader>();
  const form = useFormReply(useActionData<typeof action>());
  return (
    <>
      <header className="page-header">
        <h1>Email address</h1>
        <p>
          Your account&apos;s address is <strong>{email}</strong>
          {verified ? " (confirmed)." : " (not confirmed yet)."}
        </p>
      </header>

      {pending && (
        <p className="notice" role="status" data-testid="email-change-pending">
          Waiting for you to open the link we sent to <strong>{pending.newEmail}</strong> (it works
          until {formatDateTime(pending.expiresAt)}). Until then your address stays {email}.
        </p>
      )}

      <section className="section" aria-labelledby="change-email-title">
        <h2 id="change-email-title">Change your email address</h2>
        <p>
          We send a link to the new address and a notice to the current one. Nothing changes until
          the link is opened.
        </p>
        <Form method="post" className="form-stack">
          <FormError>{form.formError}</FormError>
          <Field
            label="New email address"
            meta={form.field("email")}
            type="email"
            autoComplete="email"
            required
            maxLength={254}
          />
          <Field
            label="Current password"
            meta={form.field("password")}
            type="password"
            autoComplete="current-password"
            required
          />
          <SubmitButton pendingText="Sending the link…">Send the link</SubmitButton>
        </Form>
      </section>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
