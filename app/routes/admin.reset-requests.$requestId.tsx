import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { AdminActionForm } from "~/components/admin-action-form";
import { ActionsSection, DetailHeader, FactsPanel, UserLink } from "~/components/admin-page";
import { StatusBoundary } from "~/components/error-boundary";
import { ResetRequestStatusBadge } from "~/components/badge";
import { can } from "~/domain/auth/permissions";
import { ResetReviewFormSchema } from "~/domain/downloads/forms";
import { requireIdParam } from "~/lib/http";
import { adminAction } from "~/request/admin-action.server";
import { adminRecord } from "~/request/admin-loaders.server";
import { getResetRequest, reviewResetRequest } from "~/services/reset-requests.server";
import { LocalTime } from "~/components/local-time";

const ROUTE_ID = "routes/admin.reset-requests.$requestId";
const NOT_FOUND = "There is no such reset request.";

export const meta: MetaFunction = () => [{ title: "Reset request — Admin — Studio Store" }];

export async function loader(args: LoaderFunctionArgs) {
  const { staff, record } = await adminRecord(args, {
    routeId: ROUTE_ID,
    param: "requestId",
    notFound: NOT_FOUND,
    load: getResetRequest,
  });
  return {
    request: record,
    canReview: record.status === "PENDING" && can(staff.role, "reset-requests:review"),
  };
}

export async function action(args: ActionFunctionArgs) {
  return adminAction(args, {
    routeId: ROUTE_ID,
    schema: ResetReviewFormSchema,
    async perform(form, staff) {
      const requestId = requireIdParam(args.params, "requestId", NOT_FOUND);
      const result = await reviewResetRequest(staff.db, {
        ...staff,
        requestId,
        decision: form.intent,
        notes: form.notes,
      });
      if (!result.ok) return result;
      return {
        ok: true,
        toast:
          form.intent === "approve"
            ? "Approved: the license has its downloads back and the customer was emailed."
            : "Rejected: the customer was emailed your notes.",
      };
    },
  });
}

export default function AdminResetRequestPage() {
  const { request, canReview } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  return (
    <>
      <DetailHeader
        list={["/admin/reset-requests", "Reset requests"]}
        here={request.requesterEmail}
        title="Reset request"
      >
        <span data-testid="reset-status">
          <ResetRequestStatusBadge status={request.status} />
        </span>
      </DetailHeader>

      <FactsPanel
        title="Request"
        facts={[
          {
            label: "Customer",
            value: (
              <UserLink
                id={request.requesterId}
                name={request.requesterName}
                email={request.requesterEmail}
              />
            ),
          },
          {
            label: "License",
            value: (
              <>
                <Link to={`/admin/licenses/${request.licenseId}`}>
                  <code>{request.maskedKey}</code>
                </Link>{" "}
                · {request.productName} · {request.licenseStatus.toLowerCase()}
              </>
            ),
          },
          { label: "Reason", value: request.reason },
          { label: "Requested", value: <LocalTime value={request.createdAt} /> },
          request.reviewedAt && {
            label: "Decided",
            value: (
              <>
                <LocalTime value={request.reviewedAt} /> by{" "}
                {request.reviewerEmail ?? "a former staff member"}
              </>
            ),
          },
          request.reviewedAt && { label: "Notes", value: request.reviewNotes ?? "—" },
        ]}
      />

      {canReview && (
        <ActionsSection title="Decision">
          <AdminActionForm
            intent="approve"
            reply={reply}
            title="Approve"
            description="The license gets its 3 downloads back from now on. The customer sees your notes."
            pendingText="Approving…"
            submitLabel="Approve reset"
            reason={{ label: "Notes for the customer", name: "notes" }}
          />
          <AdminActionForm
            intent="reject"
            reply={reply}
            title="Reject"
            description="The downloads stay used. Tell the customer why; they see your notes."
            pendingText="Rejecting…"
            submitLabel="Reject request"
            danger
            reason={{ label: "Notes for the customer", name: "notes" }}
          />
        </ActionsSection>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return (
    <StatusBoundary
      status={404}
      title="There is no such reset request"
      message="The link may be wrong. Find it on the reset requests page."
    />
  );
}
