import { refuse, type Refusal, type RefusalKind } from "~/domain/refusal";
import { formatDateTime } from "~/lib/format";

/**
 * The download rule (docs/architecture.md §8): 3 downloads per license in any rolling 14 days. A grant
 * counts from the moment it is issued; an unredeemed grant stops counting when it expires; an
 * approved reset request makes everything issued before it stop counting.
 *
 * The database enforces the rule (one conditional INSERT in services/downloads/grant.server.ts);
 * these pure functions explain it to people: how many are left and when the next one frees up,
 * and each refusal in words.
 */
export const DOWNLOADS_PER_WINDOW = 3;
export const DOWNLOAD_WINDOW_MS = 14 * 24 * 60 * 60 * 1000;
/** An unredeemed grant (and its link) lives this long. */
export const GRANT_TTL_MS = 5 * 60 * 1000;
/** A redeemed grant keeps serving Range requests (resumes) this long. */
export const RESUME_WINDOW_MS = 24 * 60 * 60 * 1000;
/** All the bytes one grant may serve (its redemption and every resume): twice the file (the RESUME_LIMIT sentence says "twice"). */
export const RESUME_BYTES_FACTOR = 2;
/**
 * More distinct IP hashes or devices than this per seat inside the window flags the license
 * (ADR 0004): a single-user license allows 3, a TEAM license 3 for each of its seats, so every
 * teammate gets what one buyer gets (a desk, a laptop, a home network).
 */
export const ABUSE_DISTINCT_PER_SEAT = 3;

/** The distinct IPs or devices a license with `seats` seats may download from in the window. */
export function abuseDistinctLimit(seats: number): number {
  return ABUSE_DISTINCT_PER_SEAT * Math.max(1, Math.trunc(seats));
}

/** What the audit row, the license and staff read when a license is flagged. */
export function abuseReasonText(seats: number): string {
  const limit = abuseDistinctLimit(seats);
  const perSeat = seats > 1 ? ` (${ABUSE_DISTINCT_PER_SEAT} for each of its ${seats} seats)` : "";
  return `More than ${limit} different IP addresses or devices downloaded this license within 14 days${perSeat}.`;
}

export interface QuotaRow {
  status: "GRANTED" | "COMPLETED" | "FAILED";
  createdAt: Date;
  grantExpiresAt: Date | null;
}

/** Rows before this time never count: the window's start, or the latest approved reset. */
export function windowStart(now: Date, resetAt: Date | null): number {
  return Math.max(now.getTime() - DOWNLOAD_WINDOW_MS, resetAt?.getTime() ?? 0);
}

/**
 * When a counting row stops counting: 14 days after it was issued, or, for a grant that was
 * never redeemed, when it expires (whichever comes first). Null when it does not count now.
 */
export function countsUntil(row: QuotaRow, now: Date, resetAt: Date | null): number | null {
  if (row.createdAt.getTime() <= windowStart(now, resetAt)) return null;
  const windowEnd = row.createdAt.getTime() + DOWNLOAD_WINDOW_MS;
  if (row.status === "COMPLETED") return windowEnd;
  if (row.status === "GRANTED" && row.grantExpiresAt && row.grantExpiresAt > now) {
    return Math.min(windowEnd, row.grantExpiresAt.getTime());
  }
  return null;
}

export interface QuotaState {
  used: number;
  left: number;
  /** When one more download becomes possible; null when one is possible now. */
  nextFreeAt: Date | null;
}

export function quotaState(rows: QuotaRow[], now: Date, resetAt: Date | null): QuotaState {
  const ends = rows
    .map((row) => countsUntil(row, now, resetAt))
    .filter((end): end is number => end !== null)
    .sort((a, b) => a - b);
  const used = ends.length;
  const left = Math.max(0, DOWNLOADS_PER_WINDOW - used);
  // With `used` counting rows, one frees up when the (used - limit + 1)-th earliest ends.
  const nextFreeAt = left > 0 ? null : new Date(ends[used - DOWNLOADS_PER_WINDOW]!);
  return { used, left, nextFreeAt };
}

