import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { AdminHeader, Muted, Section } from "~/components/admin-page";
import { DataTable } from "~/components/data-table";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { ACCOUNT_STATUSES, USER_ROLES } from "#db/schema/enums";
import { can } from "~/domain/auth/permissions";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { formatDateTime } from "~/lib/format";
import { requirePermission } from "~/request/auth.server";
import { getAdminDashboard } from "~/services/admin-dashboard.server";

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
  return { dashboard };
}

export default function AdminDashboardPage() {
  const { dashboard } = useLoaderData<typeof loader>();
  return (
    <>
      <AdminHeader
        title="Dashboard"
        intro="Accounts, sessions and the latest activity across the store."
      />

      <Section title="Accounts">
        <StatGrid
          stats={[
            { value: dashboard.totalUsers, label: "All accounts" },
            { value: dashboard.activeSessions, label: "Active sessions" },
            ...ACCOUNT_STATUSES.filter((status) => status !== "ACTIVE").map((status) => ({
              value: dashboard.usersByStatus[status],
              label: <Link to={`/admin/users?status=${status}`}>{status.toLowerCase()}</Link>,
            })),
          ]}
        />
      </Section>

      <Section title="By role">
        <StatGrid
          stats={USER_ROLES.map((role) => ({
            value: dashboard.usersByRole[role],
            label: <Link to={`/admin/users?role=${role}`}>{role.toLowerCase()}</Link>,
          }))}
        />
      </Section>

      {dashboard.recentAudit && (
        <Section title="Recent activity">
          <DataTable
            rows={dashboard.recentAudit}
            empty={<p className="muted">Nothing has been recorded yet.</p>}
            columns={[
              { header: "When", cell: (row) => formatDateTime(row.createdAt) },
              { header: "Action", cell: (row) => row.action },
              {
                header: "By",
                cell: (row) =>
                  row.actorId ? (
                    <Link to={`/admin/users/${row.actorId}`}>
                      {row.actorRole?.toLowerCase() ?? "user"}
                    </Link>
                  ) : (
                    <Muted>system</Muted>
                  ),
              },
              {
                header: "About",
                cell: (row) =>
                  row.entityType === "user" && row.entityId ? (
                    <Link to={`/admin/users/${row.entityId}`}>user</Link>
                  ) : (
                    row.entityType.replaceAll("_", " ")
                  ),
              },
            ]}
          />
        </Section>
      )}
    </>
  );
}

function StatGrid({ stats }: { stats: Array<{ value: number; label: ReactNode }> }) {
  return (
    <ul className="stat-grid" role="list">
      {stats.map((stat, index) => (
        <li className="stat" key={index}>
          <span className="stat__value">{stat.value}</span>
          <span className="stat__label">{stat.label}</span>
        </li>
      ))}
    </ul>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
