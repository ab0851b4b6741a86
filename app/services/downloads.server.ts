import { createId } from "@paralleldrive/cuid2";
import { and, desc, eq, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "#db/client";
import {
  auditLogs,
  deviceSessions,
  digitalProducts,
  downloads,
  emailOutbox,
  licenses,
  users,
  type AccountStatus,
  type LicenseStatus,
  type UserRole,
} from "#db/schema";
import { clampPageSize, decodeCursor, paginate } from "~/domain/catalog/cursor";
import {
  ABUSE_DISTINCT_LIMIT,
  DOWNLOAD_FAILURE_STATUS,
  DOWNLOAD_WINDOW_MS,
  DOWNLOADS_PER_WINDOW,
  downloadFailureMessage,
  GRANT_TTL_MS,
  quotaState,
  RESUME_WINDOW_MS,
  type DownloadFailure,
  type QuotaState,
} from "~/domain/downloads/quota";
import {
  contentRange,
  ifRangeHolds,
  noneMatch,
  parseRange,
  type ByteRange,
} from "~/domain/downloads/range";
import { effectiveLicenseStatus, type EffectiveStatus } from "~/domain/licenses/status";
import { checkDownloadToken, signDownloadToken } from "~/lib/download-token.server";
import type { AppEnv } from "~/lib/env.server";
import { auditStatement, type AuditActor, type AuditRequestInfo } from "./audit.server";
import { insertWhen } from "./conditional-insert.server";

/**
 * Secure delivery (docs/architecture.md §8): grants counted by one conditional INSERT, signed links, the
 * R2 object streamed as is, every attempt on record, abuse flagged in the redemption's batch.
 */

export interface Downloader {
  id: string;
  role: UserRole;
  accountStatus: AccountStatus;
  /** The device of the current session; blocked devices may not download. */
  deviceSessionId: string | null;
}

export interface DownloadDeps {
  db: Database;
  env: AppEnv;
}

export type DownloadRefusal = {
  ok: false;
  reason: DownloadFailure;
  status: number;
  message: string;
  nextFreeAt?: Date | null;
};

const refusal = (reason: DownloadFailure, nextFreeAt?: Date | null): DownloadRefusal => ({
  ok: false,
  reason,
  status: DOWNLOAD_FAILURE_STATUS[reason],
  message: downloadFailureMessage(reason, nextFreeAt),
  nextFreeAt: nextFreeAt ?? null,
});

const actorOf = (user: Downloader): AuditActor => ({ id: user.id, role: user.role });

const LICENSE_FAILURE: Record<Exclude<EffectiveStatus["code"], "VALID">, DownloadFailure> = {
  OWNER_BANNED: "OWNER_BANNED",
  SUSPENDED: "LICENSE_SUSPENDED",
  EXPIRED: "LICENSE_EXPIRED",
  REVOKED: "LICENSE_REVOKED",
};

/** Where a row came from: HMAC'd IP, the device's fingerprint hash, the user agent. */
interface AttemptOrigin {
  ipHash: string | null;
  deviceFingerprint: string | null;
  userAgent: string | null;
}

const originOf = (request: AuditRequestInfo, deviceFingerprint: string | null): AttemptOrigin => ({
  ipHash: request.ipHash ?? null,
  deviceFingerprint,
  userAgent: request.userAgent?.slice(0, 400) ?? null,
});

/** The FAILED row and its DOWNLOAD_FAILED audit row, for one batch. */
function failedAttemptStatements(
  db: Database,
  input: {
    user: Downloader;
    license: { id: string; productId: string } | null;
    reason: DownloadFailure;
    origin: AttemptOrigin;
    request: AuditRequestInfo;
    now: Date;
    grantId?: string;
    rowId?: string;
  },
) {
  const rowId = input.rowId ?? createId();
  const row = input.license
    ? db.insert(downloads).values({
        id: rowId,
        licenseId: input.license.id,
        userId: input.user.id,
        productId: input.license.productId,
        status: "FAILED",
        failureReason: input.reason,
        ...input.origin,
        createdAt: input.now,
      })
    : null;
  const audit = auditStatement(db, {
    actor: actorOf(input.user),
    action: "DOWNLOAD_FAILED",
    entityType: input.license ? "license" : "download",
    entityId: input.license?.id ?? input.grantId ?? null,
    metadata: {
      reason: input.reason,
      ...(input.grantId ? { grantId: input.grantId } : {}),
      ...(row ? { downloadId: rowId } : {}),
    },
    request: input.request,
    at: input.now,
  });
  return { row, audit, rowId };
}

async function recordFailure(
  db: Database,
  input: Parameters<typeof failedAttemptStatements>[1],
): Promise<void> {
  const { row, audit } = failedAttemptStatements(db, input);
  if (row) await db.batch([row, audit]);
  else await audit;
}

// ---- The window: one SQL expression shared by the grant and the owner's page ----------------

/** Rows of `licenseId` that count against the quota at `now` (alias `d`). */
function countingRowsSql(licenseId: string, now: Date): SQL {
  const nowMs = now.getTime();
  return sql`select count(*) from "downloads" d
    where d."license_id" = ${licenseId}
      and d."created_at" > max(${nowMs - DOWNLOAD_WINDOW_MS}, coalesce((select l2."download_window_reset_at" from "licenses" l2 where l2."id" = ${licenseId}), 0))
      and d."resume_of_id" is null
      and (d."status" = 'COMPLETED' or (d."status" = 'GRANTED' and d."grant_expires_at" > ${nowMs}))`;
}

/** The quota of one license as its owner sees it (left, next free-up time). */
export async function licenseQuota(
  db: Database,
  input: { licenseId: string; resetAt: Date | null; now: Date },
): Promise<QuotaState> {
  const since = new Date(
    Math.max(input.now.getTime() - DOWNLOAD_WINDOW_MS, input.resetAt?.getTime() ?? 0),
  );
  const rows = await db
    .select({
      status: downloads.status,
      createdAt: downloads.createdAt,
      grantExpiresAt: downloads.grantExpiresAt,
    })
    .from(downloads)
    .where(
      and(
        eq(downloads.licenseId, input.licenseId),
        sql`${downloads.createdAt} > ${since.getTime()}`,
        sql`${downloads.status} <> 'FAILED'`,
        // Resumed downloads are on record but never count: their grant already did.
        isNull(downloads.resumeOfId),
      ),
    );
  return quotaState(rows, input.now, input.resetAt);
}

// ---- Grant: POST /account/licenses/:licenseId/download -----------------------------------

export type GrantResult =
  { ok: true; grantId: string; token: string; expiresAt: Date } | DownloadRefusal;

/** License, product file, owner and the requesting device, read together. */
async function loadLicenseForDownload(
  db: Database,
  input: { licenseId: string; deviceSessionId: string | null },
) {
  const [[license], devices] = await db.batch([
    db
      .select({
        id: licenses.id,
        userId: licenses.userId,
        productId: licenses.productId,
        status: licenses.status,
        expiresAt: licenses.expiresAt,
        resetAt: licenses.downloadWindowResetAt,
        ownerStatus: users.accountStatus,
        fileKey: digitalProducts.fileKey,
      })
      .from(licenses)
      .innerJoin(users, eq(users.id, licenses.userId))
      .innerJoin(digitalProducts, eq(digitalProducts.id, licenses.productId))
      .where(eq(licenses.id, input.licenseId))
      .limit(1),
    db
      .select({
        userId: deviceSessions.userId,
        isBlocked: deviceSessions.isBlocked,
        fingerprintHash: deviceSessions.fingerprintHash,
      })
      .from(deviceSessions)
      .where(eq(deviceSessions.id, input.deviceSessionId ?? ""))
      .limit(1),
  ]);
  return { license: license ?? null, device: devices[0] ?? null };
}

type LoadedLicense = NonNullable<Awaited<ReturnType<typeof loadLicenseForDownload>>["license"]>;

/** Why this user may not download this license now, or null. Ownership is checked first. */
function licenseRefusal(
  user: Downloader,
  license: LoadedLicense,
  device: { isBlocked: boolean } | null,
  now: Date,
): DownloadFailure | null {
  if (license.userId !== user.id) return "NOT_OWNER";
  if (user.accountStatus !== "ACTIVE") return "ACCOUNT_INACTIVE";
  if (device?.isBlocked) return "DEVICE_BLOCKED";
  const effective = effectiveLicenseStatus(license, now);
  if (effective.code !== "VALID") return LICENSE_FAILURE[effective.code];
  if (!license.fileKey) return "FILE_MISSING";
  return null;
}

/**
 * Issue a download grant. Ownership, account, device and license are checked first; the quota
 * is checked by the INSERT itself (`INSERT … SELECT … WHERE <fewer than 3 counting rows>`), so
 * parallel requests can never exceed it. A refusal writes a FAILED row and an audit row in the
 * same batch; a grant writes its GRANTED row and DOWNLOAD_ATTEMPTED.
 */
export async function requestDownloadGrant(
  deps: DownloadDeps,
  input: { user: Downloader; licenseId: string; now: Date; request: AuditRequestInfo },
): Promise<GrantResult> {
  const { db, env } = deps;
  const { user, licenseId, now } = input;
  const { license, device } = await loadLicenseForDownload(db, {
    licenseId,
    deviceSessionId: user.deviceSessionId,
  });
  const origin = originOf(input.request, device?.fingerprintHash ?? null);
  if (!license) {
    await recordFailure(db, {
      user,
      license: null,
      reason: "NOT_OWNER",
      origin,
      request: input.request,
      now,
    });
    return refusal("NOT_OWNER");
  }
  const refused = licenseRefusal(user, license, device, now);
  if (refused) {
    await recordFailure(db, {
      user,
      license,
      reason: refused,
      origin,
      request: input.request,
      now,
    });
    return refusal(refused);
  }

  const grantId = createId();
  const expiresAt = new Date(now.getTime() + GRANT_TTL_MS);
  const granted = sql`exists (select 1 from "downloads" g where g."id" = ${grantId})`;
  const notGranted = sql`not ${granted}`;
  const failed = failedAttemptStatements(db, {
    user,
    license,
    reason: "QUOTA_EXCEEDED",
    origin,
    request: input.request,
    now,
  });
  const [inserted] = await db.batch([
    insertWhen(
      db,
      downloads,
      db.insert(downloads).values({
        id: grantId,
        licenseId,
        userId: user.id,
        productId: license.productId,
        status: "GRANTED",
        grantExpiresAt: expiresAt,
        ...origin,
        createdAt: now,
      }),
      sql`(${countingRowsSql(licenseId, now)}) < ${DOWNLOADS_PER_WINDOW}`,
    ).returning({ id: downloads.id }),
    insertWhen(
      db,
      auditLogs,
      auditStatement(db, {
        actor: actorOf(user),
        action: "DOWNLOAD_ATTEMPTED",
        entityType: "license",
        entityId: licenseId,
        metadata: { grantId, expiresAt: expiresAt.toISOString() },
        request: input.request,
        at: now,
      }),
      granted,
    ),
    insertWhen(db, downloads, failed.row!, notGranted),
    insertWhen(db, auditLogs, failed.audit, notGranted),
  ]);

  if (inserted.length === 0) {
    const quota = await licenseQuota(db, { licenseId, resetAt: license.resetAt, now });
    return refusal("QUOTA_EXCEEDED", quota.nextFreeAt);
  }
  const token = await signDownloadToken(env.downloadSigningSecret, {
    grantId,
    licenseId,
    userId: user.id,
    expiresAt,
  });
  return { ok: true, grantId, token, expiresAt };
}

// ---- Delivery: GET /downloads/:token ------------------------------------------------------

export interface DownloadRequestHeaders {
  /** HEAD: headers only; nothing is sent, so nothing is redeemed. */
  headOnly?: boolean;
  range: string | null;
  ifNoneMatch: string | null;
  ifRange: string | null;
}

export type DownloadDelivery =
  | DownloadRefusal
  | {
      ok: true;
      status: 200 | 206 | 304 | 416;
      headers: Record<string, string>;
      /** R2's own stream, handed to the Response untouched (never buffered). */
      body: ReadableStream | null;
    };

async function loadGrant(db: Database, grantId: string, deviceSessionId: string | null) {
  const [[grant], devices] = await db.batch([
    db
      .select({
        id: downloads.id,
        userId: downloads.userId,
        licenseId: downloads.licenseId,
        productId: downloads.productId,
        status: downloads.status,
        grantExpiresAt: downloads.grantExpiresAt,
        redeemedAt: downloads.redeemedAt,
        // Aliased: in a batch, joined columns with the same name would overwrite each other.
        licenseOwnerId: sql<string>`${licenses.userId}`.as("license_owner_id"),
        licenseStatus: sql<LicenseStatus>`${licenses.status}`.as("license_status"),
        licenseExpiresAt: sql`${licenses.expiresAt}`
          .mapWith(licenses.expiresAt)
          .as("license_expires_at"),
        ownerStatus: users.accountStatus,
        fileKey: digitalProducts.fileKey,
        fileName: digitalProducts.fileName,
        fileContentType: digitalProducts.fileContentType,
      })
      .from(downloads)
      .innerJoin(licenses, eq(licenses.id, downloads.licenseId))
      .innerJoin(users, eq(users.id, licenses.userId))
      .innerJoin(digitalProducts, eq(digitalProducts.id, downloads.productId))
      .where(eq(downloads.id, grantId))
      .limit(1),
    db
      .select({
        isBlocked: deviceSessions.isBlocked,
        fingerprintHash: deviceSessions.fingerprintHash,
      })
      .from(deviceSessions)
      .where(eq(deviceSessions.id, deviceSessionId ?? ""))
      .limit(1),
  ]);
  return { grant: grant ?? null, device: devices[0] ?? null };
}

/** `attachment; filename="…"` with an ASCII fallback and the exact name in RFC 5987 form. */
export function attachmentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/**
 * The statements that redeem a grant, in one batch: DOWNLOAD_SUCCEEDED and the product's
 * download count (only if the grant is still redeemable at this point of the batch), the
 * GRANTED → COMPLETED update, and the abuse check over the redeemed downloads of the window.
 */
function redemptionStatements(
  db: Database,
  input: {
    user: Downloader;
    grant: { id: string; licenseId: string; productId: string };
    origin: AttemptOrigin;
    bytes: number;
    size: number;
    range: ByteRange | null;
    request: AuditRequestInfo;
    now: Date;
  },
) {
  const { grant, now } = input;
  const nowMs = now.getTime();
  const redeemable = sql`exists (select 1 from "downloads" r where r."id" = ${grant.id} and r."status" = 'GRANTED' and r."grant_expires_at" > ${nowMs})`;
  const since = sql`max(${nowMs - DOWNLOAD_WINDOW_MS}, coalesce((select l3."abuse_detected_at" from "licenses" l3 where l3."id" = ${grant.licenseId}), 0))`;
  const distinct = (column: string) =>
    sql`(select count(distinct d.${sql.identifier(column)}) from "downloads" d where d."license_id" = ${grant.licenseId} and d."status" = 'COMPLETED' and d."resume_of_id" is null and d."redeemed_at" > ${since} and d.${sql.identifier(column)} is not null)`;
  const abusive = sql`exists (select 1 from "licenses" l4 where l4."id" = ${grant.licenseId} and l4."abuse_detected" = 0 and l4."status" = 'ACTIVE') and (${distinct("ip_hash")} > ${ABUSE_DISTINCT_LIMIT} or ${distinct("device_fingerprint")} > ${ABUSE_DISTINCT_LIMIT})`;
  const abuseReason = `More than ${ABUSE_DISTINCT_LIMIT} different IP addresses or devices downloaded this license within 14 days.`;
  const staffEmail = {
    subject: "A license was suspended for download abuse",
    body: `License ${grant.licenseId} was downloaded from more than ${ABUSE_DISTINCT_LIMIT} different IP addresses or devices within 14 days and has been suspended automatically.\n\nReview it at /admin/licenses/${grant.licenseId} and reinstate or revoke it.`,
  };

  return [
    insertWhen(
      db,
      auditLogs,
      auditStatement(db, {
        actor: actorOf(input.user),
        action: "DOWNLOAD_SUCCEEDED",
        entityType: "license",
        entityId: grant.licenseId,
        metadata: {
          grantId: grant.id,
          bytes: input.bytes,
          ...(input.range ? { range: contentRange(input.range, input.size) } : {}),
        },
        request: input.request,
        at: now,
      }),
      redeemable,
    ),
    db
      .update(digitalProducts)
      .set({ downloadCount: sql`${digitalProducts.downloadCount} + 1` })
      .where(and(eq(digitalProducts.id, grant.productId), redeemable)),
    db
      .update(downloads)
      .set({ status: "COMPLETED", redeemedAt: now, bytesServed: input.bytes, ...input.origin })
      .where(
        and(
          eq(downloads.id, grant.id),
          eq(downloads.status, "GRANTED"),
          sql`${downloads.grantExpiresAt} > ${nowMs}`,
        ),
      )
      .returning({ id: downloads.id }),
    // Abuse: audit and staff emails are written only when the license is about to be flagged;
    // the flag itself comes last so their conditions still see abuse_detected = 0.
    insertWhen(
      db,
      auditLogs,
      auditStatement(db, {
        actor: null,
        action: "ABUSE_DETECTED",
        entityType: "license",
        entityId: grant.licenseId,
        metadata: { reason: abuseReason, grantId: grant.id },
        request: input.request,
        at: now,
      }),
      abusive,
    ),
    db.insert(emailOutbox).select(
      sql`select lower(hex(randomblob(12))), u."email", 'license-abuse', ${staffEmail.subject}, ${staffEmail.body}, 'PENDING', 0, null, ${nowMs}, null, ${`license-abuse:${grant.licenseId}:${nowMs}:`} || u."id", ${nowMs}, ${nowMs}
        from "users" u where u."role" in ('MODERATOR', 'ADMIN', 'OWNER') and u."account_status" = 'ACTIVE' and ${abusive}`,
    ),
    db
      .update(licenses)
      .set({
        abuseDetected: true,
        abuseReason,
        abuseDetectedAt: now,
        status: "SUSPENDED",
        statusReason: abuseReason,
        updatedAt: now,
      })
      .where(and(eq(licenses.id, grant.licenseId), abusive)),
  ] as const;
}

/**
 * Serve a download link. The token is checked first (tampered 403, unknown or not the
 * user's 404); then the grant's state in D1 decides: an unredeemed grant within its 5 minutes is
 * redeemed (counted once), a redeemed one serves resumes for 24 hours, anything else is 410.
 * The R2 body is returned as R2's stream.
 */
export async function openDownload(
  deps: DownloadDeps & { files: R2Bucket },
  input: {
    user: Downloader;
    token: string;
    headers: DownloadRequestHeaders;
    now: Date;
    request: AuditRequestInfo;
  },
): Promise<DownloadDelivery> {
  const { db, env, files } = deps;
  const { user, now } = input;
  const check = await checkDownloadToken(env.downloadSigningSecret, input.token, now);
  const claimedGrantId =
    check.status === "tampered"
      ? check.claimed?.grantId
      : check.status === "malformed"
        ? undefined
        : check.payload.grantId;
  const { grant, device } = claimedGrantId
    ? await loadGrant(db, claimedGrantId, user.deviceSessionId)
    : { grant: null, device: null };
  const origin = originOf(input.request, device?.fingerprintHash ?? null);
  const fail = async (reason: DownloadFailure) => {
    await recordFailure(db, {
      user,
      license: grant ? { id: grant.licenseId, productId: grant.productId } : null,
      reason,
      origin,
      request: input.request,
      now,
      grantId: claimedGrantId,
    });
    return refusal(reason);
  };

  if (check.status === "tampered" || check.status === "malformed") return fail("LINK_TAMPERED");
  const { payload } = check;
  if (
    !grant ||
    grant.userId !== user.id ||
    grant.licenseOwnerId !== user.id ||
    payload.userId !== user.id ||
    payload.licenseId !== grant.licenseId
  ) {
    return fail("NOT_OWNER");
  }
  const refused = licenseRefusal(
    user,
    {
      id: grant.licenseId,
      userId: grant.licenseOwnerId,
      productId: grant.productId,
      status: grant.licenseStatus,
      expiresAt: grant.licenseExpiresAt,
      resetAt: null,
      ownerStatus: grant.ownerStatus,
      fileKey: grant.fileKey,
    },
    device,
    now,
  );
  if (refused) return fail(refused);

  const firstUse =
    grant.status === "GRANTED" &&
    check.status === "valid" &&
    grant.grantExpiresAt !== null &&
    grant.grantExpiresAt > now;
  const resume =
    grant.status === "COMPLETED" &&
    grant.redeemedAt !== null &&
    grant.redeemedAt.getTime() > now.getTime() - RESUME_WINDOW_MS;
  if (!firstUse && !resume) return fail("LINK_EXPIRED");

  const head = await files.head(grant.fileKey!);
  if (!head) return fail("FILE_MISSING");
  const etag = head.httpEtag;
  const common: Record<string, string> = {
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
    "Accept-Ranges": "bytes",
    ETag: etag,
    "Last-Modified": head.uploaded.toUTCString(),
  };

  // Nothing is sent for a 304 or a 416, so neither redeems the grant.
  if (noneMatch(input.headers.ifNoneMatch, etag)) {
    return { ok: true, status: 304, headers: common, body: null };
  }
  const decision = ifRangeHolds(input.headers.ifRange, etag, head.uploaded)
    ? parseRange(input.headers.range, head.size)
    : ({ kind: "full" } as const);
  if (decision.kind === "unsatisfiable") {
    return {
      ok: true,
      status: 416,
      headers: { ...common, "Content-Range": `bytes */${head.size}` },
      body: null,
    };
  }
  const range = decision.kind === "partial" ? decision.range : null;
  const fileHeaders = (length: number) => ({
    ...common,
    "Content-Type":
      grant.fileContentType ?? head.httpMetadata?.contentType ?? "application/octet-stream",
    "Content-Disposition": attachmentDisposition(grant.fileName ?? "download"),
    "Content-Length": String(length),
    ...(range ? { "Content-Range": contentRange(range, head.size) } : {}),
  });
  if (input.headers.headOnly) {
    return {
      ok: true,
      status: range ? 206 : 200,
      headers: fileHeaders(range ? range.length : head.size),
      body: null,
    };
  }
  const object = await files.get(grant.fileKey!, range ? { range } : undefined);
  if (!object) return fail("FILE_MISSING");
  const length = range ? range.length : object.size;

  try {
    if (firstUse) {
      await db.batch(
        redemptionStatements(db, {
          user,
          grant,
          origin,
          bytes: length,
          size: head.size,
          range,
          request: input.request,
          now,
        }),
      );
    } else {
      // A resume: its own `downloads` row (pointing at the grant it resumes, so it never
      // counts against the quota or the abuse check) and its audit row, in one batch.
      const resumeId = createId();
      await db.batch([
        db.insert(downloads).values({
          id: resumeId,
          licenseId: grant.licenseId,
          userId: user.id,
          productId: grant.productId,
          status: "COMPLETED",
          resumeOfId: grant.id,
          grantExpiresAt: grant.grantExpiresAt!,
          redeemedAt: now,
          bytesServed: length,
          ...origin,
          createdAt: now,
        }),
        auditStatement(db, {
          actor: actorOf(user),
          action: "DOWNLOAD_ATTEMPTED",
          entityType: "license",
          entityId: grant.licenseId,
          metadata: {
            grantId: grant.id,
            resume: true,
            downloadId: resumeId,
            ...(range ? { range: contentRange(range, head.size) } : {}),
          },
          request: input.request,
          at: now,
        }),
      ]);
    }
  } catch (error) {
    await object.body.cancel();
    throw error;
  }

  return { ok: true, status: range ? 206 : 200, headers: fileHeaders(length), body: object.body };
}

// ---- History: /account/downloads and the license page -----------------------------------

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