/** Why a download was refused: stored in `downloads.failure_reason` and shown in words. */
export const DOWNLOAD_FAILURES = [
  "QUOTA_EXCEEDED",
  "LICENSE_SUSPENDED",
  "LICENSE_REVOKED",
  "LICENSE_EXPIRED",
  "OWNER_BANNED",
  "ACCOUNT_INACTIVE",
  "DEVICE_BLOCKED",
  "LINK_EXPIRED",
  "LINK_TAMPERED",
  "NOT_OWNER",
  "FILE_MISSING",
  "RESUME_NOT_RANGED",
  "RESUME_OTHER_DEVICE",
  "RESUME_LIMIT",
] as const;
export type DownloadFailure = (typeof DOWNLOAD_FAILURES)[number];

/** What sort of "no" each refusal is (the route turns the kind into its HTTP status). */
const DOWNLOAD_FAILURE_KIND: Record<DownloadFailure, RefusalKind> = {
  QUOTA_EXCEEDED: "limit",
  LICENSE_SUSPENDED: "forbidden",
  LICENSE_REVOKED: "forbidden",
  LICENSE_EXPIRED: "forbidden",
  OWNER_BANNED: "forbidden",
  ACCOUNT_INACTIVE: "forbidden",
  DEVICE_BLOCKED: "forbidden",
  LINK_EXPIRED: "gone",
  LINK_TAMPERED: "forbidden",
  NOT_OWNER: "not-found",
  FILE_MISSING: "not-found",
  RESUME_NOT_RANGED: "gone",
  RESUME_OTHER_DEVICE: "forbidden",
  RESUME_LIMIT: "gone",
};

/** A refused download; a used-up quota says when the next download frees up. */
export type DownloadRefusal = Refusal<DownloadFailure> & { readonly nextFreeAt: Date | null };

export function downloadRefusal(
  reason: DownloadFailure,
  nextFreeAt: Date | null = null,
): DownloadRefusal {
  return {
    ...refuse(DOWNLOAD_FAILURE_KIND[reason], reason, downloadFailureMessage(reason, nextFreeAt)),
    nextFreeAt,
  };
}

/** The sentence a user reads for a refusal. */
export function downloadFailureMessage(reason: DownloadFailure, nextFreeAt?: Date | null): string {
  switch (reason) {
    case "QUOTA_EXCEEDED":
      return nextFreeAt
        ? `You have used all ${DOWNLOADS_PER_WINDOW} downloads of the last 14 days. The next download frees up on ${formatDateTime(nextFreeAt)}.`
        : `You have used all ${DOWNLOADS_PER_WINDOW} downloads of the last 14 days.`;
    case "LICENSE_SUSPENDED":
      return "This license is suspended while we review it, so it can't be downloaded. Contact support to restore it.";
    case "LICENSE_REVOKED":
      return "This license has been revoked (for example after a refund), so the file can no longer be downloaded.";
    case "LICENSE_EXPIRED":
      return "This license has expired, so the file can no longer be downloaded.";
    case "OWNER_BANNED":
    case "ACCOUNT_INACTIVE":
      return "Your account can't download files right now.";
    case "DEVICE_BLOCKED":
      return "This device has been blocked, so it can't download files. Contact support if you think this is a mistake.";
    case "LINK_EXPIRED":
      return "This download link has expired. Links work for 5 minutes: go back to your license and start the download again.";
    case "LINK_TAMPERED":
      return "This download link is not valid: it has been changed or damaged. Start the download again from your license.";
    case "NOT_OWNER":
      return "We couldn't find that download in your account.";
    case "FILE_MISSING":
      return "The file for this product is not available right now. Please contact support.";
    case "RESUME_NOT_RANGED":
      return `This download link has already been used. To download the file again, start a new download from your license (it counts as one of your ${DOWNLOADS_PER_WINDOW} downloads).`;
    case "RESUME_OTHER_DEVICE":
      return `This download was started on another device or network and can only be resumed there. To download the file here, start a new download from your license (it counts as one of your ${DOWNLOADS_PER_WINDOW} downloads).`;
    case "RESUME_LIMIT":
      return `This download link has already sent the file twice over and can't be resumed again. To download it again, start a new download from your license (it counts as one of your ${DOWNLOADS_PER_WINDOW} downloads).`;
  }
}

/** Where a request on a grant came from: HMAC'd IP and the device's fingerprint hash. */
export interface ResumeOrigin {
  ipHash: string | null;
  deviceFingerprint: string | null;
}

