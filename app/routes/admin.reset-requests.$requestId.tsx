import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useId } from "react";
import { ErrorPanel, GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, SubmitButton } from "~/components/forms";
import { fieldErrors } from "~/domain/auth/admin-forms";
import { REASON_MAX_LENGTH } from "~/domain/auth/moderation";
import { can } from "~/domain/auth/permissions";
import { actionCapability, ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { ResetReviewFormSchema } from "~/domain/downloads/forms";
import { auditActor, auditRequestInfo, requirePermission } from "~/request/auth.server";
import { invariantResponse, requireIdParam } from "~/lib/http";
import { redirectWithToast } from "~/lib/toast.server";
import {
  getResetRequest,
  reviewResetRequest,
  type ResetRequestDetail,
  type ResetResult,
} from "~/services/reset-requests.server";

const ROUTE_ID = "routes/admin.reset-requests.$requestId";

export const meta: MetaFunction = () => [{ title: "Reset request — Admin — Studio Store" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
  const requestId = requireIdParam(params, "requestId", "There is no such reset request.");
  const detail = await getResetRequest(context.db, requestId);
  invariantResponse(detail, "There is no such reset request.", { status: 404 });
  return Response.json({
    request: detail,
    canReview: detail.status === "PENDING" && can(actor.role, "reset-requests:review"),
  });
}

type ActionData = { intent: string; errors: Record<string, string>; formError?: string };

const FAILURE_STATUS: Record<Extract<ResetResult, { ok: false }>["reason"], number> = {
  "not-found": 404,
  forbidden: 403,
  conflict: 409,
};

export async function action({ request, context, params }: ActionFunctionArgs) {
  const formData = await request.formData();
  const rawIntent = formData.get("intent");
  const intent = typeof rawIntent === "string" ? rawIntent : null;
  const capability = actionCapability(ROUTE_ID, intent);
  if (!capability) {
    await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
    throw new Response("This form asked for something we don't know how to do.", { status: 400 });
  }
  const actor = await requirePermission(request, context, capability);
  const requestId = requireIdParam(params, "requestId", "There is no such reset request.");
  const parsed = ResetReviewFormSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) {
    return Response.json(
      { intent: intent ?? "", errors: fieldErrors(parsed.error) } satisfies ActionData,
      { status: 400 },
    );
  }
  const result = await reviewResetRequest(context.db, {
    actor: auditActor(actor),
    requestId,
    decision: parsed.data.intent,
    notes: parsed.data.notes,
    now: new Date(),
    request: await auditRequestInfo(request, context),
  });
  if (!result.ok) {
    invariantResponse(result.reason !== "not-found", result.message, { status: 404 });
    return Response.json(
      { intent: parsed.data.intent, errors: {}, formError: result.message } satisfies ActionData,
      { status: FAILURE_STATUS[result.reason] },
    );
  }
  return redirectWithToast(context, `/admin/reset-requests/${requestId}`, {
    kind: "success",
    message:
      parsed.data.intent === "approve"
        ? "Approved: the license has its downloads back and the customer was emailed."
        : "Rejected: the customer was emailed your notes.",
  });
}

type Serialized<T> = T extends Date
  ? string
  : T extends object
    ? { [K in keyof T]: Serialized<T[K]> }
    : T;
type LoaderData = { request: Serialized<ResetRequestDetail>; canReview: boolean };

const dateTime = new Intl.DateTimeFormat("en", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});
const when = (value: string | null) => (value ? `${dateTime.format(new Date(value))} UTC` : "—");

export default function AdminResetRequestPage() {
  const { request, canReview } = useLoaderData<LoaderData>();
  const actionData = useActionData<ActionData>();
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/admin/reset-requests">Reset requests</Link> <span aria-hidden="true">/</span>{" "}
        {request.requesterEmail}
      </nav>
      <header>
        <h1>Reset request</h1>
        <p>
          <span className="badge" data-testid="reset-status">
            {request.status.toLowerCase()}
          </span>
        </p>
      </header>

      <section className="admin-panel" aria-labelledby="request-heading">
        <h2 id="request-heading">Request</h2>
        <dl className="facts">
          <div>
            <dt>Customer</dt>
            <dd>
              <Link to={`/admin/users/${request.requesterId}`}>{request.requesterName}</Link> (
              {request.requesterEmail})
            </dd>
          </div>
          <div>
            <dt>License</dt>
            <dd>
              <Link to={`/admin/licenses/${request.licenseId}`}>
                <code>{request.maskedKey}</code>
              </Link>{" "}
              · {request.productName} · {request.licenseStatus.toLowerCase()}
            </dd>
          </div>
          <div>
            <dt>Reason</dt>
            <dd>{request.reason}</dd>
          </div>
          <div>
            <dt>Requested</dt>
            <dd>{when(request.createdAt)}</dd>
          </div>
          {request.reviewedAt && (
            <>
              <div>
                <dt>Decided</dt>
                <dd>
                  {when(request.reviewedAt)} by {request.reviewerEmail ?? "a former staff member"}
                </dd>
              </div>
              <div>
                <dt>Notes</dt>
                <dd>{request.reviewNotes ?? "—"}</dd>
              </div>
            </>
          )}
        </dl>
      </section>

      {canReview && (
        <section aria-labelledby="review-heading">
          <h2 id="review-heading">Decision</h2>
          <div className="admin-actions">
            <ReviewForm
              intent="approve"
              actionData={actionData?.intent === "approve" ? actionData : undefined}
            />
            <ReviewForm
              intent="reject"
              actionData={actionData?.intent === "reject" ? actionData : undefined}
            />
          </div>
        </section>
      )}
    </>
  );
}

function ReviewForm({
  intent,
  actionData,
}: {
  intent: "approve" | "reject";
  actionData: ActionData | undefined;
}) {
  const id = useId();
  const approve = intent === "approve";
  const error = actionData?.errors.notes;
  return (
    <Form method="post" className="admin-panel form-stack" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{approve ? "Approve" : "Reject"}</h3>
      <p className="muted">
        {approve
          ? "The license gets its 3 downloads back from now on. The customer sees your notes."
          : "The downloads stay used. Tell the customer why; they see your notes."}
      </p>
      <FormError>{actionData?.formError}</FormError>
      <div className="field">
        <label htmlFor={`${id}-notes`}>Notes for the customer</label>
        <textarea
          id={`${id}-notes`}
          name="notes"
          required
          maxLength={REASON_MAX_LENGTH}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-notes-error` : undefined}
        />
        {error && (
          <p id={`${id}-notes-error`} className="field__error" role="alert">
            {error}
          </p>
        )}
      </div>
      <SubmitButton
        name="intent"
        value={intent}
        pendingText={approve ? "Approving…" : "Rejecting…"}
        className={approve ? "button" : "button button--danger"}
      >
        {approve ? "Approve reset" : "Reject request"}
      </SubmitButton>
    </Form>
  );
}

export function ErrorBoundary() {
  return (
    <GeneralErrorBoundary
      statusHandlers={{
        404: () => (
          <ErrorPanel
            status={404}
            title="There is no such reset request"
            message="The link may be wrong. Find it on the reset requests page."
          />
        ),
      }}
    />
  );
}
