import { and, desc, eq, lt, lte, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "#db/client";
import { digitalProducts, type DigitalProduct } from "#db/schema";
import { clampPageSize, decodeCursor, paginate } from "~/domain/catalog/cursor";
import { likePattern, maxPriceCents, type CatalogQuery } from "~/domain/catalog/filters";

/** What the catalog and home page show of a product: no storage keys, no internals. */
export const productCardColumns = {
  id: digitalProducts.id,
  slug: digitalProducts.slug,
  name: digitalProducts.name,
  tagline: digitalProducts.tagline,
  category: digitalProducts.category,
  tags: digitalProducts.tags,
  pricePersonalCents: digitalProducts.pricePersonalCents,
  currency: digitalProducts.currency,
  thumbnailKey: digitalProducts.thumbnailKey,
  publishedAt: digitalProducts.publishedAt,
};
export type ProductCard = Pick<DigitalProduct, keyof typeof productCardColumns>;

const isPublished = eq(digitalProducts.status, "PUBLISHED");

export async function listFeaturedProducts(db: Database, limit = 6): Promise<ProductCard[]> {
  return db
    .select(productCardColumns)
    .from(digitalProducts)
    .where(and(isPublished, eq(digitalProducts.featured, true)))
    .orderBy(desc(digitalProducts.publishedAt), desc(digitalProducts.id))
    .limit(limit);
}

export interface CatalogPage {
  items: ProductCard[];
  nextCursor: string | null;
}

/** Published products, newest first, filtered and keyset-paginated on (published_at, id). */
export async function listPublishedProducts(
  db: Database,
  query: Partial<CatalogQuery>,
  pageSize?: number,
): Promise<CatalogPage> {
  const limit = clampPageSize(pageSize);
  const conditions: SQL[] = [isPublished];
  if (query.category) conditions.push(eq(digitalProducts.category, query.category));
  if (query.tag) {
    conditions.push(
      sql`exists (select 1 from json_each(${digitalProducts.tags}) where value = ${query.tag})`,
    );
  }
  const priceLimit = maxPriceCents(query);
  if (priceLimit !== null) conditions.push(lte(digitalProducts.pricePersonalCents, priceLimit));
  if (query.q) {
    const pattern = likePattern(query.q);
    conditions.push(
      or(
        sql`${digitalProducts.name} like ${pattern} escape '\\'`,
        sql`${digitalProducts.tagline} like ${pattern} escape '\\'`,
      )!,
    );
  }
  const cursor = decodeCursor(query.cursor);
  if (cursor) {
    const at = new Date(cursor.sortKey);
    conditions.push(
      or(
        lt(digitalProducts.publishedAt, at),
        and(eq(digitalProducts.publishedAt, at), lt(digitalProducts.id, cursor.id)),
      )!,
    );
  }

  const rows = await db
    .select(productCardColumns)
    .from(digitalProducts)
    .where(and(...conditions))
    .orderBy(desc(digitalProducts.publishedAt), desc(digitalProducts.id))
    .limit(limit + 1);
  return paginate(rows, limit, (row) => ({ sortKey: row.publishedAt?.getTime() ?? 0, id: row.id }));
}

/** The public product page: published products only; drafts are a 404 for visitors. */
export async function getPublishedProduct(db: Database, slug: string) {
  const [product] = await db
    .select({
      ...productCardColumns,
      description: digitalProducts.description,
      priceCommercialCents: digitalProducts.priceCommercialCents,
      priceTeamCents: digitalProducts.priceTeamCents,
      teamSeats: digitalProducts.teamSeats,
      licenseDurationMonths: digitalProducts.licenseDurationMonths,
      version: digitalProducts.version,
      changelog: digitalProducts.changelog,
      documentation: digitalProducts.documentation,
      fileName: digitalProducts.fileName,
      fileSizeBytes: digitalProducts.fileSizeBytes,
      previewKeys: digitalProducts.previewKeys,
      updatedAt: digitalProducts.updatedAt,
    })
    .from(digitalProducts)
    .where(and(isPublished, eq(digitalProducts.slug, slug)))
    .limit(1);
  return product ?? null;
}
export type ProductDetail = NonNullable<Awaited<ReturnType<typeof getPublishedProduct>>>;
