import type {
  ActionFunctionArgs,
  HeadersFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useActionData, useParams } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, SubmitButton } from "~/components/forms";
import { fieldErrors } from "~/domain/auth/admin-forms";
import { LicenseIdParamSchema, ResetRequestFormSchema } from "~/domain/downloads/forms";
import { auditActor, auditRequestInfo, requireUser } from "~/request/auth.server";
import { invariantResponse } from "~/lib/http";
import { redirectWithToast } from "~/lib/toast.server";
import { createResetRequest } from "~/services/reset-requests.server";

/** POST /account/licenses/:licenseId/reset-request (`reason`): ask for the downloads back. */
export const meta: MetaFunction = () => [{ title: "Reset request — Studio Store" }];

export const headers: HeadersFunction = () => ({ "Cache-Control": "private, no-store" });

const NOT_FOUND = "We couldn't find that license in your account.";

/** A GET shows the form on its own (the license page has the same form). */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requireUser(request, context);
  invariantResponse(LicenseIdParamSchema.safeParse(params).success, NOT_FOUND, { status: 404 });
  return null;
}

type ActionData = { errors: Record<string, string>; formError?: string; reason?: string };

export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const parsedParams = LicenseIdParamSchema.safeParse(params);
  invariantResponse(parsedParams.success, NOT_FOUND, { status: 404 });
  const form = Object.fromEntries(await request.formData());
  const parsed = ResetRequestFormSchema.safeParse(form);
  if (!parsed.success) {
    return Response.json({ errors: fieldErrors(parsed.error) } satisfies ActionData, {
      status: 400,
    });
  }
  const { licenseId } = parsedParams.data;
  const result = await createResetRequest(context.db, {
    actor: auditActor(user),
    licenseId,
    reason: parsed.data.reason,
    now: new Date(),
    request: await auditRequestInfo(request, context),
  });
  if (!result.ok) {
    invariantResponse(result.reason !== "not-found", NOT_FOUND, { status: 404 });
    return Response.json(
      { errors: {}, formError: result.message, reason: parsed.data.reason } satisfies ActionData,
      { status: 409 },
    );
  }
  return redirectWithToast(context, `/account/licenses/${licenseId}`, {
    kind: "success",
    message: "Your reset request was sent. We'll email you when a moderator has decided.",
  });
}

/** Shown only when the request needs correcting (empty reason) or one is already pending. */
export default function ResetRequestPage() {
  const data = useActionData<ActionData>();
  const { licenseId } = useParams();
  const action = `/account/licenses/${licenseId ?? ""}/reset-request`;
  return (
    <>
      <header className="page-header">
        <h1>Ask for your downloads back</h1>
      </header>
      <FormError>{data?.formError}</FormError>
      {data?.formError ? null : (
        <Form method="post" action={action} className="form-stack">
          <div className="field">
            <label htmlFor="reset-reason">Why do you need more downloads?</label>
            <textarea
              id="reset-reason"
              name="reason"
              rows={4}
              required
              maxLength={1000}
              defaultValue={data?.reason}
              aria-invalid={data?.errors.reason ? true : undefined}
              aria-describedby={data?.errors.reason ? "reset-reason-error" : undefined}
            />
            {data?.errors.reason ? (
              <p id="reset-reason-error" className="field__error" role="alert">
                {data.errors.reason}
              </p>
            ) : null}
          </div>
          <SubmitButton pendingText="Sending…">Send request</SubmitButton>
        </Form>
      )}
      <p>
        <Link to={`/account/licenses/${licenseId ?? ""}`}>← Back to the license</Link>
      </p>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
