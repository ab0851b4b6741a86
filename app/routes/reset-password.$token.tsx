import {
  data,
  type ActionFunctionArgs,
  type HeadersFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { NewPasswordField } from "~/components/new-password-field";
import { FormError, SubmitButton, useFormReply } from "~/components/forms";
import { ResetPasswordFormSchema } from "~/domain/auth/password-forms";
import type { Refusal } from "~/domain/refusal";
import { parseForm } from "~/lib/forms.server";
import { redirectWithToast } from "~/lib/toast.server";
import { auditRequestInfo } from "~/request/auth.server";
import { refusalStatus } from "~/request/refusals.server";
import { readForm } from "~/request/read-form.server";
import type { AccountTokenRefusal } from "~/services/auth/account-tokens.server";
import { checkResetLink, resetPassword } from "~/services/auth/password-reset.server";

/**
 * The emailed reset link (docs/architecture.md §5). GET shows the form while the link works
 * (it spends nothing, so mail scanners that open links do no harm); POST sets the password.
 */

export const meta: MetaFunction = () => [
  { title: "Choose a new password — Studio Store" },
  { name: "robots", content: "noindex" },
];

// The URL carries a live token: never cached, and never sent on as a Referer.
const LINK_PAGE_HEADERS = { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" };

export const headers: HeadersFunction = () => LINK_PAGE_HEADERS;

const refused = (refusal: Refusal<AccountTokenRefusal>) =>
  data(
    { refused: { reason: refusal.reason, message: refusal.message } },
    { status: refusalStatus(refusal), headers: LINK_PAGE_HEADERS },
  );

export async function loader({ params, context }: LoaderFunctionArgs) {
  const link = await checkResetLink(context.db, params.token, new Date());
  if (!link.ok) return refused(link);
  return data({ refused: null }, { headers: LINK_PAGE_HEADERS });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const formData = await readForm(request);
  // A dead link says so before any rule about the password does.
  const link = await checkResetLink(context.db, params.token, new Date());
  if (!link.ok) return refused(link);
  const submission = parseForm(formData, ResetPasswordFormSchema);
  if (!submission.ok) return data(submission.reply, { status: 400, headers: LINK_PAGE_HEADERS });

  const result = await resetPassword(
    { db: context.db, env: context.env },
    {
      token: params.token,
      password: submission.value.password,
      request: await auditRequestInfo(request, context),
      now: new Date(),
    },
  );
  if (!result.ok) return refused(result);
  return redirectWithToast(
    context,
    "/login",
    { kind: "success", message: "Password changed — log in with your new password." },
    { headers: LINK_PAGE_HEADERS },
  );
}

export default function ResetPassword() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const refusal = actionData && "refused" in actionData ? actionData.refused : loaderData.refused;
  const form = useFormReply(actionData && "refused" in actionData ? undefined : actionData);

  if (refusal) {
    return (
      <section className="auth-card" aria-labelledby="reset-title">
        <h1 id="reset-title">This link can&apos;t be used</h1>
        <p role="alert">{refusal.message}</p>
        <p>Reset links work once, for 30 minutes, and only the newest one you asked for works.</p>
        <p className="auth-card__footer">
          <Link to="/forgot-password">Ask for a new link</Link>
        </p>
      </section>
    );
  }

  return (
    <section className="auth-card" aria-labelledby="reset-title">
      <h1 id="reset-title">Choose a new password</h1>
      <p>Setting a new password logs out every device signed in to your account.</p>
      <FormError>{form.formError}</FormError>
      <Form method="post" className="form-stack" noValidate>
        <NewPasswordField meta={form.field("password")} />
        <SubmitButton pendingText="Saving…">Set new password</SubmitButton>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
