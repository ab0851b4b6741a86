import { and, asc, desc, eq, gt, gte, lt, lte, not, or, Param, sql, type SQL } from "drizzle-orm";
import { preparedBatchOnce, preparedOnce, type Database } from "#db/client";
import { digitalProducts, type DigitalProduct } from "#db/schema";
import { clampPageSize, decodeCursor, encodeCursor, paginate } from "~/domain/catalog/cursor";
import { likePattern, priceRangeCents, type CatalogQuery } from "~/domain/catalog/filters";
import type { CatalogSort } from "~/domain/catalog/price-filter";

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
  const featured = preparedOnce(db, "catalog.featured", (handle) =>
    handle
      .select(productCardColumns)
      .from(digitalProducts)
      .where(and(isPublished, eq(digitalProducts.featured, true)))
      .orderBy(desc(digitalProducts.publishedAt), desc(digitalProducts.id))
      .limit(sql.placeholder("limit"))
      .prepare(),
  );
  return featured.all({ limit });
}

export interface CatalogPage {
  items: ProductCard[];
  /** Products matching the filters, on every page. */
  total: number;
  /** How many matching products come before this page (the page shows `offset + 1`…). */
  offset: number;
  nextCursor: string | null;
  /** The page before this one: `{ cursor: null }` is the first page; null on the first page. */
  previous: { cursor: string | null } | null;
}

/**
 * How each sort order walks the catalog: a column, a direction, and the id as tie-breaker in
 * the same direction, so a keyset cursor `(sortKey, id)` names one position in one order.
 */
function sortOrder(sort: CatalogSort) {
  const published = {
    column: digitalProducts.publishedAt,
    keyOf: (row: SortRow) => row.publishedAt?.getTime() ?? 0,
    valueOf: (key: number) => new Date(key),
  };
  const price = {
    column: digitalProducts.pricePersonalCents,
    keyOf: (row: SortRow) => row.pricePersonalCents,
    valueOf: (key: number) => key,
  };
  switch (sort) {
    case "price-asc":
      return { ...price, descending: false };
    case "price-desc":
      return { ...price, descending: true };
    case "popular":
      // purchase_count moves in the same batch as a purchase's first completion (fulfilment).
      return {
        column: digitalProducts.purchaseCount,
        keyOf: (row: SortRow) => row.purchaseCount,
        valueOf: (key: number) => key,
        descending: true,
      };
    case "newest":
      return { ...published, descending: true };
  }
}
type SortRow = ProductCard & { purchaseCount: number };

/** What a catalog query filters on: the shape of its SQL, whatever the values. */
interface CatalogShape {
  sort: CatalogSort;
  category: boolean;
  tag: boolean;
  min: boolean;
  max: boolean;
  q: boolean;
  /** Past the first page: a keyset cursor. */
  after: boolean;
}

const shapeName = (shape: CatalogShape) =>
  `catalog.list:${shape.sort}:${(["category", "tag", "min", "max", "q", "after"] as const)
    .filter((filter) => shape[filter])
    .join(",")}`;

/**
 * The catalog page's queries for one shape, every value a placeholder, so each shape is built
 * and prepared once per isolate (issue 17: building them was most of Drizzle's 8 % of
 * `/products`). There are at most 4 sorts × 2⁶ filter combinations.
 */
function catalogQueries(handle: Database, shape: CatalogShape) {
  const order = sortOrder(shape.sort);
  const value = sql.placeholder;
  const conditions: SQL[] = [isPublished];
  if (shape.category) conditions.push(eq(digitalProducts.category, value("category")));
  if (shape.tag) {
    conditions.push(
      sql`exists (select 1 from json_each(${digitalProducts.tags}) where value = ${value("tag")})`,
    );
  }
  if (shape.min) conditions.push(gte(digitalProducts.pricePersonalCents, value("min")));
  if (shape.max) conditions.push(lte(digitalProducts.pricePersonalCents, value("max")));
  if (shape.q) {
    conditions.push(
      or(
        sql`${digitalProducts.name} like ${value("pattern")} escape '\\'`,
        sql`${digitalProducts.tagline} like ${value("pattern")} escape '\\'`,
      )!,
    );
  }
  const filters = and(...conditions);

  // The rows after the cursor in the sort order make this page; the rest were on earlier pages.
  let after: SQL | undefined;
  if (shape.after) {
    const later = order.descending ? lt : gt;
    // Encoded by the sort column, as a plain value would be (a Date for published_at).
    const afterKey = new Param(value("afterKey"), order.column);
    after = or(
      later(order.column, afterKey),
      and(eq(order.column, afterKey), later(digitalProducts.id, value("afterId"))),
    )!;
  }
  const [forward, backward] = order.descending ? [desc, asc] : [asc, desc];
  const columns = { ...productCardColumns, purchaseCount: digitalProducts.purchaseCount };
  const pageRows = handle
    .select(columns)
    .from(digitalProducts)
    .where(and(filters, after))
    .orderBy(forward(order.column), forward(digitalProducts.id))
    .limit(value("rows"));
  // Named columns: a batch returns rows as objects, where a column called `0` would sort
  // before `count(*)` and swap the two.
  const countRows = handle
    .select({
      total: sql<number>`count(*)`.as("total"),
      offset: (after
        ? sql<number>`coalesce(sum(case when ${after} then 0 else 1 end), 0)`
        : sql<number>`0`
      ).as("offset"),
    })
    .from(digitalProducts)
    .where(filters);
  // Past the first page, the rows before it, nearest first: the previous page, and the row
  // before it, whose key is its cursor.
  const earlierRows = handle
    .select(columns)
    .from(digitalProducts)
    .where(and(filters, after && not(after)))
    .orderBy(backward(order.column), backward(digitalProducts.id))
    .limit(value("rows"));
  return { pageRows, countRows, earlierRows };
}

