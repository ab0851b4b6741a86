import { applyD1Migrations, env } from "cloudflare:test";
import { createId } from "@paralleldrive/cuid2";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { seedDemoData } from "#db/demo-data";
import { auditLogs, featureFlags, systemBackups } from "#db/schema";
import { backupPrefix, manifestKey, tableObjectKey } from "~/domain/backups/keys";
import { parseManifest, type BackupManifest } from "~/domain/backups/manifest";
import { backUpDatabaseJob } from "~/jobs/back-up-database";
import { DAILY, JOB_REGISTRY } from "~/jobs/registry";
import { parseEnv } from "~/lib/env.server";
import {
  continueBackup,
  runBackup,
  startBackup,
  type BackupTuning,
} from "~/services/backups/backup-runs.server";
import { describeDatabase } from "~/services/backups/database-schema.server";
import { pruneBackups } from "~/services/backups/retention.server";
import { dryRunRestore, restoreBackup } from "~/services/backups/restore.server";

/**
 * Backups and restore (issue 12, ADR 0008) against two D1 databases of their own, declared for
 * tests in test/vitest.config.ts: BACKUP_SOURCE_DB (seeded here, written by no other test
 * file) and RESTORE_TARGET_DB (migrated and empty until the round trip fills it). Backup
 * objects go to the shared test bucket under `backups/<id>/`.
 */

const source = env.BACKUP_SOURCE_DB;
const target = env.RESTORE_TARGET_DB;
const sourceDb = createDb(source);
const files = env.FILES;
const appEnv = parseEnv(env);
const AUDIT_ROWS = 12_000;

/** Small steps, so the audit log spans several steps and objects. */
const SMALL_STEPS: Partial<BackupTuning> = { chunkRows: 1_000, maxStatements: 8 };

const clock = () => new Date();

async function rowsOf(d1: D1Database, table: string) {
  const { results } = await d1
    .prepare(`SELECT _rowid_ AS "_rowid_", * FROM "${table}" ORDER BY _rowid_`)
    .all<Record<string, unknown>>();
  return results;
}

async function userTables(d1: D1Database) {
  return (await describeDatabase(d1)).tables.map((table) => table.name).sort();
}

async function nonEmptyTables(d1: D1Database) {
  const nonEmpty: string[] = [];
  for (const table of await userTables(d1)) {
    const row = await d1.prepare(`SELECT count(*) AS n FROM "${table}"`).first<{ n: number }>();
    if (row!.n > 0) nonEmpty.push(table);
  }
  return nonEmpty;
}

/** The audit actions recorded about one backup in a database, sorted. */
async function backupAudit(d1: D1Database, backupId: string) {
  const rows = await createDb(d1)
    .select({ action: auditLogs.action })
    .from(auditLogs)
    .where(and(eq(auditLogs.entityType, "backup"), eq(auditLogs.entityId, backupId)));
  return rows.map((row) => row.action).sort();
}

async function replaceObject(key: string, change: (bytes: Uint8Array) => Uint8Array) {
  const object = await files.get(key);
  const original = new Uint8Array(await object!.arrayBuffer());
  await files.put(key, change(original.slice()));
  return () => files.put(key, original);
}

beforeAll(async () => {
  await applyD1Migrations(source, env.TEST_MIGRATIONS);
  await applyD1Migrations(target, env.TEST_MIGRATIONS);
  // Realistic rows in most tables (users, products, a membership with its ledger, a
  // project), a feature flag for the config part, and an audit log of more than 10,000 rows.
  await seedDemoData({ db: sourceDb, files, encryptionKeys: appEnv.encryptionKeys });
  await sourceDb.insert(featureFlags).values({
    key: "downloads",
    environment: "development",
    enabled: true,
    description: "Customers can download what they bought.",
  });
  await source
    .prepare(
      `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?1)
       INSERT INTO audit_logs (id, actor_id, actor_role, action, entity_type, entity_id, metadata, created_at)
       SELECT 'bulk' || n, NULL, NULL, 'DOWNLOAD_ATTEMPTED', 'download', 'd' || n,
         json_object('n', n, 'note', 'row ' || n || ' with "quotes", ünïcode and a \\ backslash'),
         1790000000000 + n
       FROM seq`,
    )
    .bind(AUDIT_ROWS)
    .run();
});

