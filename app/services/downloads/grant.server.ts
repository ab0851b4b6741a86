import { createId } from "@paralleldrive/cuid2";
import { eq, sql, type SQL } from "drizzle-orm";
import type { Database } from "#db/client";
import { auditLogs, digitalProducts, downloads, licenses, users } from "#db/schema";
import {
  DOWNLOAD_WINDOW_MS,
  DOWNLOADS_PER_WINDOW,
  downloadRefusal,
  GRANT_TTL_MS,
  type DownloadRefusal,
} from "~/domain/downloads/quota";
import { signDownloadToken } from "~/lib/download-token.server";
import { auditStatement, type AuditRequestInfo } from "../audit.server";
import { insertWhen } from "../conditional-insert.server";
import { namedBatch } from "../named-batch.server";
import {
  actorOf,
  deviceStatement,
  failedAttemptStatements,
  licenseRefusal,
  originOf,
  ownerEmailColumns,
  recordFailure,
  unverifiedDownload,
  type DownloadDeps,
  type Downloader,
  type UnverifiedDownload,
} from "./attempts.server";
import { licenseQuota } from "./history.server";

/**
 * A download grant (POST /account/licenses/:licenseId/download, docs/architecture.md §8): counted
 * by one conditional INSERT, handed out as a signed link that lives 5 minutes.
 */

export type GrantResult =
  | { ok: true; grantId: string; token: string; expiresAt: Date }
  | DownloadRefusal
  | UnverifiedDownload;

/** Rows of `licenseId` that count against the quota at `now` (alias `d`). */
function countingRowsSql(licenseId: string, now: Date): SQL {
  const nowMs = now.getTime();
  return sql`select count(*) from "downloads" d
    where d."license_id" = ${licenseId}
      and d."created_at" > max(${nowMs - DOWNLOAD_WINDOW_MS}, coalesce((select l2."download_window_reset_at" from "licenses" l2 where l2."id" = ${licenseId}), 0))
      and d."resume_of_id" is null
      and (d."status" = 'COMPLETED' or (d."status" = 'GRANTED' and d."grant_expires_at" > ${nowMs}))`;
}

/** License, product file, owner and the requesting device, read together. */
async function loadLicenseForDownload(
  db: Database,
  input: { licenseId: string; deviceSessionId: string | null },
) {
  const read = await namedBatch(db, {
    license: db
      .select({
        id: licenses.id,
        userId: licenses.userId,
        productId: licenses.productId,
        status: licenses.status,
        expiresAt: licenses.expiresAt,
        resetAt: licenses.downloadWindowResetAt,
        ownerStatus: users.accountStatus,
        ...ownerEmailColumns(),
        fileKey: digitalProducts.fileKey,
      })
      .from(licenses)
      .innerJoin(users, eq(users.id, licenses.userId))
      .innerJoin(digitalProducts, eq(digitalProducts.id, licenses.productId))
      .where(eq(licenses.id, input.licenseId))
      .limit(1),
    device: deviceStatement(db, input.deviceSessionId),
  });
  return { license: read.license[0] ?? null, device: read.device[0] ?? null };
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
  const attempt = { user, origin, request: input.request, now };
  if (!license) {
    await recordFailure(db, { ...attempt, license: null, reason: "NOT_OWNER" });
    return downloadRefusal("NOT_OWNER");
  }
  const unverified = unverifiedDownload(user, { ownerId: license.userId, ...license });
  if (unverified) return unverified;
  const refused = licenseRefusal(user, license, device, now);
  if (refused) {
    await recordFailure(db, { ...attempt, license, reason: refused });
    return downloadRefusal(refused);
  }

  const grantId = createId();
  const expiresAt = new Date(now.getTime() + GRANT_TTL_MS);
  const granted = sql`exists (select 1 from "downloads" g where g."id" = ${grantId})`;
  const notGranted = sql`not ${granted}`;
  const failed = failedAttemptStatements(db, { ...attempt, license, reason: "QUOTA_EXCEEDED" });
  const written = await namedBatch(db, {
    grant: insertWhen(
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
    grantAudit: insertWhen(
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
    refusal: insertWhen(db, downloads, failed.row!, notGranted),
    refusalAudit: insertWhen(db, auditLogs, failed.audit, notGranted),
  });

  if (written.grant.length === 0) {
    const quota = await licenseQuota(db, { licenseId, resetAt: license.resetAt, now });
    return downloadRefusal("QUOTA_EXCEEDED", quota.nextFreeAt);
  }
  const token = await signDownloadToken(env.downloadSigningSecret, {
    grantId,
    licenseId,
    userId: user.id,
    expiresAt,
  });
  return { ok: true, grantId, token, expiresAt };
}
