import { createId } from "@paralleldrive/cuid2";
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "#db/client";
import {
  auditLogs,
  digitalProducts,
  downloads,
  licenses,
  users,
  type LicenseStatus,
} from "#db/schema";
import { licenseAbuseEmail } from "~/domain/email/templates";
import {
  ABUSE_DISTINCT_LIMIT,
  DOWNLOAD_WINDOW_MS,
  downloadRefusal,
  RESUME_WINDOW_MS,
  type DownloadFailure,
  type DownloadRefusal,
} from "~/domain/downloads/quota";
import {
  answerFileRequest,
  contentRange,
  type ByteRange,
  type FileAnswer,
  type FileRequestConditions,
} from "~/domain/downloads/range";
import { checkDownloadToken } from "~/lib/download-token.server";
import { auditStatement, type AuditRequestInfo } from "../audit.server";
import { insertWhen } from "../conditional-insert.server";
import { queueEmail } from "../email-outbox.server";
import { namedBatch } from "../named-batch.server";
import {
  actorOf,
  deviceStatement,
  licenseRefusal,
  originOf,
  ownerEmailColumns,
  recordFailure,
  unverifiedDownload,
  type AttemptOrigin,
  type DownloadDeps,
  type Downloader,
  type UnverifiedDownload,
} from "./attempts.server";

/**
 * Delivery of a download link (GET /downloads/:token, docs/architecture.md §8): the signed link is
 * checked, the grant redeemed once (abuse flagged in the same batch), and R2's object handed
 * back as is, never buffered. What the response looks like (status, headers) is the route's
 * business: this says what to send.
 */

export interface DownloadRequest extends FileRequestConditions {
  /** HEAD: headers only; nothing is sent, so nothing is redeemed. */
  headOnly?: boolean;
}

/** The stored file a link serves. */
export interface DownloadFile {
  fileName: string;
  contentType: string;
  etag: string;
  lastModified: Date;
  size: number;
}

export type DownloadDelivery =
  | DownloadRefusal
  | UnverifiedDownload
  | {
      ok: true;
      file: DownloadFile;
      /** Nothing (the copy is current), nothing (a range past the end), or these bytes. */
      answer: FileAnswer;
      /** R2's own stream, to hand to the Response untouched; null when nothing is sent. */
      body: ReadableStream | null;
    };

async function loadGrant(db: Database, grantId: string, deviceSessionId: string | null) {
  const read = await namedBatch(db, {
    grant: db
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
        ...ownerEmailColumns(),
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
    device: deviceStatement(db, deviceSessionId),
  });
  return { grant: read.grant[0] ?? null, device: read.device[0] ?? null };
}

interface Redemption {
  user: Downloader;
  grant: { id: string; licenseId: string; productId: string; grantExpiresAt: Date | null };
  origin: AttemptOrigin;
  bytes: number;
  size: number;
  range: ByteRange | null;
  request: AuditRequestInfo;
  now: Date;
}

/**
 * The statements that redeem a grant, in one batch: DOWNLOAD_SUCCEEDED and the product's
 * download count (only if the grant is still redeemable at this point of the batch), the
 * GRANTED → COMPLETED update, and the abuse check over the redeemed downloads of the window.
 */
