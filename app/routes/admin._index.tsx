import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { ACCOUNT_STATUSES, USER_ROLES } from "#db/schema/enums";
import { can } from "~/domain/auth/permissions";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { requirePermission } from "~/request/auth.server";
import { getAdminDashboard, type AdminDashboard } from "~/services/admin-dashboard.server";

export const meta: MetaFunction = () => [{ title: "Dashboard — Admin — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const staff = await requirePermission(
    request,
    context,
    ADMIN_ROUTE_POLICY["routes/admin._index"].loader,
  );
  const dashboard = await getAdminDashboard(context.db, {
    now: new Date(),
    includeAudit: can(staff.role, "audit:read"),
  });
  return Response.json({ dashboard });
}

type Serialized<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] };
type LoaderData = {
  dashboard: Omit<AdminDashboard, "recentAudit"> & {
    recentAudit: Array<Serialized<NonNullable<AdminDashboard["recentAudit"]>[number]>> | null;
  };
};

// UTC on server and browser alike, so hydration sees the same text.
const dateTime = new Intl.DateTimeFormat("en", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});

export default function AdminDashboardPage() {
  const { dashboard } = useLoaderData<LoaderData>();
  return (
    <>
      <header>
        <h1>Dashboard</h1>
        <p className="muted">Accounts, sessions and the latest activity across the store.</p>
      </header>

      <section aria-labelledby="accounts-heading">
        <h2 id="accounts-heading">Accounts</h2>
        <ul className="stat-grid" role="list">
          <li className="stat">
            <span className="stat__value">{dashboard.totalUsers}</span>
            <span className="stat__label">All accounts</span>
          </li>
          <li className="stat">
            <span className="stat__value">{dashboard.activeSessions}</span>
            <span className="stat__label">Active sessions</span>
          </li>
          {ACCOUNT_STATUSES.filter((status) => status !== "ACTIVE").map((status) => (
            <li className="stat" key={status}>
              <span className="stat__value">{dashboard.usersByStatus[status]}</span>
              <span className="stat__label">
                <Link to={`/admin/users?status=${status}`}>{status.toLowerCase()}</Link>
              </span>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="roles-heading">
        <h2 id="roles-heading">By role</h2>
        <ul className="stat-grid" role="list">
          {USER_ROLES.map((role) => (
            <li className="stat" key={role}>
              <span className="stat__value">{dashboard.usersByRole[role]}</span>
              <span className="stat__label">
                <Link to={`/admin/users?role=${role}`}>{role.toLowerCase()}</Link>
              </span>
            </li>
          ))}
        </ul>
      </section>

      {dashboard.recentAudit && (
        <section aria-labelledby="activity-heading">
          <h2 id="activity-heading">Recent activity</h2>
          {dashboard.recentAudit.length === 0 ? (
            <p className="muted">Nothing has been recorded yet.</p>
          ) : (
            <div className="table-scroll">
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">When (UTC)</th>
                    <th scope="col">Action</th>
                    <th scope="col">By</th>
                    <th scope="col">About</th>
                  </tr>
                </thead>
                <tbody>
                  {dashboard.recentAudit.map((row) => (
                    <tr key={row.id}>
                      <td>{dateTime.format(new Date(row.createdAt))}</td>
                      <td>{row.action}</td>
                      <td>
                        {row.actorId ? (
                          <Link to={`/admin/users/${row.actorId}`}>
                            {row.actorRole?.toLowerCase() ?? "user"}
                          </Link>
                        ) : (
                          <span className="muted">system</span>
                        )}
                      </td>
                      <td>
                        {row.entityType === "user" && row.entityId ? (
                          <Link to={`/admin/users/${row.entityId}`}>user</Link>
                        ) : (
                          row.entityType.replaceAll("_", " ")
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
