import { createHash } from "node:crypto";
import { desc, eq, sql } from "drizzle-orm";
import { createDb, type Database } from "#db/client";
import { auditLogArchives, auditLogs, type AuditLogArchive } from "#db/schema";
import {
  archiveKey,
  dayOf,
  retentionCutoff,
  stagingNoteKey,
  stagingPartKey,
  stagingPrefix,
} from "~/domain/audit/archive";
import { refuse, type Result } from "~/domain/refusal";
import { auditStatement } from "./audit.server";
import { insertWhen } from "./conditional-insert.server";
import { GzipNdjsonWriter, MIN_PART_SIZE, readGzipNdjsonLines } from "./gzip-ndjson.server";

/**
 * The audit archive (docs/architecture.md §11, issue 12 "partition audit logs by date"): every
 * whole UTC day older than the retention window moves to R2 as one gzip NDJSON object,
 * oldest day first. A day is read from D1 in keyset chunks into staged parts (a large day
 * takes several runs; each run stops when its D1 budget is spent), the parts are joined into
 * `audit/YYYY/MM/DD.ndjson.gz`, the object is READ BACK and its row count and SHA-256
 * checked, and only then one batch writes the `audit_log_archives` row (already verified,
 * never updated), deletes the day's rows (the DELETE trigger lets them go only under a
 * verified archive) and audits AUDIT_ARCHIVED.
 *
 * A day that already has an archive row is never archived again. If rows of such a day are
 * still in D1 (written later with an old timestamp, say), they are left alone and the day is
 * reported in `leftoverDays`: deleting them would lose rows the object does not hold.
 */

export interface AuditArchiveDeps {
  d1: D1Database;
  files: R2Bucket;
}

export interface ArchiveTuning {
  /** Rows per keyset read: one SELECT with five bound parameters. */
  chunkRows: number;
  /**
   * D1 statements one run may issue before it stops at the next chunk (an invocation allows
   * 1,000 and the daily cron shares it with other jobs). Joining and committing a finished day
   * take three more.
   */
  maxStatements: number;
  /** Wall time after which a run stops at the next chunk. */
  maxMs: number;
  /** Multipart part size of the objects (R2: at least 5 MiB; tests use less). */
  partSize: number;
}

export const ARCHIVE_TUNING: Readonly<ArchiveTuning> = {
  chunkRows: 500,
  maxStatements: 300,
  maxMs: 20_000,
  partSize: MIN_PART_SIZE,
};

/** An audit row exactly as D1 returns it: the archive stores these, column for column. */
export interface ArchivedAuditRow {
  id: string;
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  ip_hash: string | null;
  user_agent: string | null;
  request_id: string | null;
  /** The JSON text as stored. */
  metadata: string | null;
  created_at: number;
}

export interface ArchiveReport {
  archivedDays: string[];
  archivedRows: number;
  /** Archived days that still have rows in D1 (left alone, see above). */
  leftoverDays: string[];
  /** The day a run stopped in (its budget was spent); the next run goes on with it. */
  pendingDay: string | null;
  /** Days whose staged parts no longer matched D1 and were started again. */
  restartedDays: string[];
  statements: number;
}

class RunBudget {
  statements = 0;
  private readonly started = performance.now();
  constructor(private readonly tuning: ArchiveTuning) {}
  spent() {
    return (
      this.statements >= this.tuning.maxStatements ||
      performance.now() - this.started >= this.tuning.maxMs
    );
  }
}

interface Run {
  deps: AuditArchiveDeps;
  db: Database;
  tuning: ArchiveTuning;
  budget: RunBudget;
  now: Date;
}

/** One run of the archive job: as many old days as the budget allows. */
export async function archiveAuditLogs(
  deps: AuditArchiveDeps,
  input: { now: Date; retentionDays: number; tuning?: Partial<ArchiveTuning> },
): Promise<ArchiveReport> {
  const tuning = { ...ARCHIVE_TUNING, ...input.tuning };
  const run: Run = {
    deps,
    db: createDb(deps.d1),
    tuning,
    budget: new RunBudget(tuning),
    now: input.now,
  };
  const cutoff = retentionCutoff(input.now, input.retentionDays);
  const report: ArchiveReport = {
    archivedDays: [],
    archivedRows: 0,
    leftoverDays: [],
    pendingDay: null,
    restartedDays: [],
    statements: 0,
  };
  let from = Number.MIN_SAFE_INTEGER;
  while (!run.budget.spent()) {
    // The oldest row not yet looked at, and whether its day already has an archive.
    const next = await deps.d1
      .prepare(
        `SELECT first, (SELECT count(*) FROM audit_log_archives
                        WHERE range_start <= first AND range_end > first) AS archived
         FROM (SELECT min(created_at) AS first FROM audit_logs
               WHERE created_at >= ?1 AND created_at < ?2)`,
      )
      .bind(from, cutoff)
      .first<{ first: number | null; archived: number }>();
    run.budget.statements += 1;
    if (!next || next.first === null) break;
    const day = dayOf(next.first);
    from = day.end;
    if (next.archived > 0) {
      report.leftoverDays.push(day.day);
      continue;
    }
    const outcome = await archiveDay(run, day);
    if (outcome.status === "archived") {
      report.archivedDays.push(day.day);
      report.archivedRows += outcome.rows;
    } else if (outcome.status === "restarted") {
      report.restartedDays.push(day.day);
      break;
    } else {
      report.pendingDay = day.day;
      break;
    }
  }
  report.statements = run.budget.statements;
  return report;
}

