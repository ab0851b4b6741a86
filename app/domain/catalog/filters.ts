import { z } from "~/lib/zod";
import { PRODUCT_CATEGORIES } from "#db/schema/enums";

import { CATALOG_SORTS, MAX_PRICE_FILTER } from "./price-filter";

/**
 * The catalog's query string
 * (`?q=&category=&tag=&minPrice=&maxPrice=&sort=newest|price-asc|price-desc|popular&cursor=`).
 *
 * `q`, `category`, `tag`, `sort` and `cursor` are parsed leniently: the form can only send
 * valid values, so anything else is a stale or hand-edited link and is dropped. The prices are
 * what a visitor types, so a bad price is an error shown on the form (`readCatalogSearch`),
 * never silently ignored.
 *
 * Prices are in whole currency units (`?maxPrice=50` means "up to $50.00"), compared with the
 * personal license price (the "from" price on every card), inclusive, whatever the product's
 * currency.
 */
export const CatalogQuerySchema = z.object({
  q: z
    .string()
    .trim()
    .max(100)
    .optional()
    .catch(undefined)
    .transform((value) => value || undefined),
  category: z.enum(PRODUCT_CATEGORIES).optional().catch(undefined),
  tag: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9-]{1,40}$/)
    .optional()
    .catch(undefined),
  /** Absent means the default, newest first. */
  sort: z.enum(CATALOG_SORTS).optional().catch(undefined),
  minPrice: z.number().int().min(0).max(MAX_PRICE_FILTER).optional(),
  maxPrice: z.number().int().min(0).max(MAX_PRICE_FILTER).optional(),
  cursor: z.string().max(200).optional().catch(undefined),
});
export type CatalogQuery = z.infer<typeof CatalogQuerySchema>;

export type PriceField = "minPrice" | "maxPrice";

/** A price as typed: empty = no limit; otherwise a whole number of currency units or an error. */
export function parsePriceLimit(
  raw: string | null,
): { ok: true; value: number | undefined } | { ok: false; message: string } {
  const text = (raw ?? "").trim();
  if (text === "") return { ok: true, value: undefined };
  if (/^-\s*\d+([.,]\d*)?$/.test(text)) return { ok: false, message: "A price can't be negative." };
  if (/^\+?\d+[.,]\d*$/.test(text)) {
    return { ok: false, message: "Use whole units without cents, like 50." };
  }
  if (!/^\+?\d{1,15}$/.test(text)) return { ok: false, message: "Enter a whole number, like 50." };
  const value = Number(text);
  if (value > MAX_PRICE_FILTER) {
    return { ok: false, message: `Enter at most ${MAX_PRICE_FILTER.toLocaleString("en-GB")}.` };
  }
  return { ok: true, value };
}

export interface CatalogSearch {
  /** The filters to apply: a price with an error is left out. */
  query: CatalogQuery;
  /** One message per price field the visitor has to fix; empty when the search is valid. */
  fieldErrors: Partial<Record<PriceField, string>>;
  /** What was typed, so the form shows it again next to its error. */
  values: Record<string, string>;
}

/** The catalog's query string with the visitor's price mistakes kept as form errors. */
export function readCatalogSearch(params: URLSearchParams): CatalogSearch {
  const fieldErrors: Partial<Record<PriceField, string>> = {};
  const prices: Partial<Record<PriceField, number>> = {};
  for (const field of ["minPrice", "maxPrice"] as const) {
    const parsed = parsePriceLimit(params.get(field));
    if (!parsed.ok) fieldErrors[field] = parsed.message;
    else if (parsed.value !== undefined) prices[field] = parsed.value;
  }
  if (
    prices.minPrice !== undefined &&
    prices.maxPrice !== undefined &&
    prices.minPrice > prices.maxPrice
  ) {
    fieldErrors.maxPrice = "The maximum price must be at least the minimum price.";
    delete prices.maxPrice;
    delete prices.minPrice;
  }
  const query = CatalogQuerySchema.parse({
    q: params.get("q") ?? undefined,
    category: params.get("category") ?? undefined,
    tag: params.get("tag") ?? undefined,
    sort: params.get("sort") || undefined,
    ...prices,
    cursor: params.get("cursor") ?? undefined,
  });
  const values: Record<string, string> = {};
  for (const field of ["minPrice", "maxPrice"] as const) {
    const raw = params.get(field);
    if (raw) values[field] = raw;
  }
  return { query, fieldErrors, values };
}

/** The filters of a catalog link, valid ones only (bench and tests; pages use `readCatalogSearch`). */
export function parseCatalogQuery(params: URLSearchParams): CatalogQuery {
  return readCatalogSearch(params).query;
}

/** The personal price range, in cents, a product must fall in to match the query. */
export function priceRangeCents(query: Pick<CatalogQuery, "minPrice" | "maxPrice">): {
  min: number | null;
  max: number | null;
} {
  return {
    min: query.minPrice === undefined ? null : query.minPrice * 100,
    max: query.maxPrice === undefined ? null : query.maxPrice * 100,
  };
}

/** Escape LIKE wildcards so a search for "50%" means the text "50%". */
export function likePattern(query: string): string {
  return `%${query.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}
