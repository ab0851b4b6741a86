import { and, desc, eq, lt, or } from "drizzle-orm";
import type { Database } from "#db/client";
import { digitalProductPurchases, digitalProducts, licenses } from "#db/schema";
import { clampPageSize, decodeCursor, paginate } from "~/domain/catalog/cursor";

const purchaseColumns = {
  id: digitalProductPurchases.id,
  licenseType: digitalProductPurchases.licenseType,
  amountCents: digitalProductPurchases.amountCents,
  currency: digitalProductPurchases.currency,
  status: digitalProductPurchases.status,
  provider: digitalProductPurchases.provider,
  failureReason: digitalProductPurchases.failureReason,
  createdAt: digitalProductPurchases.createdAt,
  completedAt: digitalProductPurchases.completedAt,
  refundedAt: digitalProductPurchases.refundedAt,
  productName: digitalProducts.name,
  productSlug: digitalProducts.slug,
  productCategory: digitalProducts.category,
  productThumbnailKey: digitalProducts.thumbnailKey,
  teamSeats: digitalProducts.teamSeats,
  licenseDurationMonths: digitalProducts.licenseDurationMonths,
  /** The license a completed purchase issued (null until then). */
  licenseId: licenses.id,
};

/** The buyer's purchases, newest first, keyset-paginated on `(created_at, id)`. */
export async function listUserPurchases(
  db: Database,
  userId: string,
  options: { cursor?: string | null; limit?: number | null } = {},
) {
  const limit = clampPageSize(options.limit);
  const cursor = decodeCursor(options.cursor);
  const rows = await db
    .select(purchaseColumns)
    .from(digitalProductPurchases)
    .innerJoin(digitalProducts, eq(digitalProducts.id, digitalProductPurchases.productId))
    .leftJoin(licenses, eq(licenses.purchaseId, digitalProductPurchases.id))
    .where(
      and(
        eq(digitalProductPurchases.userId, userId),
        cursor
          ? or(
              lt(digitalProductPurchases.createdAt, new Date(cursor.sortKey)),
              and(
                eq(digitalProductPurchases.createdAt, new Date(cursor.sortKey)),
                lt(digitalProductPurchases.id, cursor.id),
              ),
            )
          : undefined,
      ),
    )
    .orderBy(desc(digitalProductPurchases.createdAt), desc(digitalProductPurchases.id))
    .limit(limit + 1);
  return paginate(rows, limit, (row) => ({ sortKey: row.createdAt.getTime(), id: row.id }));
}

export type PurchaseListItem = Awaited<ReturnType<typeof listUserPurchases>>["items"][number];

/** One purchase, only for its owner (null for anybody else: the route answers 404). */
export async function getOwnPurchase(db: Database, userId: string, purchaseId: string) {
  const [row] = await db
    .select(purchaseColumns)
    .from(digitalProductPurchases)
    .innerJoin(digitalProducts, eq(digitalProducts.id, digitalProductPurchases.productId))
    .leftJoin(licenses, eq(licenses.purchaseId, digitalProductPurchases.id))
    .where(
      and(eq(digitalProductPurchases.id, purchaseId), eq(digitalProductPurchases.userId, userId)),
    )
    .limit(1);
  return row ?? null;
}
