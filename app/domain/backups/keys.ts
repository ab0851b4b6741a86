/**
 * Where a backup lives in R2 (ADR 0008): everything under `backups/<id>/`, one gzip NDJSON
 * object per table (a table too large for one step continues in `<table>.2.ndjson.gz`, …),
 * the product file listing, and `manifest.json`, written last.
 */
export const BACKUPS_PREFIX = "backups/";

export const backupPrefix = (backupId: string) => `${BACKUPS_PREFIX}${backupId}/`;

export const manifestKey = (backupId: string) => `${backupPrefix(backupId)}manifest.json`;

/** Segment 1 is `<table>.ndjson.gz`; later segments of the same table are numbered. */
export const tableObjectKey = (backupId: string, table: string, segment: number) =>
  `${backupPrefix(backupId)}${table}${segment > 1 ? `.${segment}` : ""}.ndjson.gz`;

export const fileListingKey = (backupId: string) => `${backupPrefix(backupId)}files.ndjson.gz`;
