import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/empty-state";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { CursorPagination } from "~/components/pagination";
import { RESET_REQUEST_STATUSES } from "#db/schema/enums";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { parseResetRequestSearch, type ResetRequestSearch } from "~/domain/downloads/forms";
import { requirePermission } from "~/request/auth.server";
import { searchResetRequests, type ResetRequestListItem } from "~/services/reset-requests.server";

export const meta: MetaFunction = () => [{ title: "Reset requests — Admin — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(
    request,
    context,
    ADMIN_ROUTE_POLICY["routes/admin.reset-requests._index"].loader,
  );
  const search = parseResetRequestSearch(new URL(request.url).searchParams);
  const page = await searchResetRequests(context.db, search);
  return Response.json({ search, ...page });
}

type LoaderData = {
  search: ResetRequestSearch;
  items: Array<
    Omit<ResetRequestListItem, "createdAt" | "reviewedAt"> & {
      createdAt: string;
      reviewedAt: string | null;
    }
  >;
  nextCursor: string | null;
};

// UTC on server and browser alike, so hydration sees the same text.
const date = new Intl.DateTimeFormat("en", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});
const BADGE = {
  PENDING: "badge",
  APPROVED: "badge badge--success",
  REJECTED: "badge badge--danger",
};

export default function AdminResetRequests() {
  const { search, items, nextCursor } = useLoaderData<LoaderData>();
  const filtering = Boolean(search.status);
  return (
    <>
      <header>
        <h1>Download reset requests</h1>
        <p className="muted">
          Customers who used their 3 downloads ask for them back. Approving restarts the
          license&apos;s 14-day window now.
        </p>
      </header>

      <Form method="get" className="filters" aria-label="Filter reset requests">
        <div className="field">
          <label htmlFor="reset-status">Status</label>
          <select id="reset-status" name="status" defaultValue={search.status ?? ""}>
            <option value="">Any status</option>
            {RESET_REQUEST_STATUSES.map((status) => (
              <option key={status} value={status}>
                {status.toLowerCase()}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button">
          Filter
        </button>
        {filtering && (
          <Link to="/admin/reset-requests" className="button button--ghost">
            Clear
          </Link>
        )}
      </Form>

      {items.length === 0 ? (
        <EmptyState title={filtering ? "No requests with this status" : "No reset requests yet"}>
          <p>Requests appear here when customers ask for their downloads back.</p>
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="data-table" data-testid="reset-request-list">
            <thead>
              <tr>
                <th scope="col">Requested</th>
                <th scope="col">Customer</th>
                <th scope="col">Product</th>
                <th scope="col">License</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id}>
                  <td>
                    <Link to={`/admin/reset-requests/${item.id}`}>
                      {`${date.format(new Date(item.createdAt))} UTC`}
                    </Link>
                  </td>
                  <td>{item.requesterEmail}</td>
                  <td>{item.productName}</td>
                  <td>
                    <Link to={`/admin/licenses/${item.licenseId}`}>
                      <code>{item.maskedKey}</code>
                    </Link>
                  </td>
                  <td>
                    <span className={BADGE[item.status]}>{item.status.toLowerCase()}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CursorPagination nextCursor={nextCursor} />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
