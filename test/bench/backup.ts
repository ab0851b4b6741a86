/**
 * The backup bench (issue 12): `BENCH_ONLY=backup npm run bench`, or `tsx test/bench/backup.ts`.
 * In a throw-away local D1 and R2 (migrated, no demo data) it seeds the bench database — 1,000
 * products, 10,000 memberships (their users and ledger rows) and 100,000 audit rows — then
 * takes full backups with the Worker's own service (`runBackup`, through getPlatformProxy) at
 * several chunk sizes, and restores one into a second, empty local D1.
 *
 * D1 statements are counted with a proxy around the binding; memory is the peak heap of this
 * Node process, which runs the service (reading chunks, gzip, SHA-256, part buffers), sampled
 * every 10 ms; D1 and R2 themselves run in workerd. The statement count must follow
 * rows / chunk size: for each table ⌊rows / chunk⌋ + 1 reads, plus a fixed few per step.
 */
import { createDb } from "#db/client";
import { digitalProducts } from "#db/schema";
import { BACKUP_TUNING, runBackup, type BackupTuning } from "~/services/backups/backup-runs.server";
import { restoreBackup } from "~/services/backups/restore.server";
import { withMigratedState } from "./local-state";
import { countingD1 } from "./query-count";
import { seedDueMemberships } from "./renewal";
import { benchProducts } from "./seed-catalog";

const PRODUCTS = 1_000;
const MEMBERSHIPS = 10_000;
const AUDIT_ROWS = 100_000;
const CHUNK_SIZES = [250, 1_000, 4_000];

export interface BackupBenchRow {
  chunkRows: number;
  rows: number;
  tables: number;
  /** Σ over tables of ⌊rows / chunk⌋ + 1: the keyset reads a chunk size implies. */
  chunkReads: number;
  statements: number;
  batches: number;
  steps: number;
  wallMs: number;
  peakHeapMiB: number;
  bytes: number;
}

export interface RestoreBenchRow {
  rows: number;
  statements: number;
  wallMs: number;
  ledgerChecks: number;
  ok: boolean;
}

export interface BackupBenchResult {
  rows: BackupBenchRow[];
  restore: RestoreBenchRow;
  /** False when statements did not follow rows / chunk size. */
  ok: boolean;
  markdown: string;
}

async function seed(bindings: { DB: D1Database }) {
  const db = createDb(bindings.DB);
  const products = benchProducts(PRODUCTS, {
    key: "products/bench/bench-asset.txt",
    name: "bench-asset.txt",
    size: 60,
    sha256: "0".repeat(64),
    contentType: "text/plain; charset=utf-8",
  });
  for (let start = 0; start < products.length; start += 100) {
    const batch = products
      .slice(start, start + 100)
      .map((row) => db.insert(digitalProducts).values(row));
    await db.batch(batch as [(typeof batch)[number], ...typeof batch]);
  }
  await seedDueMemberships(bindings.DB, "bk", MEMBERSHIPS, Date.UTC(2030, 0, 1));
  await bindings.DB.prepare(
    `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${AUDIT_ROWS})
     INSERT INTO audit_logs (id, actor_id, actor_role, action, entity_type, entity_id, ip_hash, user_agent, request_id, metadata, created_at)
     SELECT 'ba' || n, 'bku' || (n % ${MEMBERSHIPS} + 1), 'USER', 'DOWNLOAD_ATTEMPTED', 'download', 'bd' || n,
       lower(hex(randomblob(16))), 'Mozilla/5.0 (X11; Linux x86_64) Bench/1.0', lower(hex(randomblob(8))),
       json_object('license', 'bl' || (n % 5000), 'range', 'bytes=0-1048575', 'attempt', n % 3),
       1893456000000 + n * 1000
     FROM seq`,
  ).run();
}

/** How far the heap grows above where it was while `work` runs, sampled every 10 ms. */
async function withPeakHeap<T>(work: () => Promise<T>): Promise<{ value: T; peakHeap: number }> {
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 10);
  try {
    const value = await work();
    return { value, peakHeap: Math.max(peak, process.memoryUsage().heapUsed) - baseline };
  } finally {
    clearInterval(timer);
  }
}

async function measureBackup(
  bindings: { DB: D1Database; FILES: R2Bucket },
  chunkRows: number,
): Promise<BackupBenchRow & { backupId: string }> {
  const counter = { statements: 0, batches: 0 };
  const tuning: Partial<BackupTuning> = { chunkRows };
  globalThis.gc?.();
  const started = performance.now();
  const { value: run, peakHeap } = await withPeakHeap(() =>
    runBackup(
      { d1: countingD1(bindings.DB, counter), files: bindings.FILES },
      { trigger: "MANUAL", actor: null, clock: () => new Date(), tuning },
    ),
  );
  const wallMs = performance.now() - started;
  if (!run.ok) throw new Error(`backup bench: ${run.message}`);
  if (run.progress.status !== "COMPLETED") {
    throw new Error(`backup bench: the backup failed: ${run.progress.error}`);
  }
  const row = await bindings.DB.prepare(`SELECT manifest FROM system_backups WHERE id = ?`)
    .bind(run.progress.backupId)
    .first<{ manifest: string }>();
  const manifest = JSON.parse(row!.manifest) as { tables: Array<{ rows: number }> };
  return {
    backupId: run.progress.backupId,
    chunkRows,
    rows: run.progress.rows,
    tables: manifest.tables.length,
    chunkReads: manifest.tables.reduce(
      (sum, table) => sum + Math.floor(table.rows / chunkRows) + 1,
      0,
    ),
    ...counter,
    steps: run.steps,
    wallMs,
    peakHeapMiB: peakHeap / 1024 ** 2,
    bytes: run.progress.bytes,
  };
}

