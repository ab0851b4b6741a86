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
  abuseDistinctLimit,
  abuseReasonText,
  DOWNLOAD_WINDOW_MS,
  downloadRefusal,
  isResumeShape,
  resumeByteCap,
  resumeRefusal,
  RESUME_WINDOW_MS,
  sameOrigin,
  type DownloadFailure,
  type DownloadRefusal,
} from "~/domain/downloads/quota";
import {
  answerFileRequest,
  contentRange,
  ifRangeHolds,
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

/** All the bytes a grant has served: its redemption and every resume of it. */
const servedOnGrant = (grantId: string) =>
  sql`(select coalesce(sum(s."bytes_served"), 0) from "downloads" s where (s."id" = ${grantId} or s."resume_of_id" = ${grantId}) and s."status" = 'COMPLETED')`;

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
        // Who redeemed it (the redemption writes its origin onto the grant row).
        ipHash: downloads.ipHash,
        deviceFingerprint: downloads.deviceFingerprint,
        bytesServed: sql<number>`${servedOnGrant(grantId)}`
          .mapWith(Number)
          .as("grant_bytes_served"),
        // Aliased: in a batch, joined columns with the same name would overwrite each other.
        licenseOwnerId: sql<string>`${licenses.userId}`.as("license_owner_id"),
        licenseStatus: sql<LicenseStatus>`${licenses.status}`.as("license_status"),
        // Seats: the abuse check allows more distinct IPs and devices to a TEAM license.
        licenseSeats: sql<number>`${licenses.maxUsers}`.mapWith(Number).as("license_seats"),
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
  grant: {
    id: string;
    licenseId: string;
    productId: string;
    grantExpiresAt: Date | null;
    licenseSeats: number;
  };
  origin: AttemptOrigin;
  bytes: number;
  size: number;
  range: ByteRange | null;
  request: AuditRequestInfo;
  now: Date;
}

/**
 * The abuse check over the downloads of the window, redemptions and resumes alike (a resume
 * from a new IP of the redeeming device is a new IP): audit and staff emails are written only
 * when the license is about to be flagged; the flag itself comes last so their conditions still
 * see abuse_detected = 0.
 */
