import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/empty-state";
import { Field, SelectField, useIsFiltering } from "~/components/forms";
import { PageHeader } from "~/components/page-header";
import { CursorPagination } from "~/components/pagination";
import { ProductGrid } from "~/components/product-card";
import { parseCatalogQuery } from "~/domain/catalog/filters";
import { MAX_PRICE_FILTER } from "~/domain/catalog/price-filter";
import { CATEGORY_LABELS } from "~/domain/catalog/labels";
import { PRODUCT_CATEGORIES } from "#db/schema/enums";
import { publicPageData, publicPageHeaders } from "~/request/page-cache.server";
import { listPublishedProducts } from "~/services/catalog.server";
import catalogStyles from "~/styles/catalog.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: catalogStyles }];

export const meta: MetaFunction = () => [{ title: "Products — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const query = parseCatalogQuery(new URL(request.url).searchParams);
  const page = await listPublishedProducts(context.db, query);
  return publicPageData({ query, ...page });
}

export const headers = publicPageHeaders;

const CATEGORY_OPTIONS = [
  { value: "", label: "All categories" },
  ...PRODUCT_CATEGORIES.map((category) => ({ value: category, label: CATEGORY_LABELS[category] })),
];

export default function Catalog() {
  const { query, items, nextCursor } = useLoaderData<typeof loader>();
  const searching = useIsFiltering();
  const filtering = query.q || query.category || query.tag || query.maxPrice !== undefined;

  return (
    <div className="container section">
      <PageHeader title="Products">
        Templates, themes, UI kits, snippets and assets — each sold under a license you choose.
      </PageHeader>

      <Form method="get" className="filters" role="search" aria-label="Filter products">
        <Field
          label="Search"
          name="q"
          type="search"
          defaultValue={query.q ?? ""}
          placeholder="Name or description"
          maxLength={100}
        />
        <SelectField
          label="Category"
          name="category"
          options={CATEGORY_OPTIONS}
          defaultValue={query.category ?? ""}
        />
        <Field
          label="Max price"
          name="maxPrice"
          description="Personal license, whole units (50 = $50.00)"
          type="number"
          inputMode="numeric"
          min={0}
          max={MAX_PRICE_FILTER}
          step={1}
          defaultValue={query.maxPrice ?? ""}
          placeholder="Any"
        />
        {query.tag && <input type="hidden" name="tag" value={query.tag} />}
        <button type="submit" className="button" disabled={searching}>
          {searching ? "Searching…" : "Apply"}
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
