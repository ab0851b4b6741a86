/**
 * Account deletion rules (issue 13 item 7, docs/architecture.md §5): pure values and dates.
 * Services take them from here; pages may import this module (it has no zod).
 */

/** What the person types to confirm. */
export const DELETE_CONFIRMATION = "DELETE";

/** Logging in during this time cancels the deletion; the daily job carries it out after. */
export const DELETION_GRACE_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

export function deletionDueAt(requestedAt: Date): Date {
  return new Date(requestedAt.getTime() + DELETION_GRACE_DAYS * DAY_MS);
}

/** The name an erased account keeps (purchases and ledger rows still point at the row). */
export const ERASED_NAME = "Deleted user";

/** A unique, undeliverable address (RFC 2606 `.invalid`) that keeps `users_email_unique`. */
export function erasedEmail(userId: string): string {
  return `deleted-${userId.toLowerCase()}@deleted.invalid`;
}

/** Not a PHC string, so `verifyPassword` can never accept anything against it. */
export const ERASED_PASSWORD_HASH = "!erased";

/** What personal text is replaced with where the row itself must stay. */
export const ERASED_TEXT = "[erased]";

/** At most this many erasures per run of the daily job; the rest wait for the next day. */
export const ERASURES_PER_RUN = 50;

/** The notice after a log-in that cancelled a pending deletion. */
export const DELETION_CANCELLED_MESSAGE =
  "Your account deletion was cancelled. Welcome back: everything is as you left it.";