async function measureRestore(
  source: { FILES: R2Bucket },
  backupId: string,
): Promise<RestoreBenchRow> {
  return withMigratedState("storefront-bench-restore-", async (target) => {
    const counter = { statements: 0, batches: 0 };
    const started = performance.now();
    const restored = await restoreBackup(
      { d1: countingD1(target.env.DB, counter), files: source.FILES },
      { backupId, actor: null, now: new Date() },
    );
    const wallMs = performance.now() - started;
    if (!restored.ok) throw new Error(`restore bench: ${restored.message}`);
    return {
      rows: restored.rows,
      statements: counter.statements,
      wallMs,
      ledgerChecks: restored.checks.ledger.memberships,
      ok: restored.checks.ok,
    };
  });
}

const n = (value: number) => Math.round(value).toLocaleString("en-US");

function toMarkdown(rows: BackupBenchRow[], restore: RestoreBenchRow): string {
  const table = [
    "| chunk (rows per read) | rows | chunk reads implied | D1 statements | batches | steps | wall time | heap growth (peak) | backup size |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (row) =>
        `| ${n(row.chunkRows)} | ${n(row.rows)} | ${n(row.chunkReads)} | ${n(row.statements)} | ${n(row.batches)} | ${row.steps} | ${n(row.wallMs)} ms | ${row.peakHeapMiB.toFixed(1)} MiB | ${(row.bytes / 1024 ** 2).toFixed(1)} MiB |`,
    ),
  ].join("\n");
  return `## Backup and restore

A full backup (every table, product files listed) of the bench database — ${n(PRODUCTS)}
products, ${n(MEMBERSHIPS)} memberships with their users and ledger rows, ${n(AUDIT_ROWS)} audit
rows — seeded at bench time in a fresh local D1, taken with the Worker's own service
(\`runBackup\`, app/services/backups/backup-runs.server.ts) through \`getPlatformProxy\`, at
three chunk sizes. Each step stops after ${BACKUP_TUNING.maxStatements} D1 statements (the
paid plan allows 1,000 per invocation), so smaller chunks take more steps. Statements are
counted with a proxy around the D1 binding: they follow the keyset reads the chunk size implies
(Σ ⌊rows / chunk⌋ + 1 per table) plus a fixed handful per step (lease, schema, commit,
audit), not the number of rows. Heap growth is the peak of this Node process's heap above
where it stood when the backup began, sampled every 10 ms; the process runs the service
(chunks, JSON, gzip, SHA-256, a ${BACKUP_TUNING.partSize / 1024 ** 2} MiB multipart part
buffer) and getPlatformProxy's copies of what crosses to workerd, where D1 and R2 run.

${table}

Restoring the ${n(rows.find((row) => row.chunkRows === 1_000)?.rows ?? 0)}-row backup (chunk
1,000) into a second, empty local D1 with \`restoreBackup\` (what \`npm run restore\` runs):
every object verified first, rows inserted as JSON arrays of up to 256 KB per statement
(\`json_each\`, one bound parameter), then row counts and \`checkLedger\` for
${n(restore.ledgerChecks)} memberships (90 per batch): ${n(restore.rows)} rows, ${n(restore.statements)} D1
statements, ${n(restore.wallMs)} ms, checks ${restore.ok ? "passed" : "FAILED"}.`;
}

export async function runBackupBench(): Promise<BackupBenchResult> {
  return withMigratedState("storefront-bench-backup-", async (platform) => {
    await seed(platform.env);
    const rows: Array<BackupBenchRow & { backupId: string }> = [];
    for (const chunkRows of CHUNK_SIZES) rows.push(await measureBackup(platform.env, chunkRows));
    const restore = await measureRestore(
      platform.env,
      rows.find((row) => row.chunkRows === 1_000)!.backupId,
    );
    // Statements are the implied reads plus a fixed few: 10 per backup (start, schema,
    // finish) and 3 per step (find, claim, commit), whatever the number of rows.
    const ok =
      rows.every((row) => row.statements <= row.chunkReads + 10 + 3 * row.steps) && restore.ok;
    return { rows, restore, ok, markdown: toMarkdown(rows, restore) };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runBackupBench();
  console.log(result.markdown);
  if (!result.ok) {
    console.warn("⚠ backup: D1 statements did not follow rows / chunk size, or the restore failed");
    process.exitCode = 1;
  }
}
