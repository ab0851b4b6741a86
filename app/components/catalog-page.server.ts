import { CATEGORY_LABELS } from "~/domain/catalog/labels";
import {
  CATALOG_SORT_LABELS,
  CATALOG_SORTS,
  hasFilters,
  productCount,
} from "~/domain/catalog/price-filter";
import type { CatalogQuery } from "~/domain/catalog/filters";
import { PRODUCT_CATEGORIES } from "#db/schema/enums";

/**
 * For the catalog page's loader. A `.server` module, so the label table and the enum lists stay
 * out of the browser bundle; it re-exports the other server functions the route uses, so the
 * browser build sees one empty module (see ./product-card.server).
 */
export { data } from "@remix-run/cloudflare";
export { productCardView } from "./product-card.server";
export { keptCatalogRead, publicPageHeaders } from "~/request/page-cache.server";
export { listCatalogTags, listPublishedProducts } from "~/services/catalog.server";

/** The catalog filter's category choices. */
const CATEGORY_OPTIONS = [
  { value: "", label: "All categories" },
  ...PRODUCT_CATEGORIES.map((category) => ({ value: category, label: CATEGORY_LABELS[category] })),
];

const SORT_OPTIONS = CATALOG_SORTS.map((sort) => ({
  value: sort,
  label: CATALOG_SORT_LABELS[sort],
}));

/**
 * The filter form's choices and the result line, in words: the page only lays them out, so the
 * label tables and the number formatting stay on the server (issue 17: lighter pages).
 */
export function catalogFormView(input: {
  query: CatalogQuery;
  tags: string[];
  total: number;
  invalid: boolean;
}) {
  const { query, tags } = input;
  // A tag from the URL that no product has any more stays selectable, so the form shows it.
  const shownTags = query.tag && !tags.includes(query.tag) ? [query.tag, ...tags] : tags;
  return {
    categoryOptions: CATEGORY_OPTIONS,
    sortOptions: SORT_OPTIONS,
    tagOptions: [
      { value: "", label: "All tags" },
      ...shownTags.map((tag) => ({ value: tag, label: tag })),
    ],
    filtering: hasFilters(query) || input.invalid,
    countText: productCount(input.total),
  };
}

/** The catalog's own URL with its filters and sort kept and the page cursor moved. */
export function catalogPageHref(url: URL, cursor: string | null): string {
  const params = new URLSearchParams(url.search);
  if (cursor) params.set("cursor", cursor);
  else params.delete("cursor");
  const search = params.toString();
  return search ? `${url.pathname}?${search}` : url.pathname;
}
