import { createId } from "@paralleldrive/cuid2";
import { and, desc, eq, lt, ne, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "#db/client";
import { auditLogs, digitalProducts, type ProductStatus } from "#db/schema";
import type { AuditAction } from "~/domain/audit/actions";
import { can } from "~/domain/auth/permissions";
import { clampPageSize, decodeCursor, paginate } from "~/domain/catalog/cursor";
import { likePattern } from "~/domain/catalog/filters";
import { mediaUrl } from "~/domain/catalog/media";
import { refuse, type Refusal, type Result } from "~/domain/refusal";
import {
  PRODUCT_FIELD_NAMES,
  productDiff,
  type ProductFields,
  type ProductSearch,
} from "~/domain/catalog/product-forms";
import {
  auditStatement,
  recentAuditStatement,
  type AuditActor,
  type AuditRequestInfo,
} from "./audit.server";
import { insertWhen } from "./conditional-insert.server";

/**
 * Staff product management (issue 4, item 1): /admin/products. Every change is one batch with
 * its audit row, which carries the diff of the fields that changed. Uploads live in
 * product-uploads.server.ts.
 */

const RECENT_AUDIT_ROWS = 30;

const forbidden = () => refuse("forbidden", "forbidden", "Your role can't manage products.");

const slugTaken = () =>
  refuse("conflict", "slug-taken", "Another product already uses this slug. Choose another one.", {
    field: "slug",
  });
const needsFile = () =>
  refuse(
    "conflict",
    "needs-file",
    "Upload the product file before publishing: buyers would have nothing to download.",
    { field: "status" },
  );

// ---- List -----------------------------------------------------------------------------------

const listColumns = {
  id: digitalProducts.id,
  name: digitalProducts.name,
  slug: digitalProducts.slug,
  status: digitalProducts.status,
  category: digitalProducts.category,
  featured: digitalProducts.featured,
  pricePersonalCents: digitalProducts.pricePersonalCents,
  currency: digitalProducts.currency,
  fileName: digitalProducts.fileName,
  thumbnailKey: digitalProducts.thumbnailKey,
  purchaseCount: digitalProducts.purchaseCount,
  createdAt: digitalProducts.createdAt,
  updatedAt: digitalProducts.updatedAt,
};

/** Every product (any status), newest first, by name or slug and status; keyset-paginated. */
export async function searchAdminProducts(
  db: Database,
  input: ProductSearch & { pageSize?: number },
) {
  const limit = clampPageSize(input.pageSize);
  const conditions: SQL[] = [];
  const text = input.q?.trim();
  if (text) {
    const pattern = likePattern(text.toLowerCase());
    conditions.push(
      or(
        sql`lower(${digitalProducts.name}) like ${pattern} escape '\\'`,
        sql`${digitalProducts.slug} like ${pattern} escape '\\'`,
      )!,
    );
  }
  if (input.status) conditions.push(eq(digitalProducts.status, input.status));
  const cursor = decodeCursor(input.cursor);
  if (cursor) {
    const at = new Date(cursor.sortKey);
    conditions.push(
      or(
        lt(digitalProducts.createdAt, at),
        and(eq(digitalProducts.createdAt, at), lt(digitalProducts.id, cursor.id)),
      )!,
    );
  }
  const rows = await db
    .select(listColumns)
    .from(digitalProducts)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(digitalProducts.createdAt), desc(digitalProducts.id))
    .limit(limit + 1);
  const page = paginate(rows, limit, (row) => ({ sortKey: row.createdAt.getTime(), id: row.id }));
  return {
    ...page,
    items: page.items.map(({ thumbnailKey, ...row }) => ({
      ...row,
      thumbnailUrl: mediaUrl(thumbnailKey),
    })),
  };
}
export type ProductAdminListItem = Awaited<ReturnType<typeof searchAdminProducts>>["items"][number];

// ---- Detail ---------------------------------------------------------------------------------

