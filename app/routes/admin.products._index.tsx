import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { AdminListPage, Muted } from "~/components/admin-page";
import { Badge } from "~/components/badge";
import { StatusBadge } from "~/components/status-badge";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { PRODUCT_STATUSES } from "#db/schema/enums";
import { parseProductSearch } from "~/domain/catalog/product-forms";
import { formatMoney } from "~/domain/money";
import { formatDate } from "~/lib/format";
import { adminListLoader } from "~/request/admin-loaders.server";
import { searchAdminProducts } from "~/services/product-admin.server";
import { PRODUCT_STATUS_LABELS } from "~/domain/labels";

export const meta: MetaFunction = () => [{ title: "Products — Admin — Studio Store" }];

export async function loader(args: LoaderFunctionArgs) {
  return adminListLoader(
    args,
    "routes/admin.products._index",
    parseProductSearch,
    searchAdminProducts,
  );
}

export default function AdminProducts() {
  return (
    <AdminListPage
      {...useLoaderData<typeof loader>()}
      title="Products"
      intro="Drafts, published and archived products. Only published ones are sold."
      actions={
        <Link to="/admin/products/new" className="button">
          New product
        </Link>
      }
      filters={{
        name: "products",
        queryLabel: "Name or slug",
        selects: [
          {
            name: "status",
            label: "Status",
            anyLabel: "Any status",
            options: PRODUCT_STATUSES,
            labels: PRODUCT_STATUS_LABELS,
          },
        ],
      }}
      empty={{
        title: "No products yet",
        text: (
          <>
            <Link to="/admin/products/new">Create the first product</Link>, upload its file and
            publish it.
          </>
        ),
      }}
      noMatch={{
        title: "No products match this search",
        text: "Try part of the name or slug, or another status.",
      }}
      columns={[
        {
          header: "Product",
          cell: (product) => (
            <>
              <Link to={`/admin/products/${product.id}`}>{product.name}</Link>
              {product.featured && (
                <>
                  {" "}
                  <Badge>featured</Badge>
                </>
              )}
              <br />
              <code className="muted">{product.slug}</code>
            </>
          ),
        },
        { header: "Status", cell: (product) => <StatusBadge status={product.status} /> },
        { header: "Category", cell: (product) => product.category.toLowerCase().replace("_", " ") },
        {
          header: "From",
          cell: (product) => formatMoney(product.pricePersonalCents, product.currency),
        },
        { header: "File", cell: (product) => product.fileName ?? <Muted>none yet</Muted> },
        { header: "Sales", cell: (product) => product.purchaseCount },
        { header: "Updated", cell: (product) => formatDate(product.updatedAt) },
      ]}
    />
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