interface StagedNote {
  rows: number;
  last: { createdAt: number; id: string } | null;
  complete: boolean;
}

type DayOutcome = { status: "archived"; rows: number } | { status: "paused" | "restarted" };

async function archiveDay(
  run: Run,
  day: { day: string; start: number; end: number },
): Promise<DayOutcome> {
  const notes = await stagedNotes(run.deps.files, day.day);
  let last = notes.at(-1);
  if (!last?.complete) {
    last = await stageChunks(run, day, notes.length + 1, last?.last ?? null);
    notes.push(last);
    if (!last.complete) return { status: "paused" };
  }
  return commitDay(run, day, notes);
}

/** The notes of the parts staged so far, in order (a part without its note is ignored). */
async function stagedNotes(files: R2Bucket, day: string): Promise<StagedNote[]> {
  const notes: StagedNote[] = [];
  for (let part = 1; ; part++) {
    const object = await files.get(stagingNoteKey(day, part));
    if (!object) return notes;
    notes.push((await object.json()) as StagedNote);
  }
}

/** Read keyset chunks of the day into one new staged part until the day ends or the budget. */
async function stageChunks(
  run: Run,
  day: { day: string; start: number; end: number },
  part: number,
  after: StagedNote["last"],
): Promise<StagedNote> {
  const { chunkRows, partSize } = run.tuning;
  const writer = new GzipNdjsonWriter(run.deps.files, stagingPartKey(day.day, part), { partSize });
  let last = after;
  let complete = false;
  try {
    for (;;) {
      const { results } = await run.deps.d1
        .prepare(
          `SELECT * FROM audit_logs
           WHERE created_at >= ?1 AND created_at < ?2 AND (created_at, id) > (?3, ?4)
           ORDER BY created_at, id LIMIT ?5`,
        )
        .bind(day.start, day.end, last?.createdAt ?? day.start - 1, last?.id ?? "", chunkRows)
        .all<ArchivedAuditRow>();
      run.budget.statements += 1;
      await writer.write(results);
      const end = results.at(-1);
      if (end) last = { createdAt: end.created_at, id: end.id };
      if (results.length < chunkRows) {
        complete = true;
        break;
      }
      if (run.budget.spent()) break;
    }
    const written = await writer.close();
    const note: StagedNote = { rows: written.rows, last, complete };
    await run.deps.files.put(stagingNoteKey(day.day, part), JSON.stringify(note), {
      httpMetadata: { contentType: "application/json" },
    });
    return note;
  } catch (error) {
    await writer.abort(error);
    throw error;
  }
}

/**
 * Join the staged parts into the day's object, read it back, and only when it holds exactly
 * what was staged and what D1 holds, write the verified archive row and delete the day.
 */