/** One product with everything the edit page shows, and its audit trail; null if unknown. */
export async function getProductForEdit(db: Database, productId: string) {
  const [[product], audit] = await Promise.all([
    db.select().from(digitalProducts).where(eq(digitalProducts.id, productId)).limit(1),
    recentAuditStatement(db, "product", productId, RECENT_AUDIT_ROWS),
  ]);
  if (!product) return null;
  return {
    product: {
      ...pickFields(product),
      id: product.id,
      publishedAt: product.publishedAt,
      createdAt: product.createdAt,
      updatedAt: product.updatedAt,
      purchaseCount: product.purchaseCount,
      downloadCount: product.downloadCount,
      file: product.fileKey
        ? {
            name: product.fileName ?? product.fileKey.split("/").at(-1)!,
            size: product.fileSizeBytes,
            contentType: product.fileContentType,
            sha256: product.fileSha256,
          }
        : null,
      thumbnail: product.thumbnailKey
        ? { key: product.thumbnailKey, url: mediaUrl(product.thumbnailKey) }
        : null,
      previews: product.previewKeys.map((key) => ({ key, url: mediaUrl(key) })),
    },
    audit,
  };
}
export type ProductEditDetail = NonNullable<Awaited<ReturnType<typeof getProductForEdit>>>;

function pickFields(row: typeof digitalProducts.$inferSelect): ProductFields {
  return Object.fromEntries(
    PRODUCT_FIELD_NAMES.map((field) => [field, row[field]]),
  ) as unknown as ProductFields;
}

// ---- Create and update ----------------------------------------------------------------------

export type ProductWriteResult = Result<
  { productId: string; changed: string[]; action: AuditAction | null },
  "forbidden" | "not-found" | "slug-taken" | "needs-file" | "edited-meanwhile"
>;

interface WriteInput {
  actor: AuditActor;
  fields: ProductFields;
  now: Date;
  request: AuditRequestInfo;
}

async function slugInUse(db: Database, slug: string, exceptId: string | null) {
  const [row] = await db
    .select({ id: digitalProducts.id })
    .from(digitalProducts)
    .where(
      exceptId
        ? and(eq(digitalProducts.slug, slug), ne(digitalProducts.id, exceptId))
        : eq(digitalProducts.slug, slug),
    )
    .limit(1);
  return Boolean(row);
}

/** The refusal behind a D1 error, named by the constraint that refused the write. */
function constraintRefusal(error: unknown): Refusal<"slug-taken" | "needs-file"> {
  const text = [error, (error as { cause?: unknown } | null)?.cause]
    .map((part) => (part instanceof Error ? part.message : String(part)))
    .join(" ");
  if (/UNIQUE constraint failed: digital_products\.slug/.test(text)) return slugTaken();
  if (/digital_products_published_file_check/.test(text)) return needsFile();
  throw error;
}

/** A new product, always a DRAFT: it has no file yet, and only a product with a file is sold. */
export async function createAdminProduct(
  deps: { db: Database },
  input: WriteInput,
): Promise<ProductWriteResult> {
  const { db } = deps;
  const { actor, now } = input;
  if (!can(actor.role, "products:manage")) return forbidden();
  const fields: ProductFields = { ...input.fields, status: "DRAFT" };
  if (await slugInUse(db, fields.slug, null)) return slugTaken();
  const productId = createId();
  try {
    await db.batch([
      db.insert(digitalProducts).values({
        ...fields,
        id: productId,
        createdById: actor.id,
        createdAt: now,
        updatedAt: now,
      }),
      auditStatement(db, {
        actor,
        action: "PRODUCT_CREATED",
        entityType: "product",
        entityId: productId,
        metadata: { fields },
        request: input.request,
        at: now,
      }),
    ]);
  } catch (error) {
    return constraintRefusal(error);
  }
  return { ok: true, productId, changed: Object.keys(fields), action: "PRODUCT_CREATED" };
}

/** Which audit action a change of status (or none) is. */
function updateAction(from: ProductStatus, to: ProductStatus): AuditAction {
  if (from === to) return "PRODUCT_UPDATED";
  if (to === "PUBLISHED") return "PRODUCT_PUBLISHED";
  if (to === "ARCHIVED") return "PRODUCT_ARCHIVED";
  return from === "PUBLISHED" ? "PRODUCT_UNPUBLISHED" : "PRODUCT_UPDATED";
}

/**
 * Save the edit form. Only changed fields are written and audited (a save that changes
 * nothing writes nothing). Publishing needs a product file; `published_at` is set the first
 * time a product is published and kept after that.
 */
