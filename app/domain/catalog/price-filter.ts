/** The highest price a visitor can filter on, in whole currency units. This module is zod-free:
 * the catalog page imports it (app/domain/catalog/filters.ts, with zod, stays in the loader). */
export const MAX_PRICE_FILTER = 100_000;

/** The catalog's sort orders, in the order the page offers them; the first is the default. */
export const CATALOG_SORTS = ["newest", "price-asc", "price-desc", "popular"] as const;
export type CatalogSort = (typeof CATALOG_SORTS)[number];

export const CATALOG_SORT_LABELS: Record<CatalogSort, string> = {
  newest: "Newest",
  "price-asc": "Price: low to high",
  "price-desc": "Price: high to low",
  popular: "Most popular",
};

/** The query-string parameters the catalog form sends; "Clear all filters" drops them all. */
export const CATALOG_FILTER_PARAMS = ["q", "category", "tag", "minPrice", "maxPrice"] as const;

/**
 * "1 product", "24 products", "1,024 products". Thousands grouped by hand, the en-GB way: an
 * `Intl.NumberFormat` call was 1 % of the catalog's render for one number.
 */
export function productCount(count: number): string {
  const grouped = String(count).replace(/\B(?=(\d{3})+$)/g, ",");
  return `${grouped} ${count === 1 ? "product" : "products"}`;
}

/** True when the visitor narrowed the catalog (the sort alone is not a filter). */
export function hasFilters(query: {
  q?: string;
  category?: string;
  tag?: string;
  minPrice?: number;
  maxPrice?: number;
}): boolean {
  return Boolean(
    query.q ||
    query.category ||
    query.tag ||
    query.minPrice !== undefined ||
    query.maxPrice !== undefined,
  );
}
