import { createDb } from "#db/client";
import { fileListingKey, manifestKey } from "~/domain/backups/keys";
import {
  parseManifest,
  type BackupManifest,
  type BackupObject,
  type ManifestRefusal,
  type SchemaVersion,
} from "~/domain/backups/manifest";
import { BACKUP_PARTS, PRODUCT_FILE_PREFIXES, type BackupPart } from "~/domain/backups/parts";
import {
  checkRestoreTarget,
  type RestoreTargetRefusal,
  type TargetDatabase,
} from "~/domain/backups/restore-checks";
import { dependencyOrder } from "~/domain/backups/table-order";
import { refuse, type Result } from "~/domain/refusal";
import { recordAudit, type AuditActor } from "../audit.server";
import { digestObject, readGzipNdjson, readGzipNdjsonLines } from "../gzip-ndjson.server";
import { checkLedgers, LEDGER_CHECK_GROUP } from "../ledger.server";
import type { ListedFile } from "./backup-runs.server";
import { describeDatabase, quoteIdentifier, type TableDescription } from "./database-schema.server";

/**
 * Restoring a backup (docs/architecture.md §11, ADR 0008). Everything is checked before
 * anything is written: the manifest parses and names this backup, every object's bytes match
 * its size and SHA-256, the schema is not newer than the target's, every table exists with the
 * backup's columns, and (for a real restore) every one of them is empty. Then the tables are
 * inserted in foreign-key order, rows in rowid order (keeping their rowids), a JSON array of
 * rows per statement (one bound parameter), statements batched; each object is read again
 * only if its ETag is the one that was verified. Afterwards every table's row count is compared with the manifest and the
 * ledger invariant is checked for every membership.
 *
 * The dry run stops after the checks and reports what would be restored.
 */

export interface RestoreDeps {
  /** The database to restore into (a real restore needs every table of the backup empty). */
  d1: D1Database;
  /** The bucket holding `backups/<id>/`. */
  files: R2Bucket;
}

/** JSON per insert statement (its one bound parameter; D1 takes strings up to 2 MB). */
const INSERT_JSON_BYTES = 256 * 1024;
/** Insert statements per `d1.batch` (one transaction, one round trip). */
const BATCH_STATEMENTS = 4;
/** How many keys a report names (it counts all of them). */
const NAMED = 20;

export type RestoreRefusal = "not-found" | "corrupted" | ManifestRefusal | RestoreTargetRefusal;

export interface FilesCheck {
  listed: number;
  present: number;
  missing: number;
  changed: number;
  /** The first few missing or changed keys. */
  problems: string[];
}

export interface RestorePlan {
  backupId: string;
  trigger: BackupManifest["trigger"];
  createdAt: string;
  schema: SchemaVersion;
  targetSchema: SchemaVersion;
  includes: BackupPart[];
  /** In the order a restore inserts them. */
  tables: Array<{
    name: string;
    part: BackupPart;
    rows: number;
    bytes: number;
    objects: BackupObject[];
  }>;
  totals: BackupManifest["totals"];
  /** Every object matched its size and SHA-256 (a plan exists only then). */
  verifiedObjects: number;
  files: FilesCheck | null;
  /** Tables of the backup that hold rows in the target (a real restore needs none). */
  nonEmpty: string[];
}

interface Verified {
  plan: RestorePlan;
  manifest: BackupManifest;
  etags: Map<string, string>;
  target: Map<string, TableDescription>;
}

async function verify(
  deps: RestoreDeps,
  input: { backupId: string; requireEmpty: boolean },
): Promise<Result<Verified, RestoreRefusal>> {
  const stored = await deps.files.get(manifestKey(input.backupId));
  if (!stored) {
    return refuse("not-found", "not-found", `There is no backup ${input.backupId} in this bucket.`);
  }
  const parsed = parseManifest(await stored.text());
  if (!parsed.ok) return parsed;
  const { manifest } = parsed;
  if (manifest.backupId !== input.backupId) {
    return refuse(
      "invalid",
      "manifest-unreadable",
      `The manifest under backup ${input.backupId} describes backup ${manifest.backupId}.`,
    );
  }

  // Every byte first: a damaged backup is refused before the target is even looked at.
  const objects = [
    ...manifest.tables.flatMap((table) => table.objects),
    ...(manifest.files ? [manifest.files.object] : []),
  ];
  const etags = new Map<string, string>();
  const damaged: string[] = [];
  for (const object of objects) {
    const digest = await digestObject(deps.files, object.key);
    if (!digest) damaged.push(`${object.key} is missing`);
    else if (digest.bytes !== object.bytes || digest.sha256 !== object.sha256) {
      damaged.push(
        `${object.key} does not match its SHA-256 (${digest.bytes} bytes, expected ${object.bytes})`,
      );
    } else etags.set(object.key, digest.etag);
  }
  if (damaged.length > 0) {
    return refuse(
      "invalid",
      "corrupted",
      `The backup is damaged, nothing was restored: ${damaged.slice(0, 3).join("; ")}${damaged.length > 3 ? ` (and ${damaged.length - 3} more)` : ""}.`,
    );
  }

  const description = await describeDatabase(deps.d1);
  const target = new Map(description.tables.map((table) => [table.name, table]));
  const nonEmpty = await tablesWithRows(
    deps.d1,
    manifest.tables.map((table) => table.name).filter((name) => target.has(name)),
  );
  const targetDatabase: TargetDatabase = {
    version: description.schema.version,
    migration: description.schema.migration,
    tables: new Map(description.tables.map((table) => [table.name, table.columns])),
    nonEmpty,
  };
  const fits = checkRestoreTarget(manifest, targetDatabase, { requireEmpty: input.requireEmpty });
  if (!fits.ok) return fits;

  const order = dependencyOrder(
    manifest.tables.map((table) => ({
      name: table.name,
      references: target.get(table.name)?.references ?? [],
    })),
  );
  const byName = new Map(manifest.tables.map((table) => [table.name, table]));
  return {
    ok: true,
    manifest,
    etags,
    target,
    plan: {
      backupId: manifest.backupId,
      trigger: manifest.trigger,
      createdAt: manifest.createdAt,
      schema: manifest.schema,
      targetSchema: description.schema,
      includes: BACKUP_PARTS.filter((part) => manifest.includes[part]),
      tables: order.map((name) => {
        const { part, rows, bytes, objects } = byName.get(name)!;
        return { name, part, rows, bytes, objects };
      }),
      totals: manifest.totals,
      verifiedObjects: objects.length,
      files: manifest.files ? await checkFiles(deps.files, manifest) : null,
      nonEmpty,
    },
  };
}