export async function updateAdminProduct(
  deps: { db: Database },
  input: WriteInput & { productId: string },
): Promise<ProductWriteResult> {
  const { db } = deps;
  const { actor, productId, now, fields } = input;
  if (!can(actor.role, "products:manage")) return forbidden();
  const [current] = await db
    .select()
    .from(digitalProducts)
    .where(eq(digitalProducts.id, productId))
    .limit(1);
  if (!current) return refuse("not-found", "not-found", "There is no such product.");

  const diff = productDiff(pickFields(current), fields);
  const changed = Object.keys(diff);
  if (changed.length === 0) return { ok: true, productId, changed, action: null };
  if (fields.status === "PUBLISHED" && !current.fileKey) return needsFile();
  if (diff.slug && (await slugInUse(db, fields.slug, productId))) return slugTaken();

  const action = updateAction(current.status, fields.status);
  const values = Object.fromEntries(
    changed.map((field) => [field, fields[field as keyof ProductFields]]),
  ) as Partial<ProductFields>;
  // The row we diffed against must still be the row we write: a concurrent save in between
  // makes this one a no-op (and writes no audit row) instead of silently undoing the other.
  const unchangedSince = eq(digitalProducts.updatedAt, current.updatedAt);
  const update = db
    .update(digitalProducts)
    .set({
      ...values,
      ...(fields.status === "PUBLISHED"
        ? { publishedAt: sql`coalesce(${digitalProducts.publishedAt}, ${now.getTime()})` }
        : {}),
      updatedAt: now,
    })
    .where(and(eq(digitalProducts.id, productId), unchangedSince));
  const audit = auditStatement(db, {
    actor,
    action,
    entityType: "product",
    entityId: productId,
    metadata: { changes: diff },
    request: input.request,
    at: now,
  });
  try {
    // The audit row follows this batch's UPDATE, not the stored `updated_at`: two saves in the
    // same millisecond (workerd's clock only moves on I/O) would otherwise both be audited.
    const [rows] = await db.batch([
      update.returning({ id: digitalProducts.id }),
      insertWhen(db, auditLogs, audit, sql`changes() = 1`),
    ]);
    if (rows.length === 0) {
      return refuse(
        "conflict",
        "edited-meanwhile",
        "Someone else saved this product while you were editing. Reload the page and make your change again.",
      );
    }
  } catch (error) {
    return constraintRefusal(error);
  }
  return { ok: true, productId, changed, action };
}

// ---- Removing images ------------------------------------------------------------------------

export type RemoveImageResult = Result<object, "forbidden" | "image-gone">;

/**
 * Take a preview (or the thumbnail) off the product, with its audit row, then delete the
 * object. Conditional on the key still being there, so two clicks remove and audit it once.
 */
export async function removeProductImage(
  deps: { db: Database; files: R2Bucket },
  input: {
    actor: AuditActor;
    productId: string;
    kind: "preview" | "thumbnail";
    key: string;
    now: Date;
    request: AuditRequestInfo;
  },
): Promise<RemoveImageResult> {
  const { db, files } = deps;
  const { actor, productId, key, now } = input;
  if (!can(actor.role, "products:manage")) return forbidden();
  const update =
    input.kind === "preview"
      ? db
          .update(digitalProducts)
          .set({
            previewKeys: sql`(select json_group_array(p.value) from json_each(${digitalProducts.previewKeys}) as p where p.value <> ${key})`,
            updatedAt: now,
          })
          .where(
            and(
              eq(digitalProducts.id, productId),
              sql`exists (select 1 from json_each(${digitalProducts.previewKeys}) as p where p.value = ${key})`,
            ),
          )
      : db
          .update(digitalProducts)
          .set({ thumbnailKey: null, updatedAt: now })
          .where(and(eq(digitalProducts.id, productId), eq(digitalProducts.thumbnailKey, key)));
  const audit = auditStatement(db, {
    actor,
    action: "PRODUCT_MEDIA_UPDATED",
    entityType: "product",
    entityId: productId,
    metadata: { kind: input.kind, removed: key },
    request: input.request,
    at: now,
  });
  // Written only when the UPDATE just before it in this batch changed the row.
  const [rows] = await db.batch([
    update.returning({ id: digitalProducts.id }),
    insertWhen(db, auditLogs, audit, sql`changes() = 1`),
  ]);
  if (rows.length === 0) {
    // Taken off already (a second click) or never on it: the product has moved on.
    return refuse("conflict", "image-gone", "That image isn't on this product any more.");
  }
  await files.delete(key);
  return { ok: true };
}
