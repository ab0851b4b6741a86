import { createId } from "@paralleldrive/cuid2";
import type { Database } from "#db/client";
import { eq, sql } from "drizzle-orm";
import { deviceSessions, downloads, users, type AccountStatus, type UserRole } from "#db/schema";
import { emailVerificationBlock, type EmailUnverifiedReason } from "~/domain/auth/email-rules";
import type { DownloadFailure } from "~/domain/downloads/quota";
import {
  effectiveLicenseStatus,
  type EffectiveStatus,
  type LicenseStatusFacts,
} from "~/domain/licenses/status";
import type { Refusal } from "~/domain/refusal";
import type { AppEnv } from "~/lib/env.server";
import { auditStatement, type AuditActor, type AuditRequestInfo } from "../audit.server";

/**
 * What the grant (grant.server.ts) and the delivery (deliver.server.ts) of a download share:
 * who is downloading, the checks of ownership, account, device and license, and the FAILED row
 * every refused attempt leaves (docs/architecture.md §8: every attempt is on record).
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

export const actorOf = (user: Downloader): AuditActor => ({ id: user.id, role: user.role });

/** Where a row came from: HMAC'd IP, the device's fingerprint hash, the user agent. */
export interface AttemptOrigin {
  ipHash: string | null;
  deviceFingerprint: string | null;
  userAgent: string | null;
}

export const originOf = (
  request: AuditRequestInfo,
  deviceFingerprint: string | null,
): AttemptOrigin => ({
  ipHash: request.ipHash ?? null,
  deviceFingerprint,
  userAgent: request.userAgent?.slice(0, 400) ?? null,
});

/** The requesting device (blocked or not, its fingerprint), for a batch of reads. */
export function deviceStatement(db: Database, deviceSessionId: string | null) {
  return db
    .select({
      isBlocked: deviceSessions.isBlocked,
      fingerprintHash: deviceSessions.fingerprintHash,
    })
    .from(deviceSessions)
    .where(eq(deviceSessions.id, deviceSessionId ?? ""))
    .limit(1);
}

const LICENSE_FAILURE: Record<Exclude<EffectiveStatus["code"], "VALID">, DownloadFailure> = {
  OWNER_BANNED: "OWNER_BANNED",
  SUSPENDED: "LICENSE_SUSPENDED",
  EXPIRED: "LICENSE_EXPIRED",
  REVOKED: "LICENSE_REVOKED",
};

/** The license as both checks read it, with its owner's status and the product's file. */
export interface LicenseForDownload extends LicenseStatusFacts {
  id: string;
  userId: string;
  productId: string;
  fileKey: string | null;
}

/** Why this user may not download this license now, or null. Ownership is checked first. */
export function licenseRefusal(
  user: Downloader,
  license: LicenseForDownload,
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

/** The license owner's address and whether it is confirmed, aliased for batched reads. */
export const ownerEmailColumns = () => ({
  ownerEmail: sql<string>`${users.email}`.as("owner_email"),
  ownerEmailVerifiedAt: sql`${users.emailVerifiedAt}`
    .mapWith(users.emailVerifiedAt)
    .as("owner_email_verified_at"),
});

/** A download refused because the account has not confirmed its address yet. */
export type UnverifiedDownload = Refusal<EmailUnverifiedReason> & { readonly nextFreeAt: null };

/**
 * An unconfirmed address may not download (grant or link) even its own licenses; this is
 * checked before anything is written, so such a request leaves no row. Someone else's license
 * is left to the ownership check.
 */
export function unverifiedDownload(
  user: Downloader,
  license: { ownerId: string; ownerEmail: string; ownerEmailVerifiedAt: Date | null },
): UnverifiedDownload | null {
  if (license.ownerId !== user.id) return null;
  const refusal = emailVerificationBlock({
    email: license.ownerEmail,
    emailVerifiedAt: license.ownerEmailVerifiedAt,
  });
  return refusal && { ...refusal, nextFreeAt: null };
}

export interface FailedAttempt {
  user: Downloader;
  license: { id: string; productId: string } | null;
  reason: DownloadFailure;
  origin: AttemptOrigin;
  request: AuditRequestInfo;
  now: Date;
  grantId?: string;
}

/** The FAILED row (when the license is known) and its DOWNLOAD_FAILED audit row, for one batch. */
export function failedAttemptStatements(db: Database, input: FailedAttempt) {
  const rowId = createId();
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
  return { row, audit };
}

export async function recordFailure(db: Database, input: FailedAttempt): Promise<void> {
  const { row, audit } = failedAttemptStatements(db, input);
  if (row) await db.batch([row, audit]);
  else await audit;
}
