import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { PurchaseStatusBadge } from "~/components/badge";
import { EmptyState, PageHeader } from "~/components/page";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { CursorPagination } from "~/components/pagination";
import { ProductArt } from "~/components/product-card";
import { purchasedProduct } from "~/components/purchased-product";
import { LICENSE_LABELS } from "~/domain/catalog/license-terms";
import { formatMoney } from "~/domain/money";
import { formatDate, isoDateTime } from "~/lib/format";
import { pageCursor } from "~/request/account.server";
import { requireUser } from "~/request/auth.server";
import { listUserPurchases } from "~/services/purchases.server";
import purchasesStyles from "~/styles/purchases.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: purchasesStyles }];

export const meta: MetaFunction = () => [{ title: "Purchases — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const page = await listUserPurchases(context.db, user.id, { cursor: pageCursor(request) });
  return {
    purchases: page.items,
    nextCursor: page.nextCursor,
    // Test-provider links only where the test provider is in use.
    testCheckout: !context.env.isProduction && !context.env.stripe,
  };
}

export default function PurchasesPage() {
  const { purchases, nextCursor, testCheckout } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="Purchases">
        Your product orders. Every payment, with memberships, credit packs and printable receipts,
        is under <Link to="/account/billing">Billing</Link>.
      </PageHeader>
      {purchases.length === 0 ? (
        <EmptyState title="No purchases yet">
          <p>
            When you buy a product, your order appears here. <Link to="/products">Browse</Link>
          </p>
        </EmptyState>
      ) : (
        <table className="data-table purchase-table" data-testid="purchase-list">
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col">License</th>
              <th scope="col">Amount</th>
              <th scope="col">Status</th>
              <th scope="col">Date</th>
            </tr>
          </thead>
          <tbody>
            {purchases.map((purchase) => (
              <tr key={purchase.id} data-purchase-id={purchase.id}>
                <th scope="row" className="purchase-table__product">
                  <ProductArt
                    product={purchasedProduct(purchase)}
                    className="purchase-table__art"
                    alt=""
                  />
                  <Link to={`/products/${purchase.productSlug}`}>{purchase.productName}</Link>
                </th>
                <td data-label="License">
                  <span>{LICENSE_LABELS[purchase.licenseType]}</span>
                  {purchase.licenseId && (
                    <>
                      {" "}
                      <Link
                        to={`/account/licenses/${purchase.licenseId}`}
                        className="purchase-table__license"
                      >
                        View license
                        <span className="visually-hidden"> for {purchase.productName}</span>
                      </Link>
                    </>
                  )}
                </td>
                <td data-label="Amount">{formatMoney(purchase.amountCents, purchase.currency)}</td>
                <td data-label="Status">
                  <PurchaseStatusBadge
                    status={purchase.status}
                    title={purchase.failureReason ?? undefined}
                  />
                  {testCheckout &&
                    purchase.status === "PENDING" &&
                    purchase.provider === "TEST" && (
                      <>
                        {" "}
                        <Link to={`/checkout/test/${purchase.id}`}>Complete payment</Link>
                      </>
                    )}
                </td>
                <td data-label="Date">
                  <time dateTime={isoDateTime(purchase.createdAt)}>
                    {formatDate(purchase.createdAt)}
                  </time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <CursorPagination nextCursor={nextCursor} />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
