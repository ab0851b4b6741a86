import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { AdminListPage, UserLink } from "~/components/admin-page";
import { Badge, LicenseStatusBadge } from "~/components/badge";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { LICENSE_STATUSES } from "#db/schema/enums";
import { parseLicenseSearch } from "~/domain/licenses/admin-forms";
import { LICENSE_ABUSE_FILTERS } from "~/domain/licenses/status-intents";
import { formatDate } from "~/lib/format";
import { adminListLoader } from "~/request/admin-loaders.server";
import { searchLicenses } from "~/services/admin-store.server";
import { LICENSE_ABUSE_FILTER_LABELS, LICENSE_STATUS_LABELS } from "~/domain/labels";

export const meta: MetaFunction = () => [{ title: "Licenses — Admin — Studio Store" }];

export async function loader(args: LoaderFunctionArgs) {
  return adminListLoader(args, "routes/admin.licenses._index", parseLicenseSearch, searchLicenses);
}

export default function AdminLicenses() {
  return (
    <AdminListPage
      {...useLoaderData<typeof loader>()}
      title="Licenses"
      intro="Find a license by its owner's email or the product's name. Keys are never shown here, only their last characters."
      filters={{
        name: "licenses",
        queryLabel: "Owner email or product",
        selects: [
          {
            name: "status",
            label: "Status",
            anyLabel: "Any status",
            options: LICENSE_STATUSES,
            labels: LICENSE_STATUS_LABELS,
          },
          {
            name: "abuse",
            label: "Abuse review",
            anyLabel: "All licenses",
            options: LICENSE_ABUSE_FILTERS,
            labels: LICENSE_ABUSE_FILTER_LABELS,
          },
        ],
      }}
      empty={{ title: "No licenses yet", text: "Licenses appear here as purchases complete." }}
      noMatch={{
        title: "No licenses match this search",
        text: "Try part of the email address or product name, or another status.",
      }}
      columns={[
        {
          header: "Key",
          cell: (license) => (
            <Link to={`/admin/licenses/${license.id}`}>
              <code>{license.maskedKey}</code>
            </Link>
          ),
        },
        { header: "Product", cell: (license) => license.productName },
        {
          header: "Owner",
          cell: (license) => <UserLink id={license.ownerId} name={license.ownerEmail} />,
        },
        { header: "Type", cell: (license) => license.licenseType.toLowerCase() },
        {
          header: "Status",
          cell: (license) => <LicenseStatusBadge code={license.effective.code} />,
        },
        { header: "Seats", cell: (license) => `${license.currentUsers} / ${license.maxUsers}` },
        {
          header: "Abuse",
          cell: (license) =>
            license.abuseDetected ? (
              <>
                <Badge tone="danger">flagged</Badge> {license.abuseReason}
              </>
            ) : (
              "—"
            ),
        },
        { header: "Issued", cell: (license) => formatDate(license.createdAt) },
      ]}
    />
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