describe("a backup and its restore", () => {
  let backupId: string;
  let steps: number;
  let manifest: BackupManifest;

  beforeAll(async () => {
    const run = await runBackup(
      { d1: source, files },
      { trigger: "MANUAL", actor: null, clock, tuning: SMALL_STEPS },
    );
    if (!run.ok) throw new Error(run.message);
    backupId = run.progress.backupId;
    steps = run.steps;
    const stored = await files.get(manifestKey(backupId));
    const parsed = parseManifest(await stored!.text());
    if (!parsed.ok) throw new Error(parsed.message);
    manifest = parsed.manifest;
  });

  it("moves the row to COMPLETED with its size, rows and manifest, audited", async () => {
    const [row] = await sourceDb.select().from(systemBackups).where(eq(systemBackups.id, backupId));
    expect(row).toMatchObject({ status: "COMPLETED", trigger: "MANUAL", error: null });
    expect(row!.storagePrefix).toBe(backupPrefix(backupId));
    expect(row!.completedAt).toBeInstanceOf(Date);
    expect(row!.startedAt).toBeInstanceOf(Date);
    expect(row!.sizeBytes).toBeGreaterThan(manifest.totals.bytes);
    expect(row!.totalRows).toBe(manifest.totals.rows);
    expect(row!.manifest).toEqual(manifest);
    expect(await backupAudit(source, backupId)).toEqual(["BACKUP_COMPLETED", "BACKUP_STARTED"]);
  });

  it("dumps every table in dependency order, split across steps, with the schema version", async () => {
    expect(manifest.tables.map((table) => table.name).sort()).toEqual(await userTables(source));
    const order = manifest.tables.map((table) => table.name);
    expect(order.indexOf("users")).toBeLessThan(order.indexOf("memberships"));
    expect(order.indexOf("memberships")).toBeLessThan(order.indexOf("credit_transactions"));
    expect(order.indexOf("licenses")).toBeLessThan(order.indexOf("downloads"));
    const applied = await source
      .prepare(`SELECT count(*) AS n FROM d1_migrations`)
      .first<{ n: number }>();
    expect(manifest.schema.version).toBe(applied!.n - 1);
    expect(manifest.includes).toEqual({
      database: true,
      config: true,
      "audit-logs": true,
      files: true,
    });
    expect(manifest.config?.tiers).toHaveProperty("PRO");
    const audit = manifest.tables.find((table) => table.name === "audit_logs")!;
    expect(audit.rows).toBeGreaterThan(AUDIT_ROWS);
    expect(audit.objects.length).toBeGreaterThan(1);
    expect(audit.objects[0]!.key).toBe(tableObjectKey(backupId, "audit_logs", 1));
    expect(audit.objects[1]!.key).toBe(tableObjectKey(backupId, "audit_logs", 2));
    expect(steps).toBeGreaterThan(2);
    expect(manifest.files!.count).toBeGreaterThanOrEqual(5);
    // The backup's own row is not in its dump.
    expect(manifest.tables.find((table) => table.name === "system_backups")!.rows).toBe(0);
  });

  it("dry-runs a restore: what would be restored, every hash verified, nothing written", async () => {
    const dryRun = await dryRunRestore({ d1: target, files }, { backupId });
    if (!dryRun.ok) throw new Error(dryRun.message);
    const { plan } = dryRun;
    expect(plan.verifiedObjects).toBe(manifest.totals.objects);
    expect(plan.totals).toEqual(manifest.totals);
    expect(plan.nonEmpty).toEqual([]);
    // Other test files add and remove product objects in the shared bucket meanwhile.
    const filesCheck = plan.files!;
    expect(filesCheck.listed).toBe(manifest.files!.count);
    expect(filesCheck.present + filesCheck.missing + filesCheck.changed).toBe(filesCheck.listed);
    expect(plan.tables.map((table) => table.name).indexOf("users")).toBeLessThan(
      plan.tables.map((table) => table.name).indexOf("licenses"),
    );
    expect(await nonEmptyTables(target)).toEqual([]);
  });

  it("refuses a corrupted object (one byte changed) before writing anything", async () => {
    const key = tableObjectKey(backupId, "users", 1);
    const undo = await replaceObject(key, (bytes) => {
      bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
      return bytes;
    });
    try {
      const restored = await restoreBackup(
        { d1: target, files },
        { backupId, actor: null, now: new Date() },
      );
      expect(restored).toMatchObject({ ok: false, reason: "corrupted" });
      expect(restored.ok ? "" : restored.message).toContain(key);
      expect(await nonEmptyTables(target)).toEqual([]);
    } finally {
      await undo();
    }
  });

  it("refuses a backup of a newer schema before writing anything", async () => {
    const undo = await replaceObject(manifestKey(backupId), (bytes) => {
      const newer = JSON.parse(new TextDecoder().decode(bytes)) as BackupManifest;
      newer.schema = { version: newer.schema.version + 1, migration: "9999_from_the_future" };
      return new TextEncoder().encode(JSON.stringify(newer));
    });
    try {
      const restored = await restoreBackup(
        { d1: target, files },
        { backupId, actor: null, now: new Date() },
      );
      expect(restored).toMatchObject({ ok: false, reason: "newer-schema" });
      expect(await nonEmptyTables(target)).toEqual([]);
    } finally {
      await undo();
    }
  });

  it("round trip: restores into the empty database, every table identical row for row", async () => {
    const restored = await restoreBackup(
      { d1: target, files },
      { backupId, actor: null, now: new Date() },
    );
    if (!restored.ok) throw new Error(restored.message);
    expect(restored.checks.ok).toBe(true);
    expect(restored.checks.ledger.memberships).toBeGreaterThan(0);
    expect(restored.checks.ledger.failures).toEqual([]);
    expect(restored.rows).toBe(manifest.totals.rows);

    // Rows written by the backup and the restore themselves are the only difference: the
    // backup's own row and its BACKUP_COMPLETED (after the dump), and BACKUP_RESTORED.
    const ownRows = (table: string, row: Record<string, unknown>) =>
      (table === "system_backups" && row.id === backupId) ||
      (table === "audit_logs" && row.entity_type === "backup" && row.entity_id === backupId);
    expect(await userTables(target)).toEqual(await userTables(source));
    for (const table of await userTables(source)) {
      const before = (await rowsOf(source, table)).filter((row) => !ownRows(table, row));
      const after = (await rowsOf(target, table)).filter((row) => !ownRows(table, row));
      expect(after, table).toEqual(before);
    }
    expect(await backupAudit(target, backupId)).toEqual(["BACKUP_RESTORED", "BACKUP_STARTED"]);
  });

  it("refuses to restore into a database that holds rows", async () => {
    const again = await restoreBackup(
      { d1: target, files },
      { backupId, actor: null, now: new Date() },
    );
    expect(again).toMatchObject({ ok: false, reason: "not-empty" });
  });
});

