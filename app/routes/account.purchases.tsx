import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { PurchaseStatusBadge } from "~/components/badge";
import { PagedTable } from "~/components/data-table";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { PageHeader } from "~/components/page-header";
import { formatMoney } from "~/domain/money";
import { formatDate, isoDateTime } from "~/lib/format";
import { pageCursor } from "~/request/account.server";
import { requireUser } from "~/request/auth.server";
import { listUserPurchases } from "~/services/purchases.server";

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
      <PagedTable
        rows={purchases}
        columns={[
          {
            header: "Product",
            cell: (purchase) => (
              <Link to={`/products/${purchase.productSlug}`}>{purchase.productName}</Link>
            ),
          },
          { header: "License", cell: (purchase) => purchase.licenseType.toLowerCase() },
          {
            header: "Amount",
            cell: (purchase) => formatMoney(purchase.amountCents, purchase.currency),
          },
          {
            header: "Status",
            cell: (purchase) => (
              <>
                <PurchaseStatusBadge
                  status={purchase.status}
                  title={purchase.failureReason ?? undefined}
                />
                {testCheckout && purchase.status === "PENDING" && purchase.provider === "TEST" && (
                  <>
                    {" "}
                    <Link to={`/checkout/test/${purchase.id}`}>Complete payment</Link>
                  </>
                )}
              </>
            ),
          },
          {
            header: "Date",
            cell: (purchase) => (
              <time dateTime={isoDateTime(purchase.createdAt)}>
                {formatDate(purchase.createdAt)}
              </time>
            ),
          },
        ]}
        nextCursor={nextCursor}
        emptyTitle="No purchases yet"
      >
        <p>
          When you buy a product, your order appears here. <Link to="/products">Browse</Link>
        </p>
      </PagedTable>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
