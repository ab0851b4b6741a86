import { createId } from "@paralleldrive/cuid2";
import { and, desc, eq, inArray, lt, sql } from "drizzle-orm";
import { createDb, type Database } from "#db/client";
import { auditLogs, systemBackups, users, type BackupTrigger } from "#db/schema";
import { backupPrefix, fileListingKey, manifestKey, tableObjectKey } from "~/domain/backups/keys";
import {
  BACKUP_FORMAT,
  BackupDraftSchema,
  BackupManifestSchema,
  manifestTotals,
  newDraft,
  type BackupDraft,
  type BackupManifest,
  type FileListing,
  type PlannedTable,
} from "~/domain/backups/manifest";
import {
  BACKUP_PARTS,
  partOfTable,
  PRODUCT_FILE_PREFIXES,
  type BackupPart,
} from "~/domain/backups/parts";
import { dependencyOrder } from "~/domain/backups/table-order";
import { TIERS } from "~/domain/memberships/tiers";
import { refuse, type Result } from "~/domain/refusal";
import { bytesToHex } from "~/lib/encoding";
import { auditStatement, type AuditActor, type AuditRequestInfo } from "../audit.server";
import { insertWhen } from "../conditional-insert.server";
import { GzipNdjsonWriter, MIN_PART_SIZE } from "../gzip-ndjson.server";
import { describeDatabase, quoteIdentifier } from "./database-schema.server";

/**
 * Taking a backup (docs/architecture.md §11, ADR 0008): a resumable job whose state is its
 * `system_backups` row. `startBackup` writes the PENDING row; each `continueBackup` is one
 * step that claims a lease on the row, dumps tables in keyset-paginated chunks as gzip NDJSON
 * into R2 until its budget (D1 statements, wall time) is spent, and commits the cursor, or
 * writes the manifest and marks the backup COMPLETED. A step that throws marks it FAILED,
 * audited, and removes the objects written so far; nothing else ever writes `manifest.json`.
 */

export interface BackupDeps {
  /** The database to back up (a raw binding: the dump is plain SQL over every table). */
  d1: D1Database;
  files: R2Bucket;
}

export interface BackupTuning {
  /** Rows per keyset page: one SELECT with two bound parameters. */
  chunkRows: number;
  /** Multipart part size (R2: at least 5 MiB). */
  partSize: number;
  /**
   * D1 statements a step may issue before it stops at the next chunk boundary. An invocation
   * allows 1,000, and the daily cron shares its invocation with other jobs.
   */
  maxStatements: number;
  /** Wall time after which a step stops at the next chunk boundary (CPU limit: 30 s). */
  maxMs: number;
  /** How long a step holds the backup: longer than any invocation runs. */
  leaseMs: number;
}

export const BACKUP_TUNING: Readonly<BackupTuning> = {
  chunkRows: 1_000,
  partSize: MIN_PART_SIZE,
  maxStatements: 400,
  maxMs: 20_000,
  leaseMs: 15 * 60_000,
};

/** A backup still running a day after it was started is given up (FAILED). */
export const ABANDON_AFTER_MS = 24 * 60 * 60_000;

const RUNNING = ["PENDING", "IN_PROGRESS"] as const;

export interface BackupProgress {
  backupId: string;
  status: "IN_PROGRESS" | "COMPLETED" | "FAILED";
  tablesDone: number;
  tablesTotal: number | null;
  rows: number;
  bytes: number;
  /** D1 statements this step issued. */
  statements: number;
  error?: string;
}

// ---- Starting ---------------------------------------------------------------------------------

export type StartRefusal = "backup-running";

