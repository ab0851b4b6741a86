import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { AdminListPage } from "~/components/admin-page";
import { ResetRequestStatusBadge } from "~/components/badge";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { RESET_REQUEST_STATUSES } from "#db/schema/enums";
import { parseResetRequestSearch } from "~/domain/downloads/forms";
import { adminListLoader } from "~/request/admin-loaders.server";
import { searchResetRequests } from "~/services/reset-requests.server";
import { RESET_REQUEST_STATUS_LABELS } from "~/domain/labels";
import { LocalTime } from "~/components/local-time";

export const meta: MetaFunction = () => [{ title: "Reset requests — Admin — Studio Store" }];

export async function loader(args: LoaderFunctionArgs) {
  return adminListLoader(
    args,
    "routes/admin.reset-requests._index",
    parseResetRequestSearch,
    searchResetRequests,
  );
}

export default function AdminResetRequests() {
  return (
    <AdminListPage
      {...useLoaderData<typeof loader>()}
      title="Download reset requests"
      intro="Customers who used their 3 downloads ask for them back. Approving restarts the license's 14-day window now."
      filters={{
        name: "reset requests",
        selects: [
          {
            name: "status",
            label: "Status",
            anyLabel: "Any status",
            options: RESET_REQUEST_STATUSES,
            labels: RESET_REQUEST_STATUS_LABELS,
          },
        ],
      }}
      empty={{
        title: "No reset requests yet",
        text: "Requests appear here when customers ask for their downloads back.",
      }}
      noMatch={{
        title: "No requests with this status",
        text: "Requests appear here when customers ask for their downloads back.",
      }}
      testId="reset-request-list"
      columns={[
        {
          header: "Requested",
          cell: (item) => (
            <Link to={`/admin/reset-requests/${item.id}`}>
              <LocalTime value={item.createdAt} />
            </Link>
          ),
        },
        { header: "Customer", cell: (item) => item.requesterEmail },
        { header: "Product", cell: (item) => item.productName },
        {
          header: "License",
          cell: (item) => (
            <Link to={`/admin/licenses/${item.licenseId}`}>
              <code>{item.maskedKey}</code>
            </Link>
          ),
        },
        { header: "Status", cell: (item) => <ResetRequestStatusBadge status={item.status} /> },
      ]}
    />
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
