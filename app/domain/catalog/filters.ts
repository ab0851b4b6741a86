import { z } from "~/lib/zod";
import { PRODUCT_CATEGORIES } from "#db/schema/enums";

/** The catalog's query string (`?q=&category=&tag=&cursor=`), parsed leniently: bad values are dropped. */
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
  cursor: z.string().max(200).optional().catch(undefined),
});
export type CatalogQuery = z.infer<typeof CatalogQuerySchema>;

export function parseCatalogQuery(params: URLSearchParams): CatalogQuery {
  return CatalogQuerySchema.parse({
    q: params.get("q") ?? undefined,
    category: params.get("category") ?? undefined,
    tag: params.get("tag") ?? undefined,
    cursor: params.get("cursor") ?? undefined,
  });
}

/** Escape LIKE wildcards so a search for "50%" means the text "50%". */
export function likePattern(query: string): string {
  return `%${query.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}
