import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { AdminListPage, UserLink } from "~/components/admin-page";
import { PurchaseStatusBadge } from "~/components/badge";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { PURCHASE_STATUSES } from "#db/schema/enums";
import { formatMoney } from "~/domain/money";
import { parsePurchaseSearch } from "~/domain/payments/admin-forms";
import { formatDate } from "~/lib/format";
import { adminListLoader } from "~/request/admin-loaders.server";
import { searchPurchases } from "~/services/admin-store.server";
import { PURCHASE_STATUS_LABELS } from "~/domain/labels";

export const meta: MetaFunction = () => [{ title: "Purchases — Admin — Studio Store" }];

export async function loader(args: LoaderFunctionArgs) {
  return adminListLoader(
    args,
    "routes/admin.purchases._index",
    parsePurchaseSearch,
    searchPurchases,
  );
}

export default function AdminPurchases() {
  return (
    <AdminListPage
      {...useLoaderData<typeof loader>()}
      title="Purchases"
      intro="Find a purchase by the buyer's email or the product's name, then open it to see its license and history."
      filters={{
        name: "purchases",
        queryLabel: "Buyer email or product",
        selects: [
          {
            name: "status",
            label: "Status",
            anyLabel: "Any status",
            options: PURCHASE_STATUSES,
            labels: PURCHASE_STATUS_LABELS,
          },
        ],
      }}
      empty={{ title: "No purchases yet", text: "Purchases appear here as people buy." }}
      noMatch={{
        title: "No purchases match this search",
        text: "Try part of the email address or product name, or another status.",
      }}
      columns={[
        {
          header: "Product",
          cell: (purchase) => (
            <Link to={`/admin/purchases/${purchase.id}`}>{purchase.productName}</Link>
          ),
        },
        {
          header: "Buyer",
          cell: (purchase) => <UserLink id={purchase.buyerId} name={purchase.buyerEmail} />,
        },
        { header: "License", cell: (purchase) => purchase.licenseType.toLowerCase() },
        {
          header: "Amount",
          cell: (purchase) => formatMoney(purchase.amountCents, purchase.currency),
        },
        { header: "Status", cell: (purchase) => <PurchaseStatusBadge status={purchase.status} /> },
        { header: "Provider", cell: (purchase) => purchase.provider.toLowerCase() },
        { header: "Started", cell: (purchase) => formatDate(purchase.createdAt) },
      ]}
    />
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
