import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { AdminSearchForm } from "~/components/admin-search-form";
import { Link, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/empty-state";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { CursorPagination } from "~/components/pagination";
import { PURCHASE_STATUSES } from "#db/schema/enums";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { formatMoney } from "~/domain/money";
import { parsePurchaseSearch, type PurchaseSearch } from "~/domain/payments/admin-forms";
import { requirePermission } from "~/request/auth.server";
import { searchPurchases, type PurchaseAdminListItem } from "~/services/admin-store.server";

export const meta: MetaFunction = () => [{ title: "Purchases — Admin — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(
    request,
    context,
    ADMIN_ROUTE_POLICY["routes/admin.purchases._index"].loader,
  );
  const search = parsePurchaseSearch(new URL(request.url).searchParams);
  const page = await searchPurchases(context.db, search);
  return Response.json({ search, ...page });
}

type LoaderData = {
  search: PurchaseSearch;
  items: Array<
    Omit<PurchaseAdminListItem, "createdAt" | "completedAt" | "refundedAt"> & {
      createdAt: string;
      completedAt: string | null;
      refundedAt: string | null;
    }
  >;
  nextCursor: string | null;
};

// UTC on server and browser alike, so hydration sees the same text.
const date = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });

const statusTone = (status: string) =>
  status === "COMPLETED"
    ? "badge badge--success"
    : status === "REFUNDED" || status === "DISPUTED" || status === "FAILED"
      ? "badge badge--danger"
      : "badge";

export default function AdminPurchases() {
  const { search, items, nextCursor } = useLoaderData<LoaderData>();
  const filtering = Boolean(search.q || search.status);

  return (
    <>
      <header>
        <h1>Purchases</h1>
        <p className="muted">
          Find a purchase by the buyer&apos;s email or the product&apos;s name, then open it to see
          its license and history.
        </p>
      </header>

      <AdminSearchForm
        name="purchases"
        clearTo="/admin/purchases"
        queryLabel="Buyer email or product"
        query={search.q}
        filtering={filtering}
        selects={[
          {
            name: "status",
            label: "Status",
            anyLabel: "Any status",
            options: PURCHASE_STATUSES,
            value: search.status,
          },
        ]}
      />

      {items.length === 0 ? (
        <EmptyState title={filtering ? "No purchases match this search" : "No purchases yet"}>
          <p>
            {filtering
              ? "Try part of the email address or product name, or another status."
              : "Purchases appear here as people buy."}
          </p>
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Buyer</th>
                <th scope="col">License</th>
                <th scope="col">Amount</th>
                <th scope="col">Status</th>
                <th scope="col">Provider</th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              {items.map((purchase) => (
                <tr key={purchase.id}>
                  <td>
                    <Link to={`/admin/purchases/${purchase.id}`}>{purchase.productName}</Link>
                  </td>
                  <td>
                    <Link to={`/admin/users/${purchase.buyerId}`}>{purchase.buyerEmail}</Link>
                  </td>
                  <td>{purchase.licenseType.toLowerCase()}</td>
                  <td>{formatMoney(purchase.amountCents, purchase.currency)}</td>
                  <td>
                    <span className={statusTone(purchase.status)}>
                      {purchase.status.toLowerCase()}
                    </span>
                  </td>
                  <td>{purchase.provider.toLowerCase()}</td>
                  <td>{date.format(new Date(purchase.createdAt))}</td>
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