describe("a backup that fails midway", () => {
  it("leaves a FAILED row with its error, audited, and no manifest or objects", async () => {
    // R2 refuses the `licenses` object: tables before it are written, then the step fails.
    const failing = new Proxy(files, {
      get(bucket, property) {
        const value: unknown = Reflect.get(bucket, property, bucket);
        if (typeof value !== "function") return value;
        if (property === "put" || property === "createMultipartUpload") {
          return (key: string, ...rest: unknown[]) => {
            if (key.includes("/licenses.")) throw new Error("R2 is unavailable (test)");
            return (value as (...args: unknown[]) => unknown).call(bucket, key, ...rest);
          };
        }
        return (value as (...args: unknown[]) => unknown).bind(bucket);
      },
    });
    const run = await runBackup(
      { d1: source, files: failing },
      { trigger: "SCHEDULED", actor: null, clock },
    );
    if (!run.ok) throw new Error(run.message);
    expect(run.progress).toMatchObject({ status: "FAILED", error: "R2 is unavailable (test)" });
    const backupId = run.progress.backupId;
    const [row] = await sourceDb.select().from(systemBackups).where(eq(systemBackups.id, backupId));
    expect(row).toMatchObject({ status: "FAILED", error: "R2 is unavailable (test)" });
    expect(row!.completedAt).toBeNull();
    expect(await files.head(manifestKey(backupId))).toBeNull();
    expect((await files.list({ prefix: backupPrefix(backupId) })).objects).toEqual([]);
    expect(await backupAudit(source, backupId)).toEqual(["BACKUP_FAILED", "BACKUP_STARTED"]);
    const dryRun = await dryRunRestore({ d1: target, files }, { backupId });
    expect(dryRun).toMatchObject({ ok: false, reason: "not-found" });
  });
});

