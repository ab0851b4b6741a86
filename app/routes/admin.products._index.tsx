import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { AdminSearchForm } from "~/components/admin-search-form";
import { EmptyState } from "~/components/empty-state";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { CursorPagination } from "~/components/pagination";
import { PRODUCT_STATUSES } from "#db/schema/enums";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { parseProductSearch, type ProductSearch } from "~/domain/catalog/product-forms";
import { formatMoney } from "~/domain/money";
import { requirePermission } from "~/request/auth.server";
import { searchAdminProducts, type ProductAdminListItem } from "~/services/product-admin.server";

export const meta: MetaFunction = () => [{ title: "Products — Admin — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(
    request,
    context,
    ADMIN_ROUTE_POLICY["routes/admin.products._index"].loader,
  );
  const search = parseProductSearch(new URL(request.url).searchParams);
  const page = await searchAdminProducts(context.db, search);
  return Response.json({ search, ...page });
}

type LoaderData = {
  search: ProductSearch;
  items: Array<
    Omit<ProductAdminListItem, "createdAt" | "updatedAt"> & { createdAt: string; updatedAt: string }
  >;
  nextCursor: string | null;
};

// UTC on server and browser alike, so hydration sees the same text.
const date = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });
const STATUS_BADGE: Record<string, string> = {
  PUBLISHED: "badge badge--success",
  DRAFT: "badge",
  ARCHIVED: "badge badge--danger",
};

export default function AdminProducts() {
  const { search, items, nextCursor } = useLoaderData<LoaderData>();
  const filtering = Boolean(search.q || search.status);

  return (
    <>
      <header className="admin-header">
        <div>
          <h1>Products</h1>
          <p className="muted">
            Drafts, published and archived products. Only published ones are sold.
          </p>
        </div>
        <Link to="/admin/products/new" className="button">
          New product
        </Link>
      </header>

      <AdminSearchForm
        name="products"
        clearTo="/admin/products"
        queryLabel="Name or slug"
        query={search.q}
        filtering={filtering}
        selects={[
          {
            name: "status",
            label: "Status",
            anyLabel: "Any status",
            options: PRODUCT_STATUSES,
            value: search.status,
          },
        ]}
      />

      {items.length === 0 ? (
        <EmptyState title={filtering ? "No products match this search" : "No products yet"}>
          <p>
            {filtering ? (
              "Try part of the name or slug, or another status."
            ) : (
              <>
                <Link to="/admin/products/new">Create the first product</Link>, upload its file and
                publish it.
              </>
            )}
          </p>
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Status</th>
                <th scope="col">Category</th>
                <th scope="col">From</th>
                <th scope="col">File</th>
                <th scope="col">Sales</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {items.map((product) => (
                <tr key={product.id}>
                  <td>
                    <Link to={`/admin/products/${product.id}`}>{product.name}</Link>
                    {product.featured && <span className="badge product-featured">featured</span>}
                    <br />
                    <code className="muted">{product.slug}</code>
                  </td>
                  <td>
                    <span className={STATUS_BADGE[product.status] ?? "badge"}>
                      {product.status.toLowerCase()}
                    </span>
                  </td>
                  <td>{product.category.toLowerCase().replace("_", " ")}</td>
                  <td>{formatMoney(product.pricePersonalCents, product.currency)}</td>
                  <td>{product.fileName ?? <span className="muted">none yet</span>}</td>
                  <td>{product.purchaseCount}</td>
                  <td>{date.format(new Date(product.updatedAt))}</td>
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
