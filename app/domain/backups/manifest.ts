import { BACKUP_TRIGGERS } from "#db/schema/enums";
import { refuse, type Result } from "~/domain/refusal";
import { z } from "~/lib/zod";
import { BACKUP_PARTS, type BackupPart } from "./parts";

/**
 * The manifest of a backup (ADR 0008): `backups/<id>/manifest.json`, written last, and the
 * same JSON in `system_backups.manifest` once the backup is COMPLETED. While a backup runs,
 * that column holds a {@link BackupDraft}: the manifest as far as it is written plus the
 * cursor of the next step. Both are parsed with these schemas whenever they are read back,
 * because a restore must not trust a file it did not write a minute ago.
 */
export const BACKUP_FORMAT = 1;

const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, "must be a hex SHA-256");
const count = z.number().int().nonnegative();

/** One gzip NDJSON object in R2. */
export const BackupObjectSchema = z.object({
  key: z.string().min(1),
  rows: count,
  bytes: count,
  sha256: Sha256Schema,
});
export type BackupObject = z.infer<typeof BackupObjectSchema>;

/** Table and column names as SQL identifiers the restore may quote and name in JSON paths. */
const IdentifierSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a plain identifier");

export const BackupTableSchema = z.object({
  name: IdentifierSchema,
  part: z.enum(BACKUP_PARTS),
  /** The table's columns when it was dumped; every line also carries `_rowid_`. */
  columns: z.array(IdentifierSchema).min(1),
  rows: count,
  bytes: count,
  objects: z.array(BackupObjectSchema),
});
export type BackupTable = z.infer<typeof BackupTableSchema>;

/** The product files of the `files` part: an NDJSON listing of `{ key, size, etag, sha256 }`. */
export const FileListingSchema = z.object({
  object: BackupObjectSchema,
  count,
  bytes: count,
});
export type FileListing = z.infer<typeof FileListingSchema>;

/** The database's schema version: the last migration wrangler recorded in `d1_migrations`. */
export const SchemaVersionSchema = z.object({
  version: count,
  migration: z.string().nullable(),
});
export type SchemaVersion = z.infer<typeof SchemaVersionSchema>;

const IncludesSchema = z.object(
  Object.fromEntries(BACKUP_PARTS.map((part) => [part, z.boolean()])) as Record<
    BackupPart,
    z.ZodBoolean
  >,
);

export const BackupManifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  backupId: z.string().min(1),
  trigger: z.enum(BACKUP_TRIGGERS),
  createdAt: z.iso.datetime(),
  completedAt: z.iso.datetime(),
  schema: SchemaVersionSchema,
  includes: IncludesSchema,
  /** In restore order: every table after the tables its foreign keys point at. */
  tables: z.array(BackupTableSchema),
  files: FileListingSchema.nullable(),
  /** Configuration that lives in code (the membership tiers), recorded for the record. */
  config: z.object({ tiers: z.record(z.string(), z.unknown()) }).nullable(),
  totals: z.object({ tables: count, rows: count, objects: count, bytes: count }),
});
export type BackupManifest = z.infer<typeof BackupManifestSchema>;

export const PlannedTableSchema = BackupTableSchema.pick({ name: true, part: true, columns: true });
export type PlannedTable = z.infer<typeof PlannedTableSchema>;

export const BackupDraftSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  state: z.literal("draft"),
  parts: z.array(z.enum(BACKUP_PARTS)).min(1),
  /** The step holding the backup: no other step writes it until `until` (ms) has passed. */
  lease: z.object({ token: z.string().min(1), until: count }).nullable(),
  /** Fixed by the first step: the schema version and the tables in dump order (children first). */
  plan: z.object({ schema: SchemaVersionSchema, tables: z.array(PlannedTableSchema) }).nullable(),
  /** Where the next step starts: index into plan.tables, the last rowid dumped, the segment. */
  cursor: z.object({ table: count, afterRowid: z.number().int().nullable(), segment: count }),
  /** Tables dumped so far, the one in progress included (with the segments closed so far). */
  tables: z.array(BackupTableSchema),
  files: FileListingSchema.nullable(),
});
export type BackupDraft = z.infer<typeof BackupDraftSchema>;

export function newDraft(parts: readonly BackupPart[]): BackupDraft {
  return {
    format: BACKUP_FORMAT,
    state: "draft",
    parts: [...parts],
    lease: null,
    plan: null,
    cursor: { table: 0, afterRowid: null, segment: 1 },
    tables: [],
    files: null,
  };
}

/** `0004_download_resume_records` → 4; a database with no migrations is version 0. */
export function migrationNumber(name: string | null): number {
  const match = name ? /^(\d+)/.exec(name) : null;
  return match ? Number(match[1]) : 0;
}

export function manifestTotals(tables: readonly BackupTable[], files: FileListing | null) {
  const objects = tables.flatMap((table) => table.objects);
  return {
    tables: tables.length,
    rows: tables.reduce((sum, table) => sum + table.rows, 0),
    objects: objects.length + (files ? 1 : 0),
    bytes: objects.reduce((sum, object) => sum + object.bytes, 0) + (files?.object.bytes ?? 0),
  };
}

export type ManifestRefusal = "manifest-unreadable";

/** The manifest as read from R2: valid JSON of the right shape, or a refusal saying why not. */
export function parseManifest(text: string): Result<{ manifest: BackupManifest }, ManifestRefusal> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return refuse("invalid", "manifest-unreadable", "The backup's manifest is not valid JSON.");
  }
  const parsed = BackupManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse(
      "invalid",
      "manifest-unreadable",
      `The backup's manifest is not one this version can read (${issue?.path.join(".") || "manifest"}: ${issue?.message ?? "invalid"}).`,
    );
  }
  const manifest = parsed.data;
  const totals = manifestTotals(manifest.tables, manifest.files);
  const tableRowsAddUp = manifest.tables.every(
    (table) => table.objects.reduce((sum, object) => sum + object.rows, 0) === table.rows,
  );
  if (!tableRowsAddUp || totals.rows !== manifest.totals.rows) {
    return refuse(
      "invalid",
      "manifest-unreadable",
      "The backup's manifest contradicts itself: its row counts do not add up.",
    );
  }
  return { ok: true, manifest };
}
