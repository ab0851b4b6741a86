import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { AdminSearchForm } from "~/components/admin-search-form";
import { EmptyState } from "~/components/empty-state";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { CursorPagination } from "~/components/pagination";
import { MEMBERSHIP_STATUSES, MEMBERSHIP_TIERS } from "#db/schema/enums";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { parseMembershipSearch, type MembershipSearch } from "~/domain/memberships/forms";
import { TIERS } from "~/domain/memberships/tiers";
import { requirePermission } from "~/request/auth.server";
import { searchMemberships, type MembershipAdminListItem } from "~/services/memberships.server";

export const meta: MetaFunction = () => [{ title: "Memberships — Admin — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(
    request,
    context,
    ADMIN_ROUTE_POLICY["routes/admin.memberships._index"].loader,
  );
  const search = parseMembershipSearch(new URL(request.url).searchParams);
  const page = await searchMemberships(context.db, search);
  return Response.json({ search, ...page });
}

type LoaderData = {
  search: MembershipSearch;
  items: Array<
    Omit<MembershipAdminListItem, "createdAt" | "currentPeriodEnd"> & {
      createdAt: string;
      currentPeriodEnd: string;
    }
  >;
  nextCursor: string | null;
};

const date = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });

export default function AdminMemberships() {
  const { search, items, nextCursor } = useLoaderData<LoaderData>();
  const filtering = Boolean(search.q || search.tier || search.status);
  return (
    <>
      <header>
        <h1>Memberships</h1>
        <p className="muted">
          Find a member by email or name, then open the membership to change its tier, adjust
          credits or check its ledger.
        </p>
      </header>

      <AdminSearchForm
        name="memberships"
        clearTo="/admin/memberships"
        queryLabel="Member email or name"
        query={search.q}
        filtering={filtering}
        selects={[
          {
            name: "tier",
            label: "Tier",
            anyLabel: "Any tier",
            options: MEMBERSHIP_TIERS,
            value: search.tier,
          },
          {
            name: "status",
            label: "Status",
            anyLabel: "Any status",
            options: MEMBERSHIP_STATUSES,
            value: search.status,
          },
        ]}
      />

      {items.length === 0 ? (
        <EmptyState title={filtering ? "No memberships match this search" : "No memberships yet"}>
          <p>
            {filtering
              ? "Try part of the email address or name, or another tier or status."
              : "Memberships appear here as people subscribe."}
          </p>
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Tier</th>
                <th scope="col">Status</th>
                <th scope="col">Balance</th>
                <th scope="col">Auto-renew</th>
                <th scope="col">Period ends</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id}>
                  <td>
                    <Link to={`/admin/memberships/${item.id}`}>{item.email}</Link>
                  </td>
                  <td>{TIERS[item.tier].name}</td>
                  <td>
                    <span className={item.status === "ACTIVE" ? "badge badge--success" : "badge"}>
                      {item.status.toLowerCase()}
                    </span>
                  </td>
                  <td>{item.totalCredits - item.usedCredits}</td>
                  <td>{item.autoRenew ? "on" : "off"}</td>
                  <td>{date.format(new Date(item.currentPeriodEnd))}</td>
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