async function commitDay(
  run: Run,
  day: { day: string; start: number; end: number },
  notes: StagedNote[],
): Promise<DayOutcome> {
  const { files } = run.deps;
  const key = archiveKey(day.day);
  const staged = notes.reduce((sum, note) => sum + note.rows, 0);
  const writer = new GzipNdjsonWriter(files, key, { partSize: run.tuning.partSize });
  let written;
  try {
    for (let part = 1; part <= notes.length; part++) {
      const object = await files.get(stagingPartKey(day.day, part));
      if (!object) throw new Error(`The staged part ${part} of ${day.day} is missing.`);
      let batch: unknown[] = [];
      for await (const line of readGzipNdjsonLines(object.body)) {
        batch.push(JSON.parse(line));
        if (batch.length >= 500) {
          await writer.write(batch);
          batch = [];
        }
      }
      await writer.write(batch);
    }
    written = await writer.close();
  } catch (error) {
    await writer.abort(error);
    throw error;
  }
  if (written.rows !== staged) {
    throw new Error(`The archive of ${day.day} has ${written.rows} rows; ${staged} were staged.`);
  }
  const check = await readArchive(files, {
    storageKey: key,
    rowCount: staged,
    sha256: written.sha256,
  });
  if (!check.ok) throw new Error(check.message);

  // One batch: the archive row only if D1 still holds exactly the rows that were staged (rows
  // are never updated, so the same count means the same rows); the DELETE and the audit row
  // only under that archive row.
  const [inserted, deleted] = await run.db.batch([
    insertWhen(
      run.db,
      auditLogArchives,
      run.db.insert(auditLogArchives).values({
        rangeStart: new Date(day.start),
        rangeEnd: new Date(day.end),
        storageKey: key,
        rowCount: staged,
        sha256: written.sha256,
        verifiedAt: run.now,
        createdAt: run.now,
      }),
      sql`(SELECT count(*) FROM audit_logs WHERE created_at >= ${day.start} AND created_at < ${day.end}) = ${staged}`,
    ).returning({ id: auditLogArchives.id }),
    run.db.delete(auditLogs).where(
      sql`${auditLogs.createdAt} >= ${day.start} AND ${auditLogs.createdAt} < ${day.end}
            AND EXISTS (SELECT 1 FROM audit_log_archives WHERE storage_key = ${key})`,
    ),
    insertWhen(
      run.db,
      auditLogs,
      auditStatement(run.db, {
        actor: null,
        action: "AUDIT_ARCHIVED",
        entityType: "audit_log",
        metadata: { day: day.day, rows: staged, sha256: written.sha256, storageKey: key },
        at: run.now,
      }),
      sql`EXISTS (SELECT 1 FROM audit_log_archives WHERE storage_key = ${key})`,
    ),
  ]);
  run.budget.statements += 3;
  await removeStaging(files, day.day);
  if (inserted.length === 0) return { status: "restarted" };
  if (deleted.meta.changes !== staged) {
    throw new Error(`Archived ${staged} rows of ${day.day} but deleted ${deleted.meta.changes}.`);
  }
  return { status: "archived", rows: staged };
}

async function removeStaging(files: R2Bucket, day: string) {
  let cursor: string | undefined;
  do {
    const page = await files.list({ prefix: stagingPrefix(day), cursor });
    if (page.objects.length > 0) await files.delete(page.objects.map((object) => object.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
}

// ---- Reading an archived day back --------------------------------------------------------------

export type ArchiveReadRefusal = "archive-missing" | "archive-corrupt";

/**
 * Stream an archived day from R2, checking it against its archive row: the SHA-256 of the
 * stored bytes and the number of rows. `onRow` sees every row as it goes by, but a caller must
 * trust nothing it collected unless the result is ok (the checksum is known only at the end).
 */
export async function readArchive(
  files: R2Bucket,
  archive: Pick<AuditLogArchive, "storageKey" | "rowCount" | "sha256">,
  onRow?: (row: ArchivedAuditRow) => void,
): Promise<Result<{ rows: number }, ArchiveReadRefusal>> {
  const object = await files.get(archive.storageKey);
  if (!object) {
    return refuse(
      "not-found",
      "archive-missing",
      `The archive object ${archive.storageKey} is missing.`,
    );
  }
  const [forHash, forRows] = object.body.tee();
  const hashing = (async () => {
    const hash = createHash("sha256");
    const reader = forHash.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return hash.digest("hex");
      hash.update(value);
    }
  })();
  let rows = 0;
  let readable = true;
  try {
    for await (const line of readGzipNdjsonLines(forRows)) {
      rows += 1;
      onRow?.(JSON.parse(line) as ArchivedAuditRow);
    }
  } catch {
    // A changed byte usually breaks the gzip stream itself; the checksum says the same below.
    readable = false;
  }
  const sha256 = await hashing;
  if (!readable || sha256 !== archive.sha256 || rows !== archive.rowCount) {
    return refuse(
      "conflict",
      "archive-corrupt",
      `The archive ${archive.storageKey} does not match its checksum and row count; it was not used.`,
    );
  }
  return { ok: true, rows };
}

/** The archived days, newest first (for the viewer's list and the dashboard). */
export function listArchivedDays(db: Database, limit = 400) {
  return db
    .select({
      id: auditLogArchives.id,
      rangeStart: auditLogArchives.rangeStart,
      storageKey: auditLogArchives.storageKey,
      rowCount: auditLogArchives.rowCount,
      sha256: auditLogArchives.sha256,
      verifiedAt: auditLogArchives.verifiedAt,
    })
    .from(auditLogArchives)
    .orderBy(desc(auditLogArchives.rangeStart))
    .limit(limit);
}

/** The archive row of one UTC day, if that day is archived. */
export async function findArchivedDay(db: Database, day: string) {
  const [row] = await db
    .select()
    .from(auditLogArchives)
    .where(eq(auditLogArchives.storageKey, archiveKey(day)))
    .limit(1);
  return row ?? null;
}
