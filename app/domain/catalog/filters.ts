import { wholeNumber, z } from "~/lib/zod";
import { PRODUCT_CATEGORIES } from "#db/schema/enums";

import { MAX_PRICE_FILTER } from "./price-filter";

/**
 * The catalog's query string (`?q=&category=&tag=&maxPrice=&cursor=`), parsed leniently: bad
 * values are dropped.
 *
 * `maxPrice` is in whole currency units (`?maxPrice=50` means "up to $50.00"), because that is
 * what a visitor types into the form; it is compared with the personal license price (the
 * "from" price on every card), inclusive, whatever the product's currency.
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
  maxPrice: wholeNumber("")
    .pipe(z.number().min(0).max(MAX_PRICE_FILTER))
    .optional()
    .catch(undefined),
  cursor: z.string().max(200).optional().catch(undefined),
});
export type CatalogQuery = z.infer<typeof CatalogQuerySchema>;

export function parseCatalogQuery(params: URLSearchParams): CatalogQuery {
  return CatalogQuerySchema.parse({
    q: params.get("q") ?? undefined,
    category: params.get("category") ?? undefined,
    tag: params.get("tag") ?? undefined,
    maxPrice: params.get("maxPrice") || undefined,
    cursor: params.get("cursor") ?? undefined,
  });
}

/** The personal price, in cents, a product may have at most to match `maxPrice`. */
export function maxPriceCents(query: Pick<CatalogQuery, "maxPrice">): number | null {
  return query.maxPrice === undefined ? null : query.maxPrice * 100;
}

/** Escape LIKE wildcards so a search for "50%" means the text "50%". */
export function likePattern(query: string): string {
  return `%${query.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}
