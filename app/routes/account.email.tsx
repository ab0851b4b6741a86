import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormError, SubmitButton, useFormReply } from "~/components/forms";
import { EmailChangeFormSchema, GuardianEmailFormSchema } from "~/domain/auth/email-forms";
import { parseForm } from "~/lib/forms.server";
import { redirectWithToast } from "~/lib/toast.server";
import { requireAccountAction } from "~/request/account.server";
import { requireUser } from "~/request/auth.server";
import { refusedForm } from "~/request/refusals.server";
import { readForm } from "~/request/read-form.server";
import { pendingEmailChange, requestEmailChange } from "~/services/auth/email-change.server";
import { changeGuardianEmail } from "~/services/auth/guardian-consent.server";
import { LocalTime } from "~/components/local-time";

/**
 * `/account/email`: change the account's address. The new address gets a link and the old one
 * a notice; the address changes only when the link is used (docs/architecture.md §5). A minor
 * can also name a different guardian here (`intent=change-guardian`), which resets consent.
 */

export const meta: MetaFunction = () => [{ title: "Email address — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const pending = await pendingEmailChange(context.db, { userId: user.id, now: new Date() });
  return {
    email: user.email,
    verified: user.emailVerifiedAt !== null,
    pending,
    isMinor: user.isMinor,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const account = await requireAccountAction(request, context);
  const formData = await readForm(request);
  if (formData.get("intent") === "change-guardian") {
    return guardianAction(formData, account, context, new URL(request.url).origin);
  }
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

async function guardianAction(
  formData: FormData,
  account: Awaited<ReturnType<typeof requireAccountAction>>,
  context: ActionFunctionArgs["context"],
  origin: string,
) {
  const submission = parseForm(formData, GuardianEmailFormSchema);
  if (!submission.ok) return data(submission.reply, { status: 400 });
  const result = await changeGuardianEmail(
    { db: context.db, env: context.env },
    { ...account, userId: account.user.id, guardianEmail: submission.value.guardianEmail, origin },
  );
  if (!result.ok) return refusedForm(formData, result);
  return redirectWithToast(context, "/account/email", {
    kind: "success",
    message: `We've emailed ${submission.value.guardianEmail} a consent link.${result.consentReset ? " The earlier consent no longer counts until they agree." : ""}`,
  });
}

export default function AccountEmail() {
  const { email, verified, pending, isMinor } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  const form = useFormReply(reply?.intent === "change-guardian" ? null : reply);
  const guardianForm = useFormReply(reply, { intent: "change-guardian" });
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
          until <LocalTime value={pending.expiresAt} />
          ). Until then your address stays {email}.
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

      {isMinor && (
        <section className="section" aria-labelledby="guardian-title">
          <h2 id="guardian-title">Your parent or guardian</h2>
          <p>
            We email a new consent link to the address you give. Consent is theirs to give, so any
            earlier consent stops counting until they agree.
          </p>
          <Form method="post" className="form-stack">
            <input type="hidden" name="intent" value="change-guardian" />
            <FormError>{guardianForm.formError}</FormError>
            <Field
              label="Parent or guardian's email"
              meta={guardianForm.field("guardianEmail")}
              type="email"
              autoComplete="off"
              required
              maxLength={254}
            />
            <SubmitButton pendingText="Sending…">Email them a consent link</SubmitButton>
          </Form>
        </section>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
