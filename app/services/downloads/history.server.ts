import { and, desc, eq, isNull, lt, or, type Placeholder, sql, type SQL } from "drizzle-orm";
import type { Database } from "#db/client";
import { digitalProducts, downloads, licenses } from "#db/schema";
import { clampPageSize, decodeCursor, paginate } from "~/domain/catalog/cursor";
import { quotaState, windowStart, type QuotaState } from "~/domain/downloads/quota";

/**
 * The record of downloads as people read it (docs/architecture.md §8): a license's quota (left,
 * next free-up time), the owner's history (/account/downloads, the license page) and the
 * attempts staff review for abuse.
 */

/** What `quotaState` reads of a download row. */
export const QUOTA_ROW_COLUMNS = {
  status: downloads.status,
  createdAt: downloads.createdAt,
  grantExpiresAt: downloads.grantExpiresAt,
};

/** Download rows issued after `since` (ms) that may count; `quotaState` decides which do. */
export const mayCountSince = (since: number | Placeholder) =>
  and(
    sql`${downloads.createdAt} > ${since}`,
    sql`${downloads.status} <> 'FAILED'`,
    // Resumed downloads are on record but never count: their grant already did.
    isNull(downloads.resumeOfId),
  );

/** The quota of one license as its owner sees it (left, next free-up time). */
export async function licenseQuota(
  db: Database,
  input: { licenseId: string; resetAt: Date | null; now: Date },
): Promise<QuotaState> {
  const since = windowStart(input.now, input.resetAt);
  const rows = await db
    .select(QUOTA_ROW_COLUMNS)
    .from(downloads)
    .where(and(eq(downloads.licenseId, input.licenseId), mayCountSince(since)));
  return quotaState(rows, input.now, input.resetAt);
}

export interface DownloadHistoryItem {
  id: string;
  licenseId: string;
  productName: string;
  status: "GRANTED" | "COMPLETED" | "FAILED";
  failureReason: string | null;
  userAgent: string | null;
  createdAt: Date;
  redeemedAt: Date | null;
  grantExpiresAt: Date | null;
  /** Set when this row records a resumed download of an earlier grant (it never counts). */
  resumeOfId: string | null;
}

/** The user's download attempts, newest first; one license's when `licenseId` is given. */
export async function listUserDownloads(
  db: Database,
  input: { userId: string; licenseId?: string; cursor?: string | null },
  pageSize?: number,
): Promise<{ items: DownloadHistoryItem[]; nextCursor: string | null }> {
  const limit = clampPageSize(pageSize);
  const conditions: SQL[] = [eq(downloads.userId, input.userId)];
  if (input.licenseId) conditions.push(eq(downloads.licenseId, input.licenseId));
  const cursor = decodeCursor(input.cursor);
  if (cursor) {
    const at = new Date(cursor.sortKey);
    conditions.push(
      or(
        lt(downloads.createdAt, at),
        and(eq(downloads.createdAt, at), lt(downloads.id, cursor.id)),
      )!,
    );
  }
  const rows = await db
    .select({
      id: downloads.id,
      licenseId: downloads.licenseId,
      productName: digitalProducts.name,
      status: downloads.status,
      failureReason: downloads.failureReason,
      userAgent: downloads.userAgent,
      createdAt: downloads.createdAt,
      redeemedAt: downloads.redeemedAt,
      grantExpiresAt: downloads.grantExpiresAt,
      resumeOfId: downloads.resumeOfId,
    })
    .from(downloads)
    .innerJoin(digitalProducts, eq(digitalProducts.id, downloads.productId))
    .where(and(...conditions))
    .orderBy(desc(downloads.createdAt), desc(downloads.id))
    .limit(limit + 1);
  return paginate(rows, limit, (item) => ({ sortKey: item.createdAt.getTime(), id: item.id }));
}

/** Downloads left and the next free-up time for one of the user's licenses (null if not theirs). */
export async function userLicenseQuota(
  db: Database,
  input: { userId: string; licenseId: string; now: Date },
): Promise<QuotaState | null> {
  const [license] = await db
    .select({ resetAt: licenses.downloadWindowResetAt })
    .from(licenses)
    .where(and(eq(licenses.id, input.licenseId), eq(licenses.userId, input.userId)));
  if (!license) return null;
  return licenseQuota(db, { licenseId: input.licenseId, resetAt: license.resetAt, now: input.now });
}

/** A license's latest download attempts for staff reviewing it (abuse, support). */
export async function listLicenseDownloadsForStaff(db: Database, licenseId: string, limit = 20) {
  return db
    .select({
      id: downloads.id,
      status: downloads.status,
      failureReason: downloads.failureReason,
      ipHash: downloads.ipHash,
      deviceFingerprint: downloads.deviceFingerprint,
      userAgent: downloads.userAgent,
      createdAt: downloads.createdAt,
      redeemedAt: downloads.redeemedAt,
      resumeOfId: downloads.resumeOfId,
    })
    .from(downloads)
    .where(eq(downloads.licenseId, licenseId))
    .orderBy(desc(downloads.createdAt), desc(downloads.id))
    .limit(limit);
}
