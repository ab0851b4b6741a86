import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { AdminListPage } from "~/components/admin-page";
import { StatusBadge } from "~/components/status-badge";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { MEMBERSHIP_STATUSES, MEMBERSHIP_TIERS } from "#db/schema/enums";
import { parseMembershipSearch } from "~/domain/memberships/forms";
import { TIERS } from "~/domain/memberships/tiers";
import { formatDate } from "~/lib/format";
import { adminListLoader } from "~/request/admin-loaders.server";
import { searchMemberships } from "~/services/memberships.server";

export const meta: MetaFunction = () => [{ title: "Memberships — Admin — Studio Store" }];

export async function loader(args: LoaderFunctionArgs) {
  return adminListLoader(
    args,
    "routes/admin.memberships._index",
    parseMembershipSearch,
    searchMemberships,
  );
}

export default function AdminMemberships() {
  return (
    <AdminListPage
      {...useLoaderData<typeof loader>()}
      title="Memberships"
      intro="Find a member by email or name, then open the membership to change its tier, adjust credits or check its ledger."
      filters={{
        name: "memberships",
        queryLabel: "Member email or name",
        selects: [
          { name: "tier", label: "Tier", anyLabel: "Any tier", options: MEMBERSHIP_TIERS },
          { name: "status", label: "Status", anyLabel: "Any status", options: MEMBERSHIP_STATUSES },
        ],
      }}
      empty={{ title: "No memberships yet", text: "Memberships appear here as people subscribe." }}
      noMatch={{
        title: "No memberships match this search",
        text: "Try part of the email address or name, or another tier or status.",
      }}
      columns={[
        {
          header: "Member",
          cell: (item) => <Link to={`/admin/memberships/${item.id}`}>{item.email}</Link>,
        },
        { header: "Tier", cell: (item) => TIERS[item.tier].name },
        { header: "Status", cell: (item) => <StatusBadge status={item.status} /> },
        { header: "Balance", cell: (item) => item.totalCredits - item.usedCredits },
        { header: "Auto-renew", cell: (item) => (item.autoRenew ? "on" : "off") },
        { header: "Period ends", cell: (item) => formatDate(item.currentPeriodEnd) },
      ]}
    />
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
