import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Link, useActionData, useParams } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, useFormReply } from "~/components/forms";
import { ResetRequestForm } from "~/components/license-downloads";
import { PageHeader } from "~/components/page";
import { ResetRequestFormSchema } from "~/domain/downloads/forms";
import { parseForm } from "~/lib/forms.server";
import { requireIdParam } from "~/lib/http";
import { redirectWithToast } from "~/lib/toast.server";
import { requireAccountAction } from "~/request/account.server";
import { requireUser } from "~/request/auth.server";
import { refusedForm } from "~/request/refusals.server";
import { readForm } from "~/request/read-form.server";
import { createResetRequest } from "~/services/reset-requests.server";

/** POST /account/licenses/:licenseId/reset-request (`reason`): ask for the downloads back. */
export const meta: MetaFunction = () => [{ title: "Reset request — Studio Store" }];

const NOT_FOUND = "We couldn't find that license in your account.";

/** A GET shows the form on its own (the license page has the same form). */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requireUser(request, context);
  requireIdParam(params, "licenseId", NOT_FOUND);
  return null;
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const account = await requireAccountAction(request, context);
  const licenseId = requireIdParam(params, "licenseId", NOT_FOUND);
  const formData = await readForm(request);
  const submission = parseForm(formData, ResetRequestFormSchema);
  if (!submission.ok) return data(submission.reply, { status: 400 });
  const result = await createResetRequest(context.db, {
    ...account,
    licenseId,
    reason: submission.value.reason,
  });
  if (!result.ok) return refusedForm(formData, result);
  return redirectWithToast(context, `/account/licenses/${licenseId}`, {
    kind: "success",
    message: "Your reset request was sent. We'll email you when a moderator has decided.",
  });
}

/** Shown only when the request needs correcting (empty reason) or one is already pending. */
export default function ResetRequestPage() {
  const form = useFormReply(useActionData<typeof action>());
  const licenseId = useParams().licenseId ?? "";
  return (
    <>
      <PageHeader title="Ask for your downloads back" />
      <FormError>{form.formError}</FormError>
      {/* A refusal (a request already waiting) can't be fixed by editing the reason. */}
      {form.formError ? null : (
        <ResetRequestForm
          licenseId={licenseId}
          reason={form.field("reason")}
          submitLabel="Send request"
        />
      )}
      <p>
        <Link to={`/account/licenses/${licenseId}`}>← Back to the license</Link>
      </p>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
