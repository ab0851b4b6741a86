import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { AdminSearchForm } from "~/components/admin-search-form";
import { Link, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/empty-state";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { CursorPagination } from "~/components/pagination";
import { LICENSE_STATUSES } from "#db/schema/enums";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { parseLicenseSearch, type LicenseSearch } from "~/domain/licenses/admin-forms";
import { LICENSE_ABUSE_FILTERS } from "~/domain/licenses/status-intents";
import { licenseStatusBadge } from "~/domain/licenses/status";
import { requirePermission } from "~/request/auth.server";
import { searchLicenses, type LicenseAdminListItem } from "~/services/admin-store.server";

export const meta: MetaFunction = () => [{ title: "Licenses — Admin — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(
    request,
    context,
    ADMIN_ROUTE_POLICY["routes/admin.licenses._index"].loader,
  );
  const search = parseLicenseSearch(new URL(request.url).searchParams);
  const page = await searchLicenses(context.db, search, new Date());
  return Response.json({ search, ...page });
}

type LoaderData = {
  search: LicenseSearch;
  items: Array<
    Omit<LicenseAdminListItem, "createdAt" | "expiresAt"> & {
      createdAt: string;
      expiresAt: string | null;
    }
  >;
  nextCursor: string | null;
};

// UTC on server and browser alike, so hydration sees the same text.
const date = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });
const badgeClass = (tone: string) => (tone === "neutral" ? "badge" : `badge badge--${tone}`);

export default function AdminLicenses() {
  const { search, items, nextCursor } = useLoaderData<LoaderData>();
  const filtering = Boolean(search.q || search.status || search.abuse);

  return (
    <>
      <header>
        <h1>Licenses</h1>
        <p className="muted">
          Find a license by its owner&apos;s email or the product&apos;s name. Keys are never shown
          here, only their last characters.
        </p>
      </header>

      <AdminSearchForm
        name="licenses"
        clearTo="/admin/licenses"
        queryLabel="Owner email or product"
        query={search.q}
        filtering={filtering}
        selects={[
          {
            name: "status",
            label: "Status",
            anyLabel: "Any status",
            options: LICENSE_STATUSES,
            value: search.status,
          },
          {
            name: "abuse",
            label: "Abuse review",
            anyLabel: "All licenses",
            options: LICENSE_ABUSE_FILTERS,
            value: search.abuse,
          },
        ]}
      />

      {items.length === 0 ? (
        <EmptyState title={filtering ? "No licenses match this search" : "No licenses yet"}>
          <p>
            {filtering
              ? "Try part of the email address or product name, or another status."
              : "Licenses appear here as purchases complete."}
          </p>
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Product</th>
                <th scope="col">Owner</th>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col">Seats</th>
                <th scope="col">Abuse</th>
                <th scope="col">Issued</th>
              </tr>
            </thead>
            <tbody>
              {items.map((license) => {
                const badge = licenseStatusBadge(license.effective.code);
                return (
                  <tr key={license.id}>
                    <td>
                      <Link to={`/admin/licenses/${license.id}`}>
                        <code>{license.maskedKey}</code>
                      </Link>
                    </td>
                    <td>{license.productName}</td>
                    <td>
                      <Link to={`/admin/users/${license.ownerId}`}>{license.ownerEmail}</Link>
                    </td>
                    <td>{license.licenseType.toLowerCase()}</td>
                    <td>
                      <span className={badgeClass(badge.tone)}>{badge.label}</span>
                    </td>
                    <td>
                      {license.currentUsers} / {license.maxUsers}
                    </td>
                    <td data-testid="abuse-cell">
                      {license.abuseDetected ? (
                        <>
                          <span className="badge badge--danger">flagged</span> {license.abuseReason}
                        </>
                      ) : (
                        "—"
                      )}
                    </td>
                    <td>{date.format(new Date(license.createdAt))}</td>
                  </tr>
                );
              })}
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