export async function startBackup(
  deps: BackupDeps,
  input: {
    trigger: BackupTrigger;
    parts?: readonly BackupPart[];
    actor: AuditActor | null;
    request?: AuditRequestInfo;
    now: Date;
  },
): Promise<Result<{ backupId: string }, StartRefusal>> {
  const db = createDb(deps.d1);
  await failAbandonedBackups(deps, { now: input.now });
  const parts = input.parts?.length ? input.parts : BACKUP_PARTS;
  const backupId = createId();
  // One backup at a time: the row is written only if none is running (one batch, so two
  // starts racing each other cannot both get in), and its audit row only with it.
  const [, started] = await db.batch([
    insertWhen(
      db,
      systemBackups,
      db.insert(systemBackups).values({
        id: backupId,
        trigger: input.trigger,
        status: "PENDING",
        storagePrefix: backupPrefix(backupId),
        manifest: newDraft(parts),
        createdById: input.actor?.id ?? null,
        createdAt: input.now,
        updatedAt: input.now,
      }),
      sql`NOT EXISTS (SELECT 1 FROM system_backups WHERE status IN ('PENDING', 'IN_PROGRESS'))`,
    ),
    insertWhen(
      db,
      auditLogs,
      auditStatement(db, {
        actor: input.actor,
        action: "BACKUP_STARTED",
        entityType: "backup",
        entityId: backupId,
        metadata: { trigger: input.trigger, parts: [...parts] },
        request: input.request,
        at: input.now,
      }),
      sql`changes() = 1`,
    ).returning({ id: auditLogs.id }),
  ]);
  if (started.length === 0) {
    const running = await runningBackup(db);
    return refuse(
      "conflict",
      "backup-running",
      running
        ? `Backup ${running.id} (started ${running.createdAt.toISOString()}) is still running; it must finish first.`
        : "Another backup is still running; it must finish first.",
    );
  }
  return { ok: true, backupId };
}

function runningBackup(db: Database) {
  return db.query.systemBackups.findFirst({
    columns: { id: true, createdAt: true },
    where: inArray(systemBackups.status, RUNNING),
    orderBy: [systemBackups.createdAt, systemBackups.id],
  });
}

// ---- One step --------------------------------------------------------------------------------

export type ContinueRefusal = "not-found" | "finished" | "busy";

/** Counts what a step spends, so it stops well inside one invocation's limits. */
class StepBudget {
  statements = 0;
  private readonly started = performance.now();
  constructor(private readonly tuning: BackupTuning) {}
  spent() {
    return (
      this.statements >= this.tuning.maxStatements ||
      performance.now() - this.started >= this.tuning.maxMs
    );
  }
}

interface Step {
  deps: BackupDeps;
  backupId: string;
  draft: BackupDraft;
  budget: StepBudget;
  tuning: BackupTuning;
}

/**
 * One step of a backup: the one named, or else the oldest that is running. Returns where the
 * backup stands afterwards; a step that failed returns status FAILED with the error (the
 * backup is failed, audited and its objects removed).
 */
export async function continueBackup(
  deps: BackupDeps,
  input: {
    backupId?: string;
    actor?: AuditActor | null;
    now: Date;
    tuning?: Partial<BackupTuning>;
  },
): Promise<Result<{ progress: BackupProgress }, ContinueRefusal>> {
  const tuning = { ...BACKUP_TUNING, ...input.tuning };
  const db = createDb(deps.d1);
  const target = input.backupId
    ? await db.query.systemBackups.findFirst({
        columns: { id: true, status: true },
        where: eq(systemBackups.id, input.backupId),
      })
    : await db.query.systemBackups.findFirst({
        columns: { id: true, status: true },
        where: inArray(systemBackups.status, RUNNING),
        orderBy: [systemBackups.createdAt, systemBackups.id],
      });
  if (!target) {
    return refuse(
      "not-found",
      "not-found",
      input.backupId ? "There is no such backup." : "No backup is running.",
    );
  }
  if (target.status === "COMPLETED" || target.status === "FAILED") {
    return refuse("conflict", "finished", `This backup is already ${target.status.toLowerCase()}.`);
  }

  const token = createId();
  const at = input.now.getTime();
  const claim = await deps.d1
    .prepare(
      `UPDATE system_backups
       SET status = 'IN_PROGRESS', started_at = coalesce(started_at, ?1), updated_at = ?1,
           manifest = json_set(manifest, '$.lease', json_object('token', ?2, 'until', ?3))
       WHERE id = ?4 AND status IN ('PENDING', 'IN_PROGRESS')
         AND coalesce(json_extract(manifest, '$.lease.until'), 0) <= ?1
       RETURNING manifest`,
    )
    .bind(at, token, at + tuning.leaseMs, target.id)
    .first<{ manifest: string }>();
  if (!claim) {
    return refuse("conflict", "busy", "Another step is working on this backup right now.");
  }

  const budget = new StepBudget(tuning);
  budget.statements = 2;
  const fail = async (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    await failBackup(deps, {
      backupId: target.id,
      leaseToken: token,
      error: message,
      actor: input.actor ?? null,
      now: input.now,
    });
    return {
      ok: true as const,
      progress: { ...emptyProgress(target.id, "FAILED", budget), error: message },
    };
  };

  const parsed = BackupDraftSchema.safeParse(JSON.parse(claim.manifest));
  if (!parsed.success) return fail(new Error("The backup's progress record is unreadable."));
  const step: Step = { deps, backupId: target.id, draft: parsed.data, budget, tuning };
  try {
    const finished = await runStep(step);
    const progress = finished
      ? await finishBackup(step, { token, actor: input.actor ?? null, now: input.now })
      : await commitStep(step, { token, now: input.now });
    if (!progress) {
      return refuse(
        "conflict",
        "busy",
        "Another step took this backup over; this step's work was dropped.",
      );
    }
    return { ok: true, progress };
  } catch (error) {
    return fail(error);
  }
}