/**
 * Published products, filtered, sorted and keyset-paginated on (sort column, id), with the
 * number of matches and the cursor of the page before. One round trip to D1.
 */
export async function listPublishedProducts(
  db: Database,
  query: Partial<CatalogQuery>,
  pageSize?: number,
): Promise<CatalogPage> {
  const limit = clampPageSize(pageSize);
  const sort = query.sort ?? "newest";
  const order = sortOrder(sort);
  const prices = priceRangeCents(query);
  const cursor = decodeCursor(query.cursor);
  const shape: CatalogShape = {
    sort,
    category: Boolean(query.category),
    tag: Boolean(query.tag),
    min: prices.min !== null,
    max: prices.max !== null,
    q: Boolean(query.q),
    after: cursor !== null,
  };
  const values = {
    category: query.category,
    tag: query.tag,
    min: prices.min,
    max: prices.max,
    pattern: query.q ? likePattern(query.q) : undefined,
    afterKey: cursor ? order.valueOf(cursor.sortKey) : undefined,
    afterId: cursor?.id,
    rows: limit + 1,
  };
  const name = shapeName(shape);
  const [rows, [counts], earlier] = shape.after
    ? await preparedBatchOnce(db, name, (handle) => {
        const queries = catalogQueries(handle, shape);
        return [queries.pageRows, queries.countRows, queries.earlierRows] as const;
      })(values)
    : [
        ...(await preparedBatchOnce(db, name, (handle) => {
          const queries = catalogQueries(handle, shape);
          return [queries.pageRows, queries.countRows] as const;
        })(values)),
        [],
      ];

  const page = paginate(rows, limit, (row) => ({ sortKey: order.keyOf(row), id: row.id }));
  const anchor = earlier[limit];
  return {
    items: page.items.map(({ purchaseCount: _count, ...card }) => card),
    total: Number(counts?.total ?? 0),
    offset: Number(counts?.offset ?? 0),
    nextCursor: page.nextCursor,
    previous: cursor
      ? { cursor: anchor ? encodeCursor({ sortKey: order.keyOf(anchor), id: anchor.id }) : null }
      : null,
  };
}

/**
 * The tags of published products, for the catalog's tag control. Reading them is a pass over
 * every published product's tags (~1 ms of SQLite at 1,000 products); the catalog page keeps
 * the list per catalog version (services/catalog-copies.server.ts).
 */
export async function listCatalogTags(db: Database): Promise<string[]> {
  const rows = await db.all<{ tag: string }>(
    sql`select distinct tag.value as tag from ${digitalProducts}, json_each(${digitalProducts.tags}) as tag
        where ${digitalProducts.status} = 'PUBLISHED' order by tag.value limit 200`,
  );
  return rows.map((row) => row.tag);
}

/** The public product page: published products only; drafts are a 404 for visitors. */
export async function getPublishedProduct(db: Database, slug: string) {
  const bySlug = preparedOnce(db, "catalog.published-by-slug", (handle) =>
    handle
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
      .where(and(isPublished, eq(digitalProducts.slug, sql.placeholder("slug"))))
      .limit(1)
      .prepare(),
  );
  const [product] = await bySlug.all({ slug });
  return product ?? null;
}
export type ProductDetail = NonNullable<Awaited<ReturnType<typeof getPublishedProduct>>>;