/** Which of `tables` hold at least one row: one statement (one row, a column per table). */
async function tablesWithRows(d1: D1Database, tables: readonly string[]): Promise<string[]> {
  const row = await perTable(d1, tables, (table) => `EXISTS (SELECT 1 FROM ${table})`);
  return tables.filter((table) => row[table] === 1).sort();
}

/**
 * One value per table in a single statement: `SELECT (…) AS "a", (…) AS "b"`. (D1 caps compound
 * SELECTs at a handful of terms, so no UNION ALL.)
 */
async function perTable(
  d1: D1Database,
  tables: readonly string[],
  expression: (quotedTable: string) => string,
): Promise<Record<string, unknown>> {
  if (tables.length === 0) return {};
  const columns = tables.map(
    (table) => `(${expression(quoteIdentifier(table))}) AS ${quoteIdentifier(table)}`,
  );
  return (await d1.prepare(`SELECT ${columns.join(", ")}`).first<Record<string, unknown>>()) ?? {};
}

/** The listed product objects against the bucket now: which are gone or different. */
async function checkFiles(files: R2Bucket, manifest: BackupManifest): Promise<FilesCheck> {
  const listing = await files.get(fileListingKey(manifest.backupId));
  const listed = new Map<string, ListedFile>();
  if (listing) {
    for await (const line of readGzipNdjson(listing.body)) {
      const file = line as ListedFile;
      listed.set(file.key, file);
    }
  }
  const check: FilesCheck = {
    listed: listed.size,
    present: 0,
    missing: 0,
    changed: 0,
    problems: [],
  };
  const seen = new Set<string>();
  for (const prefix of PRODUCT_FILE_PREFIXES) {
    let cursor: string | undefined;
    do {
      const page = await files.list({ prefix, cursor, limit: 1000 });
      for (const object of page.objects) {
        const file = listed.get(object.key);
        if (!file) continue;
        seen.add(object.key);
        if (file.size === object.size && file.etag === object.etag) check.present += 1;
        else {
          check.changed += 1;
          if (check.problems.length < NAMED) check.problems.push(`${object.key} changed`);
        }
      }
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  }
  for (const key of listed.keys()) {
    if (seen.has(key)) continue;
    check.missing += 1;
    if (check.problems.length < NAMED) check.problems.push(`${key} is missing`);
  }
  return check;
}

/** What a restore would do, every check made, nothing written. */
export async function dryRunRestore(
  deps: RestoreDeps,
  input: { backupId: string },
): Promise<Result<{ plan: RestorePlan }, RestoreRefusal>> {
  const verified = await verify(deps, { backupId: input.backupId, requireEmpty: false });
  if (!verified.ok) return verified;
  return { ok: true, plan: verified.plan };
}

export interface RestoreChecks {
  ok: boolean;
  counts: Array<{ table: string; expected: number; actual: number }>;
  ledger: { memberships: number; failures: Array<{ membershipId: string; problems: string[] }> };
}

export interface RestoreOutcome {
  plan: RestorePlan;
  rows: number;
  statements: number;
  checks: RestoreChecks;
}

/**
 * Restore into an empty database. Refusals come before the first write; an error after it
 * (a row the target's constraints refuse) leaves a partly restored database: start again
 * from an empty one.
 */
export async function restoreBackup(
  deps: RestoreDeps,
  input: {
    backupId: string;
    actor: AuditActor | null;
    now: Date;
    onTable?: (table: string, rows: number) => void;
  },
): Promise<Result<RestoreOutcome, RestoreRefusal>> {
  const verified = await verify(deps, { backupId: input.backupId, requireEmpty: true });
  if (!verified.ok) return verified;
  const { plan, manifest, etags } = verified;

  let rows = 0;
  let statements = 0;
  for (const table of plan.tables) {
    const columns = manifest.tables.find((entry) => entry.name === table.name)!.columns;
    const inserted = await insertTable(deps, {
      table: table.name,
      columns,
      objects: table.objects,
      etags,
    });
    rows += inserted.rows;
    statements += inserted.statements;
    input.onTable?.(table.name, inserted.rows);
  }

  const checks = await checkRestored(deps.d1, plan);
  await recordAudit(createDb(deps.d1), {
    actor: input.actor,
    action: "BACKUP_RESTORED",
    entityType: "backup",
    entityId: plan.backupId,
    metadata: {
      trigger: plan.trigger,
      takenAt: plan.createdAt,
      schemaVersion: plan.schema.version,
      tables: plan.tables.length,
      rows,
      countsMatch: checks.counts.every((count) => count.expected === count.actual),
      ledgerFailures: checks.ledger.failures.length,
    },
    at: input.now,
  });
  return { ok: true, plan, rows, statements, checks };
}

/**
 * One table's objects into the target. Lines go on as they are, as a JSON array of up to
 * {@link INSERT_JSON_BYTES} per statement that SQLite unpacks with `json_each`: one bound
 * parameter per statement however wide the table, each value typed as its JSON is (integers,
 * text, null), and a few statements per thousand rows instead of one per eight.
 */
async function insertTable(
  deps: RestoreDeps,
  input: {
    table: string;
    columns: readonly string[];
    objects: readonly BackupObject[];
    etags: ReadonlyMap<string, string>;
  },
) {
  const columns = ["_rowid_", ...input.columns];
  const insert = deps.d1.prepare(
    `INSERT INTO ${quoteIdentifier(input.table)} (${columns.map(quoteIdentifier).join(", ")})
     SELECT ${columns.map((column) => `json_extract(value, '$."${column}"')`).join(", ")}
     FROM json_each(?)`,
  );

  let statements = 0;
  let rows = 0;
  let pendingLines: string[] = [];
  let pendingBytes = 0;
  let pendingStatements: D1PreparedStatement[] = [];
  const flushLines = () => {
    if (pendingLines.length === 0) return;
    pendingStatements.push(insert.bind(`[${pendingLines.join(",")}]`));
    pendingLines = [];
    pendingBytes = 0;
  };
  const flushStatements = async () => {
    if (pendingStatements.length === 0) return;
    await deps.d1.batch(pendingStatements);
    statements += pendingStatements.length;
    pendingStatements = [];
  };

  for (const object of input.objects) {
    const etag = input.etags.get(object.key)!;
    const stored = await deps.files.get(object.key, { onlyIf: { etagMatches: etag } });
    if (!stored || !("body" in stored)) {
      throw new Error(
        `${object.key} changed after it was verified; restore into an empty database again`,
      );
    }
    let objectRows = 0;
    for await (const line of readGzipNdjsonLines(stored.body)) {
      if (!line.startsWith("{")) throw new Error(`A line of ${object.key} is not a row object`);
      if (pendingBytes + line.length > INSERT_JSON_BYTES) flushLines();
      if (pendingStatements.length === BATCH_STATEMENTS) await flushStatements();
      pendingLines.push(line);
      pendingBytes += line.length + 1;
      objectRows += 1;
    }
    if (objectRows !== object.rows) {
      throw new Error(`${object.key} holds ${objectRows} rows; its manifest says ${object.rows}`);
    }
    rows += objectRows;
  }
  flushLines();
  await flushStatements();
  return { rows, statements };
}

async function checkRestored(d1: D1Database, plan: RestorePlan): Promise<RestoreChecks> {
  const actual = await perTable(
    d1,
    plan.tables.map((table) => table.name),
    (table) => `SELECT count(*) FROM ${table}`,
  );
  const counts = plan.tables.map((table) => ({
    table: table.name,
    expected: table.rows,
    actual: Number(actual[table.name] ?? 0),
  }));

  const failures: RestoreChecks["ledger"]["failures"] = [];
  let memberships = 0;
  if (plan.tables.some((table) => table.name === "memberships")) {
    const db = createDb(d1);
    // Every membership, a group at a time (keyset on id): one read and one batch per group.
    let after = "";
    for (;;) {
      const { results } = await d1
        .prepare(`SELECT id FROM memberships WHERE id > ? ORDER BY id LIMIT ?`)
        .bind(after, LEDGER_CHECK_GROUP)
        .all<{ id: string }>();
      if (results.length === 0) break;
      memberships += results.length;
      const checks = await checkLedgers(
        db,
        results.map((row) => row.id),
      );
      for (const [membershipId, check] of checks) {
        if (!check.ok) failures.push({ membershipId, problems: check.problems });
      }
      after = results[results.length - 1]!.id;
    }
  }
  return {
    ok: counts.every((count) => count.expected === count.actual) && failures.length === 0,
    counts,
    ledger: { memberships, failures },
  };
}
