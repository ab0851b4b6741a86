import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { AdminSearchForm } from "~/components/admin-search-form";
import { Link, useLoaderData } from "@remix-run/react";
import { AccountStatusBadge } from "~/components/account-status-badge";
import { EmptyState } from "~/components/empty-state";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { CursorPagination } from "~/components/pagination";
import { ACCOUNT_STATUSES, USER_ROLES } from "#db/schema/enums";
import { parseUserSearch, type UserSearch } from "~/domain/auth/admin-forms";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { requirePermission } from "~/request/auth.server";
import { searchUsers, type UserListItem } from "~/services/users-admin.server";

export const meta: MetaFunction = () => [{ title: "Users — Admin — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, ADMIN_ROUTE_POLICY["routes/admin.users._index"].loader);
  const search = parseUserSearch(new URL(request.url).searchParams);
  const page = await searchUsers(context.db, search);
  return Response.json({ search, ...page });
}

type LoaderData = {
  search: UserSearch;
  items: Array<
    Omit<UserListItem, "createdAt" | "lastLoginAt"> & {
      createdAt: string;
      lastLoginAt: string | null;
    }
  >;
  nextCursor: string | null;
};

// UTC on server and browser alike, so hydration sees the same text.
const date = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });

export default function AdminUsers() {
  const { search, items, nextCursor } = useLoaderData<LoaderData>();
  const filtering = Boolean(search.q || search.role || search.status);

  return (
    <>
      <header>
        <h1>Users</h1>
        <p className="muted">
          Find an account by email or name, then open it to see its devices and history.
        </p>
      </header>

      <AdminSearchForm
        name="users"
        clearTo="/admin/users"
        queryLabel="Email or name"
        query={search.q}
        filtering={filtering}
        selects={[
          {
            name: "role",
            label: "Role",
            anyLabel: "Any role",
            options: USER_ROLES,
            value: search.role,
          },
          {
            name: "status",
            label: "Status",
            anyLabel: "Any status",
            options: ACCOUNT_STATUSES,
            value: search.status,
          },
        ]}
      />

      {items.length === 0 ? (
        <EmptyState title={filtering ? "No accounts match this search" : "No accounts yet"}>
          <p>
            {filtering
              ? "Try part of the email address, or another role or status."
              : "Accounts appear here as people sign up."}
          </p>
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">2FA</th>
                <th scope="col">Joined</th>
                <th scope="col">Last log-in</th>
              </tr>
            </thead>
            <tbody>
              {items.map((user) => (
                <tr key={user.id}>
                  <td>
                    <Link to={`/admin/users/${user.id}`}>{user.name}</Link>
                    {user.isMinor && <span className="badge"> minor</span>}
                  </td>
                  <td>{user.email}</td>
                  <td>{user.role.toLowerCase()}</td>
                  <td>
                    <AccountStatusBadge status={user.accountStatus} />
                  </td>
                  <td>{user.twoFactorEnabled ? "on" : <span className="muted">off</span>}</td>
                  <td>{date.format(new Date(user.createdAt))}</td>
                  <td>
                    {user.lastLoginAt ? (
                      date.format(new Date(user.lastLoginAt))
                    ) : (
                      <span className="muted">never</span>
                    )}
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
