import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { useLoaderData } from "@remix-run/react";
import { AdminListPage, Muted, UserLink } from "~/components/admin-page";
import { Badge } from "~/components/badge";
import { StatusBadge } from "~/components/status-badge";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { ACCOUNT_STATUSES, USER_ROLES } from "#db/schema/enums";
import { parseUserSearch } from "~/domain/auth/admin-forms";
import { formatDate } from "~/lib/format";
import { adminListLoader } from "~/request/admin-loaders.server";
import { searchUsers } from "~/services/users-admin.server";
import { ACCOUNT_STATUS_LABELS, USER_ROLE_LABELS } from "~/domain/labels";

export const meta: MetaFunction = () => [{ title: "Users — Admin — Studio Store" }];

export async function loader(args: LoaderFunctionArgs) {
  return adminListLoader(args, "routes/admin.users._index", parseUserSearch, searchUsers);
}

export default function AdminUsers() {
  return (
    <AdminListPage
      {...useLoaderData<typeof loader>()}
      title="Users"
      intro="Find an account by email or name, then open it to see its devices and history."
      filters={{
        name: "users",
        queryLabel: "Email or name",
        selects: [
          {
            name: "role",
            label: "Role",
            anyLabel: "Any role",
            options: USER_ROLES,
            labels: USER_ROLE_LABELS,
          },
          {
            name: "status",
            label: "Status",
            anyLabel: "Any status",
            options: ACCOUNT_STATUSES,
            labels: ACCOUNT_STATUS_LABELS,
          },
        ],
      }}
      empty={{ title: "No accounts yet", text: "Accounts appear here as people sign up." }}
      noMatch={{
        title: "No accounts match this search",
        text: "Try part of the email address, or another role or status.",
      }}
      columns={[
        {
          header: "Name",
          cell: (user) => (
            <>
              <UserLink id={user.id} name={user.name} />
              {user.isMinor && (
                <>
                  {" "}
                  <Badge>minor</Badge>
                </>
              )}
            </>
          ),
        },
        { header: "Email", cell: (user) => user.email },
        { header: "Role", cell: (user) => user.role.toLowerCase() },
        { header: "Status", cell: (user) => <StatusBadge status={user.accountStatus} /> },
        { header: "2FA", cell: (user) => (user.twoFactorEnabled ? "on" : <Muted>off</Muted>) },
        { header: "Joined", cell: (user) => formatDate(user.createdAt) },
        {
          header: "Last log-in",
          cell: (user) => (user.lastLoginAt ? formatDate(user.lastLoginAt) : <Muted>never</Muted>),
        },
      ]}
    />
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