/**
 * Whether a request comes from the device that redeemed the grant: the same device
 * fingerprint, or the same IP hash (a laptop that changed networks, a browser without a device
 * session). With neither known on either side (no Cloudflare in front: development, tests)
 * the two cannot be told apart and count as the same. services/downloads/deliver.server.ts
 * states the same rule in SQL.
 */
export function sameOrigin(redeemedBy: ResumeOrigin, request: ResumeOrigin): boolean {
  if (redeemedBy.deviceFingerprint !== null) {
    if (redeemedBy.deviceFingerprint === request.deviceFingerprint) return true;
  }
  if (redeemedBy.ipHash !== null) return redeemedBy.ipHash === request.ipHash;
  return (
    redeemedBy.deviceFingerprint === null &&
    request.ipHash === null &&
    request.deviceFingerprint === null
  );
}

/** The most bytes one grant may serve, redemption and resumes together. */
export const resumeByteCap = (size: number) => RESUME_BYTES_FACTOR * size;

/** What a request asks of a file, as far as telling a resume from a new download goes. */
export interface ResumeShape {
  /** The request sent a Range header. */
  ranged: boolean;
  /** The answer is one byte range (206), not the whole file. */
  partial: boolean;
  /** If-Range was sent and does not hold (the file changed since). */
  ifRangeFailed: boolean;
}

/**
 * A resume asks for a range (`Range`, possibly with `If-Range`); when If-Range says the file
 * changed, the answer is the whole file, and that is still a resume (within the cap). A request
 * without Range, or one answered with the whole file for any other reason (a multi-range), is
 * a new download.
 */
export const isResumeShape = (shape: ResumeShape) =>
  shape.ranged && (shape.partial || shape.ifRangeFailed);

/**
 * Why a request on a redeemed grant is not a resume, or null when it is one: it must come from
 * the device that redeemed the grant (`sameOrigin`), have a resume's shape (`isResumeShape`),
 * and keep the grant's bytes (redemption and resumes) within twice the file. Anything else is a
 * new download, which takes a new grant.
 */
export function resumeRefusal(
  input: ResumeShape & {
    redeemedBy: ResumeOrigin;
    request: ResumeOrigin;
    bytesServed: number;
    length: number;
    size: number;
  },
): DownloadFailure | null {
  if (!sameOrigin(input.redeemedBy, input.request)) return "RESUME_OTHER_DEVICE";
  if (!isResumeShape(input)) return "RESUME_NOT_RANGED";
  if (input.bytesServed + input.length > resumeByteCap(input.size)) return "RESUME_LIMIT";
  return null;
}

/** Short words for the history tables. */
export function downloadOutcomeLabel(
  row: {
    status: "GRANTED" | "COMPLETED" | "FAILED";
    failureReason: string | null;
    grantExpiresAt: string | Date | null;
    resumeOfId?: string | null;
  },
  now: Date,
): string {
  if (row.status === "COMPLETED") return row.resumeOfId ? "Resumed (not counted)" : "Downloaded";
  if (row.status === "GRANTED") {
    return row.grantExpiresAt && new Date(row.grantExpiresAt) > now
      ? "Link issued"
      : "Link expired unused";
  }
  const labels: Record<string, string> = {
    QUOTA_EXCEEDED: "Refused: no downloads left",
    LICENSE_SUSPENDED: "Refused: license suspended",
    LICENSE_REVOKED: "Refused: license revoked",
    LICENSE_EXPIRED: "Refused: license expired",
    OWNER_BANNED: "Refused: account blocked",
    ACCOUNT_INACTIVE: "Refused: account blocked",
    DEVICE_BLOCKED: "Refused: device blocked",
    LINK_EXPIRED: "Refused: link expired",
    LINK_TAMPERED: "Refused: link not valid",
    NOT_OWNER: "Refused: not your license",
    FILE_MISSING: "Refused: file unavailable",
    RESUME_NOT_RANGED: "Refused: link already used",
    RESUME_OTHER_DEVICE: "Refused: resume from another device",
    RESUME_LIMIT: "Refused: resume limit reached",
  };
  return labels[row.failureReason ?? ""] ?? "Refused";
}
