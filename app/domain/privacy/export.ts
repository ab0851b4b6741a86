/**
 * The data export (issue 13 item 6): how often it may run, what the file is called, and how a
 * license key appears in it. Pure; the service streams the rows (services/privacy/export.server.ts).
 */

/** Three exports per hour per account: enough to retry, too few to hammer the database. */
export const EXPORT_RATE_LIMIT = { scope: "data-export", limit: 3, windowMs: 60 * 60 * 1000 };

/** Rows per keyset page while streaming a section: the whole account is never in memory. */
export const EXPORT_PAGE_SIZE = 200;

export function exportFileName(now: Date): string {
  return `studio-store-my-data-${now.toISOString().slice(0, 10)}.json`;
}

/** A key in the export keeps only its last 4 characters, enough to tell keys apart. */
export function maskedKeyForExport(keyLast5: string): string {
  return `•••••-•••••-•••••-•••••-•${keyLast5.slice(-4)}`;
}