async function runStep(step: Step): Promise<boolean> {
  const { draft, budget } = step;
  if (!draft.plan) {
    const description = await describeDatabase(step.deps.d1);
    budget.statements += 4;
    const included = new Set(draft.parts);
    const tables = description.tables.filter((table) => included.has(partOfTable(table.name)));
    const byName = new Map(tables.map((table) => [table.name, table]));
    // Dumped children first, parents last: a row in the dump was written before its table
    // was read, so the rows it references were too, and they are read later. Rows written
    // meanwhile may be missing, but never a parent whose child is there (unless it was
    // deleted while the backup ran).
    draft.plan = {
      schema: description.schema,
      tables: dependencyOrder(tables)
        .reverse()
        .map((name) => ({
          name,
          part: partOfTable(name),
          columns: byName.get(name)!.columns.map((column) => column.name),
        })),
    };
  }
  const plan = draft.plan;
  while (draft.cursor.table < plan.tables.length) {
    if (budget.spent()) return false;
    await dumpSegment(step, plan.tables[draft.cursor.table]!);
  }
  if (draft.parts.includes("files") && !draft.files) {
    if (budget.spent()) return false;
    draft.files = await listProductFiles(step);
  }
  return true;
}

/**
 * One object of one table: keyset pages of `chunkRows` rows in rowid order, streamed into a
 * gzip NDJSON object, until the table ends or the budget is spent (the table then goes on in
 * its next segment, at the next step).
 */
async function dumpSegment(step: Step, table: PlannedTable) {
  const { draft, budget, tuning } = step;
  const cursor = draft.cursor;
  let entry = draft.tables[cursor.table];
  if (!entry) {
    entry = { ...table, rows: 0, bytes: 0, objects: [] };
    draft.tables.push(entry);
  }
  const writer = new GzipNdjsonWriter(
    step.deps.files,
    tableObjectKey(step.backupId, table.name, cursor.segment),
    { partSize: tuning.partSize },
  );
  let after = cursor.afterRowid;
  let tableDone = false;
  let written;
  try {
    for (;;) {
      const rows = await readChunk(step, table.name, after);
      budget.statements += 1;
      await writer.write(rows);
      if (rows.length > 0) after = rows[rows.length - 1]!._rowid_;
      if (rows.length < tuning.chunkRows) {
        tableDone = true;
        break;
      }
      if (budget.spent()) break;
    }
    written = await writer.close();
  } catch (error) {
    await writer.abort(error);
    throw error;
  }
  entry.objects.push(written);
  entry.rows += written.rows;
  entry.bytes += written.bytes;
  draft.cursor = tableDone
    ? { table: cursor.table + 1, afterRowid: null, segment: 1 }
    : { table: cursor.table, afterRowid: after, segment: cursor.segment + 1 };
}

type DumpedRow = Record<string, unknown> & { _rowid_: number };

