import { sql } from "drizzle-orm";
import type { Database } from "#db/client";
import { parseUploadKey, UPLOAD_PREFIXES } from "~/domain/catalog/upload-rules";
import { recordAudit } from "./audit.server";

/**
 * Removes product objects no row points at (docs/architecture.md §7). An upload puts its object under a
 * fresh key, then moves the `digital_products` row to it, then deletes the object it replaced
 * (`product-uploads.server.ts`); a Worker that dies between those steps leaves an object
 * behind. The daily job walks the upload prefixes one R2 `list` page at a time and deletes an
 * object only when all of these hold:
 *
 * - its key has exactly the shape `uploadKey` writes (`<prefix>/<product id>/<cuid2>-<name>`),
 *   so seeded, bench and any other objects are never touched;
 * - it was uploaded more than the grace period ago, so an upload in flight (object stored,
 *   row not yet moved) is never mistaken for an orphan;
 * - no product row names it as its file, its thumbnail or one of its previews (one D1 query
 *   per page).
 *
 * An object older than the grace period can't become referenced later: uploads only ever
 * point a row at the key they have just written.
 */

/** An upload commits within seconds of its `put`; a day leaves room for any retry. */
export const ORPHAN_GRACE_MS = 24 * 60 * 60 * 1000;

/** R2 lists (and bulk-deletes) at most 1000 keys per call. */
const MAX_PAGE_SIZE = 1000;

/** `redactMetadata` keeps the first 50 items of an array; the counts say how many there were. */
export const MAX_AUDITED_KEYS = 50;

export interface MediaSweepDeps {
  db: Database;
  files: R2Bucket;
}

export interface MediaSweepOptions {
  /** The scheduled time of the run; objects uploaded after `now - graceMs` are kept. */
  now: Date;
  graceMs?: number;
  /** R2 `list` page size, 1–1000. */
  pageSize?: number;
  /**
   * Where to look; each must lie inside one of the upload prefixes (default: all three).
   * Tests narrow it to their own products, since R2 storage is shared between test files.
   */
  prefixes?: readonly string[];
}

export interface MediaSweepResult {
  /** Objects listed under the prefixes. */
  listed: number;
  /** Listed objects whose key isn't an upload key: never deleted. */
  ignored: number;
  /** Upload objects younger than the grace period: kept. */
  recent: number;
  /** Old enough, but a product row names them: kept. */
  referenced: number;
  deleted: number;
  deletedByPrefix: Record<string, number>;
  /** The first `MAX_AUDITED_KEYS` deleted keys. */
  deletedKeys: string[];
}

export class MediaSweepScopeError extends Error {
  override name = "MediaSweepScopeError";
}

export async function sweepOrphanedMedia(
  deps: MediaSweepDeps,
  options: MediaSweepOptions,
): Promise<MediaSweepResult> {
  const graceMs = options.graceMs ?? ORPHAN_GRACE_MS;
  const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new RangeError(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  const prefixes = options.prefixes ?? UPLOAD_PREFIXES;
  for (const prefix of prefixes) {
    if (!UPLOAD_PREFIXES.some((allowed) => prefix.startsWith(allowed))) {
      throw new MediaSweepScopeError(
        `Refusing to sweep "${prefix}": only ${UPLOAD_PREFIXES.join(", ")} hold product uploads.`,
      );
    }
  }
  const uploadedBefore = options.now.getTime() - graceMs;

  const result: MediaSweepResult = {
    listed: 0,
    ignored: 0,
    recent: 0,
    referenced: 0,
    deleted: 0,
    deletedByPrefix: {},
    deletedKeys: [],
  };
  for (const prefix of prefixes) {
    let cursor: string | undefined;
    do {
      const page = await deps.files.list({ prefix, cursor, limit: pageSize });
      result.listed += page.objects.length;
      const candidates: string[] = [];
      for (const object of page.objects) {
        if (!parseUploadKey(object.key)) result.ignored += 1;
        else if (object.uploaded.getTime() > uploadedBefore) result.recent += 1;
        else candidates.push(object.key);
      }
      const orphans = await unreferencedKeys(deps.db, candidates);
      result.referenced += candidates.length - orphans.length;
      if (orphans.length > 0) {
        await deps.files.delete(orphans);
        result.deleted += orphans.length;
        for (const key of orphans) {
          const top = key.slice(0, key.indexOf("/"));
          result.deletedByPrefix[top] = (result.deletedByPrefix[top] ?? 0) + 1;
        }
        result.deletedKeys.push(...orphans.slice(0, MAX_AUDITED_KEYS - result.deletedKeys.length));
      }
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  }

  // After the deletes: R2 and D1 share no transaction, and the trail must not claim a
  // deletion that didn't happen. A run that dies in between loses its audit row (the
  // objects it deleted were orphans either way); the next run starts over from the listing.
  if (result.deleted > 0) {
    await recordAudit(deps.db, {
      actor: null,
      action: "MEDIA_ORPHANS_REMOVED",
      entityType: "product",
      metadata: {
        listed: result.listed,
        ignored: result.ignored,
        recent: result.recent,
        referenced: result.referenced,
        deleted: result.deleted,
        deletedByPrefix: result.deletedByPrefix,
        deletedKeys: result.deletedKeys,
        deletedKeysTruncated: result.deleted > result.deletedKeys.length,
        graceHours: graceMs / 3_600_000,
      },
      at: options.now,
    });
  }
  return result;
}

/**
 * The keys of `keys` that no product row references, in one query: the page travels as one
 * JSON parameter (D1 allows 100 bound parameters per statement, a page holds up to 1000
 * keys). Each `IN (select …)` makes SQLite build a temporary index over the page, so the
 * query reads the product table three times whatever the page size, with no index needed on
 * the key columns.
 */
async function unreferencedKeys(db: Database, keys: string[]): Promise<string[]> {
  if (keys.length === 0) return [];
  const rows = await db.all<{ key: string }>(sql`
    with page(key) as (select value from json_each(${JSON.stringify(keys)}))
    select key from page
    except select file_key from digital_products where file_key in (select key from page)
    except select thumbnail_key from digital_products where thumbnail_key in (select key from page)
    except
      select p.value from digital_products d, json_each(d.preview_keys) p
      where p.value in (select key from page)
  `);
  return rows.map((row) => row.key);
}
