import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { EmptyState, PageHeader } from "~/components/page";
import { Field, SelectField, useFormReply, useIsFiltering } from "~/components/forms";
import { catalogStyles, ProductGrid } from "~/components/product-card";
import {
  catalogFormView,
  catalogPageHref,
  data,
  keptCatalogRead,
  listCatalogTags,
  listPublishedProducts,
  productCardView,
  publicPageHeaders,
} from "~/components/catalog-page.server";
import { readCatalogSearch } from "~/domain/catalog/filters";
import { MAX_PRICE_FILTER } from "~/domain/catalog/price-filter";
import type { FormReply } from "~/lib/form-reply";
import { PUBLIC_PAGE_CACHE } from "~/lib/http";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: catalogStyles }];

export const meta: MetaFunction = () => [{ title: "Products — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const search = readCatalogSearch(url.searchParams);
  const readPage = () => listPublishedProducts(context.db, search.query);
  // Kept per catalog version, except the popular order: it moves with purchases, which do not
  // change the catalog version.
  const [page, tags] = await Promise.all([
    search.query.sort === "popular"
      ? readPage()
      : keptCatalogRead(context, `catalog:${JSON.stringify(search.query)}`, readPage),
    keptCatalogRead(context, "catalog:tags", () => listCatalogTags(context.db)),
  ]);
  const invalid = Object.keys(search.fieldErrors).length > 0;
  // A price the visitor has to fix is a 400 with the message on the form, not a dropped filter.
  const reply: FormReply | null = invalid
    ? { status: "error", fieldErrors: search.fieldErrors, values: search.values }
    : null;
  // Labels and prices come formatted, so the label tables and enum lists stay on the server.
  return data(
    {
      query: search.query,
      reply,
      ...catalogFormView({ query: search.query, tags, total: page.total, invalid }),
      total: page.total,
      offset: page.offset,
      previousHref: page.previous ? catalogPageHref(url, page.previous.cursor) : null,
      nextHref: page.nextCursor ? catalogPageHref(url, page.nextCursor) : null,
      items: page.items.map((product) => productCardView(product, context.env.imageResizing)),
    },
    invalid
      ? { status: 400, headers: { "Cache-Control": "no-store" } }
      : { headers: { "Cache-Control": PUBLIC_PAGE_CACHE } },
  );
}

export const headers = publicPageHeaders;

const PRICE_FIELDS = [
  { name: "minPrice", label: "Min price" },
  { name: "maxPrice", label: "Max price" },
] as const;

export default function Catalog() {
  const {
    query,
    reply,
    categoryOptions,
    sortOptions,
    tagOptions,
    filtering,
    countText,
    items,
    total,
    offset,
    previousHref,
    nextHref,
  } = useLoaderData<typeof loader>();
  const searching = useIsFiltering();
  const location = useLocation();
  const form = useFormReply(reply);

  return (
    <div className="container section">
      <PageHeader title="Products">
        Templates, themes, UI kits, snippets and assets — each sold under a license you choose.
      </PageHeader>

      <Form
        // Remount on every search so the fields show the filters of the page, not the last typed.
        key={location.search}
        method="get"
        className="catalog-filters"
        role="search"
        aria-label="Filter products"
      >
        <div className="catalog-filters__fields">
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
            options={categoryOptions}
            defaultValue={query.category ?? ""}
          />
          <SelectField label="Tag" name="tag" options={tagOptions} defaultValue={query.tag ?? ""} />
          {/* No `pattern`: the browser would block the form silently; the server names the mistake. */}
          {PRICE_FIELDS.map(({ name, label }) => (
            <Field
              key={name}
              label={label}
              meta={form.field(name, query[name])}
              type="text"
              inputMode="numeric"
              maxLength={String(MAX_PRICE_FILTER).length}
              placeholder="Any"
            />
          ))}
          <SelectField
            label="Sort by"
            name="sort"
            options={sortOptions}
            defaultValue={query.sort ?? "newest"}
          />
        </div>
        <p className="catalog-filters__hint">
          Prices are for a personal license, in whole units (50 = $50.00).
        </p>
        <div className="catalog-filters__actions">
          <button type="submit" className="button" disabled={searching}>
            {searching ? "Searching…" : "Apply"}
          </button>
          {filtering && (
            <Link
              to={query.sort ? `/products?sort=${query.sort}` : "/products"}
              className="catalog-filters__clear"
            >
              Clear all filters
            </Link>
          )}
        </div>
      </Form>

      <p className="catalog-count" role="status">
        <strong>{countText}</strong>
        {items.length > 0 && total > items.length && (
          <span>{` · showing ${offset + 1}–${offset + items.length}`}</span>
        )}
      </p>

      {items.length > 0 ? (
        <ProductGrid products={items} />
      ) : (
        <EmptyState
          title={filtering ? "No products match these filters" : "The catalog is empty for now"}
        >
          <p>
            {filtering
              ? "Try another search, tag, category or price."
              : "New products are on their way."}
          </p>
        </EmptyState>
      )}
      <CatalogPagination previousHref={previousHref} nextHref={nextHref} />
    </div>
  );
}

/** "Previous page" and "Next page": the loader's URLs, with the filters and sort kept. */
function CatalogPagination({
  previousHref,
  nextHref,
}: {
  previousHref: string | null;
  nextHref: string | null;
}) {
  if (!previousHref && !nextHref) return null;
  return (
    <nav className="pagination" aria-label="Pages of products">
      {previousHref && (
        <Link to={previousHref} className="button button--ghost" rel="prev">
          ← Previous page
        </Link>
      )}
      {nextHref && (
        <Link to={nextHref} className="button button--ghost" rel="next">
          Next page →
        </Link>
      )}
    </nav>
  );
}
