import type {
  HeadersFunction,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { EmptyState } from "~/components/empty-state";
import { CursorPagination } from "~/components/pagination";
import { ProductGrid } from "~/components/product-card";
import { parseCatalogQuery } from "~/domain/catalog/filters";
import { MAX_PRICE_FILTER } from "~/domain/catalog/price-filter";
import { CATEGORY_LABELS } from "~/domain/catalog/labels";
import { PRODUCT_CATEGORIES } from "#db/schema/enums";
import { PUBLIC_PAGE_CACHE } from "~/lib/http";
import { listPublishedProducts } from "~/services/catalog.server";
import catalogStyles from "~/styles/catalog.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: catalogStyles }];

export const meta: MetaFunction = () => [{ title: "Products — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const query = parseCatalogQuery(new URL(request.url).searchParams);
  const page = await listPublishedProducts(context.db, query);
  return Response.json({ query, ...page }, { headers: { "Cache-Control": PUBLIC_PAGE_CACHE } });
}

export const headers: HeadersFunction = ({ loaderHeaders }) => ({
  "Cache-Control": loaderHeaders.get("Cache-Control") ?? "no-store",
});

type LoaderData = {
  query: ReturnType<typeof parseCatalogQuery>;
  items: Parameters<typeof ProductGrid>[0]["products"];
  nextCursor: string | null;
};

export default function Catalog() {
  const { query, items, nextCursor } = useLoaderData<LoaderData>();
  const navigation = useNavigation();
  const filtering = query.q || query.category || query.tag || query.maxPrice !== undefined;

  return (
    <div className="container section">
      <header className="page-header">
        <h1>Products</h1>
        <p>
          Templates, themes, UI kits, snippets and assets — each sold under a license you choose.
        </p>
      </header>

      <Form method="get" className="filters" role="search" aria-label="Filter products">
        <div className="field">
          <label htmlFor="q">Search</label>
          <input
            id="q"
            name="q"
            type="search"
            defaultValue={query.q ?? ""}
            placeholder="Name or description"
            maxLength={100}
          />
        </div>
        <div className="field">
          <label htmlFor="category">Category</label>
          <select id="category" name="category" defaultValue={query.category ?? ""}>
            <option value="">All categories</option>
            {PRODUCT_CATEGORIES.map((category) => (
              <option key={category} value={category}>
                {CATEGORY_LABELS[category]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="maxPrice">Max price</label>
          <input
            id="maxPrice"
            name="maxPrice"
            type="number"
            inputMode="numeric"
            min={0}
            max={MAX_PRICE_FILTER}
            step={1}
            defaultValue={query.maxPrice ?? ""}
            placeholder="Any"
            aria-describedby="maxPrice-hint"
          />
          <small id="maxPrice-hint" className="filters__hint">
            Personal license, whole units (50 = $50.00)
          </small>
        </div>
        {query.tag && <input type="hidden" name="tag" value={query.tag} />}
        <button type="submit" className="button" disabled={navigation.state === "loading"}>
          {navigation.state === "loading" ? "Searching…" : "Apply"}
        </button>
      </Form>

      {query.tag && (
        <p className="active-filter">
          Tagged <strong>{query.tag}</strong>
        </p>
      )}

      {items.length > 0 ? (
        <ProductGrid products={items} />
      ) : (
        <EmptyState
          title={filtering ? "No products match these filters" : "The catalog is empty for now"}
        >
          <p>
            {filtering
              ? "Try another search, category or price."
              : "New products are on their way."}
          </p>
        </EmptyState>
      )}
      <CursorPagination nextCursor={nextCursor} />
    </div>
  );
}