describe("one backup at a time", () => {
  it("refuses a second start while one runs, and the daily job carries the running one on", async () => {
    const deps = { d1: source, files };
    const first = await startBackup(deps, { trigger: "MANUAL", actor: null, now: new Date() });
    if (!first.ok) throw new Error(first.message);
    const second = await startBackup(deps, {
      trigger: "PRE_DEPLOYMENT",
      actor: null,
      now: new Date(),
    });
    expect(second).toMatchObject({ ok: false, reason: "backup-running" });

    expect(JOB_REGISTRY[DAILY]).toContain(backUpDatabaseJob);
    const result = await backUpDatabaseJob.run({
      db: sourceDb,
      env: appEnv,
      bindings: { ...env, DB: source },
      now: new Date(),
    });
    expect(result).toMatchObject({ started: false, backupId: first.backupId, status: "COMPLETED" });
    const finished = await continueBackup(deps, { backupId: first.backupId, now: new Date() });
    expect(finished).toMatchObject({ ok: false, reason: "finished" });
  });
});

describe("retention", () => {
  it("removes the objects and rows the rule does not keep, in one audited batch", async () => {
    const now = new Date();
    const DAY = 86_400_000;
    const old = (days: number, trigger: "SCHEDULED" | "PRE_DEPLOYMENT", status = "COMPLETED") => ({
      id: createId(),
      trigger,
      status: status as "COMPLETED" | "FAILED",
      storagePrefix: "",
      manifest: {},
      error: status === "FAILED" ? "test" : null,
      completedAt: status === "COMPLETED" ? new Date(now.getTime() - days * DAY) : null,
      createdAt: new Date(now.getTime() - days * DAY),
    });
    const staleDeployment = old(40, "PRE_DEPLOYMENT");
    const recentDeployment = old(10, "PRE_DEPLOYMENT");
    const oldFailure = old(20, "SCHEDULED", "FAILED");
    // Two on the same UTC day two years ago (01:00 and 13:00, whatever the time is now): only
    // the newer one is that day's (and month's) backup.
    const dayStart = Math.floor((now.getTime() - 730 * DAY) / DAY) * DAY;
    const daysAgo = (at: number) => (now.getTime() - at) / DAY;
    const older = old(daysAgo(dayStart + DAY / 24), "SCHEDULED");
    const newer = old(daysAgo(dayStart + (13 * DAY) / 24), "SCHEDULED");
    const rows = [staleDeployment, recentDeployment, oldFailure, older, newer].map((row) => ({
      ...row,
      storagePrefix: backupPrefix(row.id),
    }));
    await sourceDb.insert(systemBackups).values(rows);
    for (const row of rows) await files.put(`${backupPrefix(row.id)}users.ndjson.gz`, "x");

    const result = await pruneBackups({ d1: source, files }, { now });
    const pruned = [staleDeployment.id, oldFailure.id, older.id];
    expect(result.plan.prune.sort()).toEqual(pruned.sort());
    expect(result.objectsDeleted).toBe(3);
    const left = await sourceDb.select({ id: systemBackups.id }).from(systemBackups);
    const leftIds = left.map((row) => row.id);
    for (const id of pruned) expect(leftIds).not.toContain(id);
    for (const id of [recentDeployment.id, newer.id]) expect(leftIds).toContain(id);
    for (const id of pruned)
      expect(await files.head(`${backupPrefix(id)}users.ndjson.gz`)).toBeNull();
    expect(await files.head(`${backupPrefix(newer.id)}users.ndjson.gz`)).not.toBeNull();
    const audits = await sourceDb
      .select({ metadata: auditLogs.metadata })
      .from(auditLogs)
      .where(eq(auditLogs.action, "BACKUPS_PRUNED"));
    const audit = audits.find((row) => JSON.stringify(row.metadata).includes(staleDeployment.id));
    expect(audit?.metadata).toMatchObject({ count: 3, objectsDeleted: 3 });
  });
});