function abuseStatements(db: Database, input: Redemption) {
  const { grant, now } = input;
  const nowMs = now.getTime();
  const since = sql`max(${nowMs - DOWNLOAD_WINDOW_MS}, coalesce((select l3."abuse_detected_at" from "licenses" l3 where l3."id" = ${grant.licenseId}), 0))`;
  const distinct = (column: string) =>
    sql`(select count(distinct d.${sql.identifier(column)}) from "downloads" d where d."license_id" = ${grant.licenseId} and d."status" = 'COMPLETED' and d."redeemed_at" > ${since} and d.${sql.identifier(column)} is not null)`;
  // The limit scales with the license's seats (ADR 0004): 3 per seat.
  const limit = abuseDistinctLimit(grant.licenseSeats);
  const abusive = sql`exists (select 1 from "licenses" l4 where l4."id" = ${grant.licenseId} and l4."abuse_detected" = 0 and l4."status" = 'ACTIVE') and (${distinct("ip_hash")} > ${limit} or ${distinct("device_fingerprint")} > ${limit})`;
  const abuseReason = abuseReasonText(grant.licenseSeats);
  return {
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
          distinctLimit: abuseDistinctLimit(grant.licenseSeats),
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
 * The statements that redeem a grant, in one batch: DOWNLOAD_SUCCEEDED and the product's
 * download count (only if the grant is still redeemable at this point of the batch), the
 * GRANTED → COMPLETED update, and the abuse check.
 */
function redemptionStatements(db: Database, input: Redemption) {
  const { grant, now } = input;
  const nowMs = now.getTime();
  const redeemable = sql`exists (select 1 from "downloads" r where r."id" = ${grant.id} and r."status" = 'GRANTED' and r."grant_expires_at" > ${nowMs})`;

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
    ...abuseStatements(db, input),
  };
}

/**
 * A resume: its own `downloads` row (pointing at the grant it resumes, so it never counts
 * against the quota; the abuse check does see it), its audit row and the abuse check, in one
 * batch. The row is one conditional INSERT that reserves its bytes: it is written only while
 * the grant is redeemed, within its 24 hours, redeemed from this device or IP hash (the rule
 * of `sameOrigin`), and the bytes of the grant stay within the cap — so parallel resumes can
 * never serve more than the cap between them. Nothing else is written when it is not.
 */
function resumeStatements(db: Database, input: Redemption) {
  const { grant, now, origin } = input;
  const resumeId = createId();
  const sameDevice = sql`((g."device_fingerprint" is not null and g."device_fingerprint" = ${origin.deviceFingerprint}) or (g."ip_hash" is not null and g."ip_hash" = ${origin.ipHash}) or (g."ip_hash" is null and g."device_fingerprint" is null and ${origin.ipHash} is null and ${origin.deviceFingerprint} is null))`;
  const resumable = sql`exists (select 1 from "downloads" g where g."id" = ${grant.id} and g."status" = 'COMPLETED' and g."redeemed_at" > ${now.getTime() - RESUME_WINDOW_MS} and ${sameDevice}) and ${servedOnGrant(grant.id)} + ${input.bytes} <= ${resumeByteCap(input.size)}`;
  const resumed = sql`exists (select 1 from "downloads" w where w."id" = ${resumeId})`;
  return {
    resumed: insertWhen(
      db,
      downloads,
      db.insert(downloads).values({
        id: resumeId,
        licenseId: grant.licenseId,
        userId: input.user.id,
        productId: grant.productId,
        status: "COMPLETED",
        resumeOfId: grant.id,
        grantExpiresAt: grant.grantExpiresAt!,
        redeemedAt: now,
        bytesServed: input.bytes,
        ...origin,
        createdAt: now,
      }),
      resumable,
    ).returning({ id: downloads.id }),
    audit: insertWhen(
      db,
      auditLogs,
      auditStatement(db, {
        actor: actorOf(input.user),
        action: "DOWNLOAD_ATTEMPTED",
        entityType: "license",
        entityId: grant.licenseId,
        metadata: {
          grantId: grant.id,
          resume: true,
          downloadId: resumeId,
          bytes: input.bytes,
          ...(input.range ? { range: contentRange(input.range, input.size) } : {}),
        },
        request: input.request,
        at: now,
      }),
      resumed,
    ),
    ...abuseStatements(db, input),
  };
}

/**
 * Serve a download link. The token is checked first (tampered: refused, unknown or not the
 * user's: not found); then the grant's state in D1 decides: an unredeemed grant within its
 * 5 minutes is redeemed (counted once); a redeemed one serves resumes for 24 hours — Range
 * requests from the device or IP hash that redeemed it, up to twice the file's bytes in all
 * (ADR 0004) — and refuses anything else as a new download; past that it has expired. The R2
 * body is returned as R2's stream.
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
  // A redeemed grant answers only the device that redeemed it, even for headers.
  if (resume && !sameOrigin(grant, origin)) return fail("RESUME_OTHER_DEVICE");

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
  const length = range ? range.length : head.size;
  const shape = {
    ranged: input.headers.range !== null,
    partial: range !== null,
    ifRangeFailed:
      input.headers.ifRange !== null &&
      !ifRangeHolds(input.headers.ifRange, file.etag, head.uploaded),
  };
  /** Why this request is not a resume of the grant as it stands (null: it is one). */
  const notAResume = (state: {
    ipHash: string | null;
    deviceFingerprint: string | null;
    bytesServed: number;
  }) =>
    resumeRefusal({
      ...shape,
      redeemedBy: state,
      request: origin,
      bytesServed: state.bytesServed,
      length,
      size: head.size,
    });
  if (!firstUse) {
    const refused = notAResume(grant);
    if (refused) return fail(refused);
  }

  const object = await files.get(grant.fileKey!, range ? { range } : undefined);
  if (!object) return fail("FILE_MISSING");
  const served = {
    user,
    grant,
    origin,
    bytes: length,
    size: head.size,
    range,
    request: input.request,
    now,
  };
  let refusedResume: DownloadFailure | null = null;
  try {
    // A parallel request may redeem the grant first: this one is then a resume like any other.
    const redeemed =
      firstUse && (await namedBatch(db, redemptionStatements(db, served))).redeemed.length > 0;
    if (!redeemed && !isResumeShape(shape)) {
      // Another request redeemed it first; a whole file again would be a new download.
      refusedResume = "RESUME_NOT_RANGED";
    } else if (!redeemed) {
      const written = await namedBatch(db, resumeStatements(db, served));
      if (written.resumed.length === 0) {
        // Refused by the conditional INSERT (a parallel resume took the last bytes, or the
        // grant was redeemed elsewhere a moment ago): say why from the grant as it is now.
        const current = await loadGrant(db, grant.id, user.deviceSessionId);
        refusedResume = (current.grant && notAResume(current.grant)) ?? "RESUME_LIMIT";
      }
    }
  } catch (error) {
    await object.body.cancel();
    throw error;
  }
  if (refusedResume) {
    await object.body.cancel();
    return fail(refusedResume);
  }

  return { ok: true, file, answer: { kind: "bytes", range, length }, body: object.body };
}