/** One keyset page. The backup's own row is left out: it cannot describe its own outcome. */
async function readChunk(step: Step, table: string, after: number | null): Promise<DumpedRow[]> {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (after !== null) {
    conditions.push("_rowid_ > ?");
    params.push(after);
  }
  if (table === "system_backups") {
    conditions.push("id <> ?");
    params.push(step.backupId);
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
  const { results } = await step.deps.d1
    .prepare(
      `SELECT _rowid_ AS "_rowid_", * FROM ${quoteIdentifier(table)} ${where} ORDER BY _rowid_ LIMIT ?`,
    )
    .bind(...params, step.tuning.chunkRows)
    .all<DumpedRow>();
  for (const row of results) {
    for (const [column, value] of Object.entries(row)) {
      if (value !== null && typeof value === "object") {
        throw new Error(`${table}.${column} holds a BLOB; backups store text and numbers only`);
      }
    }
  }
  return results;
}

/** The `files` part: every product object listed with size, ETag and the SHA-256 R2 holds. */
async function listProductFiles(step: Step): Promise<FileListing> {
  const { files } = step.deps;
  const writer = new GzipNdjsonWriter(files, fileListingKey(step.backupId), {
    partSize: step.tuning.partSize,
  });
  let bytes = 0;
  try {
    for (const prefix of PRODUCT_FILE_PREFIXES) {
      let cursor: string | undefined;
      do {
        const page = await files.list({ prefix, cursor, limit: 1000, include: ["customMetadata"] });
        await writer.write(page.objects.map(listedFile));
        bytes += page.objects.reduce((sum, object) => sum + object.size, 0);
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
    }
    const object = await writer.close();
    return { object, count: object.rows, bytes };
  } catch (error) {
    await writer.abort(error);
    throw error;
  }
}

export interface ListedFile {
  key: string;
  size: number;
  etag: string;
  uploaded: string;
  sha256: string | null;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

export function listedFile(object: R2Object): ListedFile {
  const checksum = object.checksums?.sha256;
  const metadata = object.customMetadata?.sha256;
  const sha256 =
    checksum instanceof ArrayBuffer
      ? bytesToHex(new Uint8Array(checksum))
      : typeof metadata === "string" && HEX_SHA256.test(metadata)
        ? metadata
        : null;
  return {
    key: object.key,
    size: object.size,
    etag: object.etag,
    uploaded: new Date(object.uploaded).toISOString(),
    sha256,
  };
}

/** Progress so far, the lease released, only if this step still holds the lease. */
async function commitStep(
  step: Step,
  input: { token: string; now: Date },
): Promise<BackupProgress | null> {
  const { draft } = step;
  draft.lease = null;
  const totals = manifestTotals(draft.tables, draft.files);
  const committed = await step.deps.d1
    .prepare(
      `UPDATE system_backups SET manifest = ?1, total_rows = ?2, size_bytes = ?3, updated_at = ?4
       WHERE id = ?5 AND status = 'IN_PROGRESS' AND json_extract(manifest, '$.lease.token') = ?6`,
    )
    .bind(
      JSON.stringify(draft),
      totals.rows,
      totals.bytes,
      input.now.getTime(),
      step.backupId,
      input.token,
    )
    .run();
  step.budget.statements += 1;
  if (committed.meta.changes !== 1) return null;
  return progressOf(step, "IN_PROGRESS");
}

/** The manifest into R2, then the row COMPLETED with its audit row, in one batch. */
async function finishBackup(
  step: Step,
  input: { token: string; actor: AuditActor | null; now: Date },
): Promise<BackupProgress | null> {
  const { draft, backupId } = step;
  const db = createDb(step.deps.d1);
  const row = await db.query.systemBackups.findFirst({
    columns: { trigger: true, createdAt: true },
    where: eq(systemBackups.id, backupId),
  });
  if (!row || !draft.plan) throw new Error("The backup's row or plan disappeared while it ran.");
  const manifest: BackupManifest = BackupManifestSchema.parse({
    format: BACKUP_FORMAT,
    backupId,
    trigger: row.trigger,
    createdAt: row.createdAt.toISOString(),
    completedAt: input.now.toISOString(),
    schema: draft.plan.schema,
    includes: Object.fromEntries(BACKUP_PARTS.map((part) => [part, draft.parts.includes(part)])),
    // The manifest lists tables in restore order: parents first.
    tables: [...draft.tables].reverse(),
    files: draft.files,
    config: draft.parts.includes("config") ? { tiers: TIERS } : null,
    totals: manifestTotals(draft.tables, draft.files),
  });
  const body = JSON.stringify(manifest, null, 2);
  await step.deps.files.put(manifestKey(backupId), body, {
    httpMetadata: { contentType: "application/json" },
  });
  const sizeBytes = manifest.totals.bytes + new TextEncoder().encode(body).byteLength;
  const [, audit] = await db.batch([
    db
      .update(systemBackups)
      .set({
        status: "COMPLETED",
        manifest,
        totalRows: manifest.totals.rows,
        sizeBytes,
        completedAt: input.now,
        updatedAt: input.now,
      })
      .where(
        and(
          eq(systemBackups.id, backupId),
          eq(systemBackups.status, "IN_PROGRESS"),
          sql`json_extract(${systemBackups.manifest}, '$.lease.token') = ${input.token}`,
        ),
      ),
    insertWhen(
      db,
      auditLogs,
      auditStatement(db, {
        actor: input.actor,
        action: "BACKUP_COMPLETED",
        entityType: "backup",
        entityId: backupId,
        metadata: {
          trigger: row.trigger,
          schemaVersion: manifest.schema.version,
          tables: manifest.totals.tables,
          rows: manifest.totals.rows,
          objects: manifest.totals.objects,
          bytes: sizeBytes,
        },
        at: input.now,
      }),
      sql`changes() = 1`,
    ).returning({ id: auditLogs.id }),
  ]);
  step.budget.statements += 3;
  if (audit.length === 0) return null;
  return { ...progressOf(step, "COMPLETED"), bytes: sizeBytes };
}

function progressOf(step: Step, status: BackupProgress["status"]): BackupProgress {
  const { draft } = step;
  const totals = manifestTotals(draft.tables, draft.files);
  return {
    backupId: step.backupId,
    status,
    tablesDone: draft.cursor.table,
    tablesTotal: draft.plan?.tables.length ?? null,
    rows: totals.rows,
    bytes: totals.bytes,
    statements: step.budget.statements,
  };
}

function emptyProgress(
  backupId: string,
  status: BackupProgress["status"],
  budget: StepBudget,
): BackupProgress {
  return {
    backupId,
    status,
    tablesDone: 0,
    tablesTotal: null,
    rows: 0,
    bytes: 0,
    statements: budget.statements,
  };
}

// ---- Failing ----------------------------------------------------------------------------------

const MAX_ERROR_LENGTH = 500;

/**
 * Mark a running backup FAILED with its error (only while the given lease still holds it, when
 * one is given), audit it, then remove its objects: a failed backup leaves no manifest behind.
 */
export async function failBackup(
  deps: BackupDeps,
  input: {
    backupId: string;
    leaseToken: string | null;
    error: string;
    actor: AuditActor | null;
    now: Date;
  },
) {
  const db = createDb(deps.d1);
  const error = input.error.slice(0, MAX_ERROR_LENGTH) || "The backup failed.";
  const [, audit] = await db.batch([
    db
      .update(systemBackups)
      .set({
        status: "FAILED",
        error,
        updatedAt: input.now,
        manifest: sql`json_set(${systemBackups.manifest}, '$.lease', json('null'))`,
      })
      .where(
        and(
          eq(systemBackups.id, input.backupId),
          inArray(systemBackups.status, RUNNING),
          input.leaseToken === null
            ? undefined
            : sql`json_extract(${systemBackups.manifest}, '$.lease.token') = ${input.leaseToken}`,
        ),
      ),
    insertWhen(
      db,
      auditLogs,
      auditStatement(db, {
        actor: input.actor,
        action: "BACKUP_FAILED",
        entityType: "backup",
        entityId: input.backupId,
        metadata: { error },
        at: input.now,
      }),
      sql`changes() = 1`,
    ).returning({ id: auditLogs.id }),
  ]);
  if (audit.length > 0) await deleteBackupObjects(deps.files, input.backupId);
  return { failed: audit.length > 0 };
}

/** Backups that have run for more than a day with no step holding them are given up. */
export async function failAbandonedBackups(deps: BackupDeps, input: { now: Date }) {
  const db = createDb(deps.d1);
  const stale = await db
    .select({ id: systemBackups.id })
    .from(systemBackups)
    .where(
      and(
        inArray(systemBackups.status, RUNNING),
        lt(systemBackups.createdAt, new Date(input.now.getTime() - ABANDON_AFTER_MS)),
        sql`coalesce(json_extract(${systemBackups.manifest}, '$.lease.until'), 0) <= ${input.now.getTime()}`,
      ),
    );
  for (const { id } of stale) {
    await failBackup(deps, {
      backupId: id,
      leaseToken: null,
      error: "The backup did not finish within a day of being started.",
      actor: null,
      now: input.now,
    });
  }
  return stale.length;
}

/** Every object under `backups/<id>/`, page by page (R2 deletes up to 1,000 keys per call). */
export async function deleteBackupObjects(files: R2Bucket, backupId: string): Promise<number> {
  let deleted = 0;
  for (;;) {
    // Listing again from the start after each delete: the deleted keys are gone from it.
    const page = await files.list({ prefix: backupPrefix(backupId), limit: 1000 });
    if (page.objects.length === 0) return deleted;
    await files.delete(page.objects.map((object) => object.key));
    deleted += page.objects.length;
    if (!page.truncated) return deleted;
  }
}

// ---- Reading --------------------------------------------------------------------------------------

export interface BackupListItem {
  id: string;
  trigger: BackupTrigger;
  status: "PENDING" | "IN_PROGRESS" | "COMPLETED" | "FAILED";
  parts: BackupPart[];
  totalRows: number | null;
  sizeBytes: number | null;
  tablesDone: number | null;
  tablesTotal: number | null;
  schemaVersion: number | null;
  error: string | null;
  startedBy: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

/** The newest backups for the admin page, with what each includes and how far it got. */
export async function listBackups(
  db: Database,
  input: { limit: number },
): Promise<BackupListItem[]> {
  const rows = await db
    .select({
      id: systemBackups.id,
      trigger: systemBackups.trigger,
      status: systemBackups.status,
      manifest: systemBackups.manifest,
      totalRows: systemBackups.totalRows,
      sizeBytes: systemBackups.sizeBytes,
      error: systemBackups.error,
      startedBy: users.name,
      createdAt: systemBackups.createdAt,
      completedAt: systemBackups.completedAt,
    })
    .from(systemBackups)
    .leftJoin(users, eq(users.id, systemBackups.createdById))
    .orderBy(desc(systemBackups.createdAt), desc(systemBackups.id))
    .limit(input.limit);
  return rows.map(({ manifest, ...row }) => ({ ...row, ...describeState(manifest) }));
}

function describeState(stored: unknown) {
  const manifest = BackupManifestSchema.safeParse(stored);
  if (manifest.success) {
    return {
      parts: BACKUP_PARTS.filter((part) => manifest.data.includes[part]),
      tablesDone: manifest.data.totals.tables,
      tablesTotal: manifest.data.totals.tables,
      schemaVersion: manifest.data.schema.version,
    };
  }
  const draft = BackupDraftSchema.safeParse(stored);
  if (draft.success) {
    return {
      parts: draft.data.parts,
      tablesDone: draft.data.cursor.table,
      tablesTotal: draft.data.plan?.tables.length ?? null,
      schemaVersion: draft.data.plan?.schema.version ?? null,
    };
  }
  return { parts: [], tablesDone: null, tablesTotal: null, schemaVersion: null };
}

/** `manifest.json` of a completed backup, as stored in R2, for download. */
export async function openBackupManifest(
  deps: { db: Database; files: R2Bucket },
  backupId: string,
): Promise<{ body: ReadableStream; size: number } | null> {
  const row = await deps.db.query.systemBackups.findFirst({
    columns: { status: true },
    where: eq(systemBackups.id, backupId),
  });
  if (row?.status !== "COMPLETED") return null;
  const object = await deps.files.get(manifestKey(backupId));
  return object ? { body: object.body, size: object.size } : null;
}

/** Start a backup and take steps until it is done (CLIs and tests; the Worker takes one). */
export async function runBackup(
  deps: BackupDeps,
  input: {
    trigger: BackupTrigger;
    parts?: readonly BackupPart[];
    actor: AuditActor | null;
    clock: () => Date;
    tuning?: Partial<BackupTuning>;
    maxSteps?: number;
    onStep?: (progress: BackupProgress) => void;
  },
): Promise<Result<{ progress: BackupProgress; steps: number }, StartRefusal | ContinueRefusal>> {
  const started = await startBackup(deps, { ...input, now: input.clock() });
  if (!started.ok) return started;
  const maxSteps = input.maxSteps ?? 10_000;
  for (let steps = 1; steps <= maxSteps; steps++) {
    const step = await continueBackup(deps, {
      backupId: started.backupId,
      actor: input.actor,
      now: input.clock(),
      tuning: input.tuning,
    });
    if (!step.ok) return step;
    input.onStep?.(step.progress);
    if (step.progress.status !== "IN_PROGRESS") return { ok: true, progress: step.progress, steps };
  }
  throw new Error(`Backup ${started.backupId} did not finish in ${maxSteps} steps`);
}