function redemptionStatements(db: Database, input: Redemption) {
  const { grant, now } = input;
  const nowMs = now.getTime();
  const redeemable = sql`exists (select 1 from "downloads" r where r."id" = ${grant.id} and r."status" = 'GRANTED' and r."grant_expires_at" > ${nowMs})`;
  const since = sql`max(${nowMs - DOWNLOAD_WINDOW_MS}, coalesce((select l3."abuse_detected_at" from "licenses" l3 where l3."id" = ${grant.licenseId}), 0))`;
  const distinct = (column: string) =>
    sql`(select count(distinct d.${sql.identifier(column)}) from "downloads" d where d."license_id" = ${grant.licenseId} and d."status" = 'COMPLETED' and d."resume_of_id" is null and d."redeemed_at" > ${since} and d.${sql.identifier(column)} is not null)`;
  const abusive = sql`exists (select 1 from "licenses" l4 where l4."id" = ${grant.licenseId} and l4."abuse_detected" = 0 and l4."status" = 'ACTIVE') and (${distinct("ip_hash")} > ${ABUSE_DISTINCT_LIMIT} or ${distinct("device_fingerprint")} > ${ABUSE_DISTINCT_LIMIT})`;
  const abuseReason = `More than ${ABUSE_DISTINCT_LIMIT} different IP addresses or devices downloaded this license within 14 days.`;

  return {
    succeeded: insertWhen(
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
    counted: db
      .update(digitalProducts)
      .set({ downloadCount: sql`${digitalProducts.downloadCount} + 1` })
      .where(and(eq(digitalProducts.id, grant.productId), redeemable)),
    redeemed: db
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
    abuseAudit: insertWhen(
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
    abuseEmails: queueEmail(
      db,
      {
        to: { activeRoles: ["MODERATOR", "ADMIN", "OWNER"] },
        ...licenseAbuseEmail({
          licenseId: grant.licenseId,
          distinctLimit: ABUSE_DISTINCT_LIMIT,
        }),
        dedupeKey: `license-abuse:${grant.licenseId}:${nowMs}`,
        at: now,
      },
      { when: abusive },
    ),
    flagged: db
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
  };
}

/**
 * A resume: its own `downloads` row (pointing at the grant it resumes, so it never counts
 * against the quota or the abuse check) and its audit row.
 */
function resumeStatements(db: Database, input: Redemption) {
  const { grant, now } = input;
  const resumeId = createId();
  return {
    resumed: db.insert(downloads).values({
      id: resumeId,
      licenseId: grant.licenseId,
      userId: input.user.id,
      productId: grant.productId,
      status: "COMPLETED",
      resumeOfId: grant.id,
      grantExpiresAt: grant.grantExpiresAt!,
      redeemedAt: now,
      bytesServed: input.bytes,
      ...input.origin,
      createdAt: now,
    }),
    audit: auditStatement(db, {
      actor: actorOf(input.user),
      action: "DOWNLOAD_ATTEMPTED",
      entityType: "license",
      entityId: grant.licenseId,
      metadata: {
        grantId: grant.id,
        resume: true,
        downloadId: resumeId,
        ...(input.range ? { range: contentRange(input.range, input.size) } : {}),
      },
      request: input.request,
      at: now,
    }),
  };
}

/**
 * Serve a download link. The token is checked first (tampered: refused, unknown or not the
 * user's: not found); then the grant's state in D1 decides: an unredeemed grant within its
 * 5 minutes is redeemed (counted once), a redeemed one serves resumes for 24 hours, anything
 * else has expired. The R2 body is returned as R2's stream.
 */
export async function openDownload(
  deps: DownloadDeps & { files: R2Bucket },
  input: {
    user: Downloader;
    token: string;
    headers: DownloadRequest;
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
    return downloadRefusal(reason);
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
  const unverified = unverifiedDownload(user, { ownerId: grant.licenseOwnerId, ...grant });
  if (unverified) return unverified;
  const refused = licenseRefusal(
    user,
    {
      id: grant.licenseId,
      userId: grant.licenseOwnerId,
      productId: grant.productId,
      status: grant.licenseStatus,
      expiresAt: grant.licenseExpiresAt,
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
  const file: DownloadFile = {
    fileName: grant.fileName ?? "download",
    contentType:
      grant.fileContentType ?? head.httpMetadata?.contentType ?? "application/octet-stream",
    etag: head.httpEtag,
    lastModified: head.uploaded,
    size: head.size,
  };
  const answer = answerFileRequest(input.headers, {
    etag: file.etag,
    uploaded: head.uploaded,
    size: file.size,
  });
  // Nothing is sent for a HEAD, an unchanged copy or an unsatisfiable range: none redeems.
  if (answer.kind !== "bytes" || input.headers.headOnly) {
    return { ok: true, file, answer, body: null };
  }
  const { range } = answer;
  const object = await files.get(grant.fileKey!, range ? { range } : undefined);
  if (!object) return fail("FILE_MISSING");
  const length = range ? range.length : object.size;

  try {
    const redemption = {
      user,
      grant,
      origin,
      bytes: length,
      size: head.size,
      range,
      request: input.request,
      now,
    };
    await namedBatch(
      db,
      firstUse ? redemptionStatements(db, redemption) : resumeStatements(db, redemption),
    );
  } catch (error) {
    await object.body.cancel();
    throw error;
  }

  return { ok: true, file, answer: { kind: "bytes", range, length }, body: object.body };
}
