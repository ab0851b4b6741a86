import { env } from "cloudflare:test";
import { and, eq, gte, lt, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { auditLogArchives, auditLogs } from "#db/schema";
import { archiveKey, stagingPrefix } from "~/domain/audit/archive";
import { archiveAuditLogsJob } from "~/jobs/archive-audit-logs";
import { backUpDatabaseJob } from "~/jobs/back-up-database";
import { DAILY, JOB_REGISTRY } from "~/jobs/registry";
import {
  archiveAuditLogs,
  readArchive,
  type ArchivedAuditRow,
} from "~/services/audit-archive.server";
import { searchAuditLog } from "~/services/audit-viewer.server";

/**
 * The audit archive (issue 12 §2). Everything happens in 1990, long before any row another
 * test writes, with a run date of 15 Jul 1990 and 180 days of retention: days before
 * 16 Jan 1990 are archived, later ones stay.
 */

const db = createDb(env.DB);
const files = env.FILES;
const NOW = new Date(Date.UTC(1990, 6, 15, 3, 30));
const RETENTION = 180;
const deps = { d1: env.DB, files };
const DAY_MS = 86_400_000;
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
/** Rows this file seeds live in [SPAN_START, SPAN_END); the AUDIT_ARCHIVED rows come later. */
const SPAN_START = day("1989-12-01");
const SPAN_END = day("1990-07-01");

/** Insert `count` rows on one UTC day, spread over it, with awkward metadata. */
async function seedDay(iso: string, count: number, tag: string) {
  const start = day(iso);
  await env.DB.prepare(
    `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?1)
     INSERT INTO audit_logs (id, actor_id, actor_role, action, entity_type, entity_id, ip_hash,
       user_agent, request_id, metadata, created_at)
     SELECT ?2 || n, 'actor' || (n % 3), 'MODERATOR', 'RESET_APPROVED', 'reset_request',
       'req' || n, 'abcdef' || (n % 5), 'Mozilla/5.0 "quoted"', 'rq' || n,
       json_object('n', n, 'note', 'row ' || n || ' with "quotes", ünïcode, a \\ and a
newline'),
       ?3 + (n * 7919) % ?4
     FROM seq`,
  )
    .bind(count, tag, start, DAY_MS)
    .run();
}

async function rowsBetween(start: number, end: number) {
  const { results } = await env.DB.prepare(
    "SELECT * FROM audit_logs WHERE created_at >= ?1 AND created_at < ?2 ORDER BY created_at, id",
  )
    .bind(start, end)
    .all<ArchivedAuditRow>();
  return results;
}

const countSpan = async () => (await rowsBetween(SPAN_START, SPAN_END)).length;

async function archiveOf(iso: string) {
  const [row] = await db
    .select()
    .from(auditLogArchives)
    .where(eq(auditLogArchives.storageKey, archiveKey(iso)));
  return row ?? null;
}

async function archivedRowsInSpan() {
  const [row] = await db
    .select({ rows: sql<number>`coalesce(sum(${auditLogArchives.rowCount}), 0)` })
    .from(auditLogArchives)
    .where(
      and(
        gte(auditLogArchives.rangeStart, new Date(SPAN_START)),
        lt(auditLogArchives.rangeStart, new Date(SPAN_END)),
      ),
    );
  return row!.rows;
}

/** This file's archive rows (another file may put a day of its own in the archive). */
const ownArchives = () =>
  db
    .select()
    .from(auditLogArchives)
    .where(
      and(
        gte(auditLogArchives.rangeStart, new Date(SPAN_START)),
        lt(auditLogArchives.rangeStart, new Date(SPAN_END)),
      ),
    );

async function readBack(iso: string) {
  const archive = await archiveOf(iso);
  const rows: ArchivedAuditRow[] = [];
  const read = await readArchive(files, archive!, (row) => rows.push(row));
  return { read, rows };
}

/** A bucket whose reads of `key` return the object with one byte changed. */
function bucketCorrupting(key: string): R2Bucket {
  const real = files;
  return {
    head: (k: string) => real.head(k),
    put: (...args: Parameters<R2Bucket["put"]>) => real.put(...args),
    list: (options?: R2ListOptions) => real.list(options),
    delete: (keys: string | string[]) => real.delete(keys),
    createMultipartUpload: (...args: Parameters<R2Bucket["createMultipartUpload"]>) =>
      real.createMultipartUpload(...args),
    async get(k: string) {
      const object = await real.get(k);
      if (!object || k !== key) return object;
      const bytes = new Uint8Array(await object.arrayBuffer());
      bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
      return { body: new Response(bytes).body } as unknown as R2ObjectBody;
    },
  } as unknown as R2Bucket;
}

async function flipOneByte(key: string) {
  const object = await files.get(key);
  const original = new Uint8Array(await object!.arrayBuffer());
  const changed = original.slice();
  changed[Math.floor(changed.length / 2)]! ^= 0x01;
  await files.put(key, changed);
  return () => files.put(key, original);
}

describe("the audit archive", () => {
  const before: Record<string, ArchivedAuditRow[]> = {};
  let total: number;

  beforeAll(async () => {
    await seedDay("1990-01-10", 40, "a");
    await seedDay("1990-01-12", 7, "b");
    await seedDay("1990-01-15", 3, "c");
    await seedDay("1990-01-16", 5, "d"); // the first day kept
    await seedDay("1990-03-01", 4, "e");
    for (const iso of ["1990-01-10", "1990-01-12", "1990-01-15"]) {
      before[iso] = await rowsBetween(day(iso), day(iso) + DAY_MS);
    }
    total = await countSpan();
  });

  it("runs daily, before the backup", () => {
    const daily = JOB_REGISTRY[DAILY]!;
    expect(daily).toContain(archiveAuditLogsJob);
    expect(daily.indexOf(archiveAuditLogsJob)).toBeLessThan(daily.indexOf(backUpDatabaseJob));
  });

  it("moves each whole old day to R2, verified, and deletes only those days", async () => {
    const report = await archiveAuditLogs(deps, { now: NOW, retentionDays: RETENTION });
    expect(report.archivedDays).toEqual(["1990-01-10", "1990-01-12", "1990-01-15"]);
    expect(report.archivedRows).toBe(50);
    expect(report.pendingDay).toBeNull();

    // Rows archived + rows remaining = rows before.
    const remaining = await countSpan();
    expect(remaining).toBe(9);
    expect((await archivedRowsInSpan()) + remaining).toBe(total);

    for (const iso of ["1990-01-10", "1990-01-12", "1990-01-15"]) {
      const archive = await archiveOf(iso);
      expect(archive).toMatchObject({
        storageKey: `audit/1990/01/${iso.slice(8)}.ndjson.gz`,
        rowCount: before[iso]!.length,
        rangeStart: new Date(day(iso)),
        rangeEnd: new Date(day(iso) + DAY_MS),
        verifiedAt: NOW,
      });
      // Read back: identical, row for row, as JSON.
      const { read, rows } = await readBack(iso);
      expect(read.ok).toBe(true);
      expect(rows.map((row) => JSON.stringify(row))).toEqual(
        before[iso]!.map((row) => JSON.stringify(row)),
      );
      expect(await rowsBetween(day(iso), day(iso) + DAY_MS)).toEqual([]);
    }

    const audited = await db
      .select({ metadata: auditLogs.metadata, createdAt: auditLogs.createdAt })
      .from(auditLogs)
      .where(eq(auditLogs.action, "AUDIT_ARCHIVED"));
    const first = await archiveOf("1990-01-10");
    expect(audited.map((row) => row.metadata)).toContainEqual(
      expect.objectContaining({ day: "1990-01-10", rows: 40, sha256: first!.sha256 }),
    );
    // Nothing is left staged.
    expect((await files.list({ prefix: stagingPrefix("1990-01-10") })).objects).toEqual([]);
  });

  it("archives nothing twice, and leaves late rows of an archived day alone", async () => {
    const archivesBefore = await ownArchives();
    const again = await archiveAuditLogs(deps, { now: NOW, retentionDays: RETENTION });
    expect(again.archivedDays).toEqual([]);
    expect(again.leftoverDays).toEqual([]);
    expect(await ownArchives()).toEqual(archivesBefore);

    // A row that turns up later in an archived day is not in its object: it stays.
    await seedDay("1990-01-12", 1, "late");
    const late = await archiveAuditLogs(deps, { now: NOW, retentionDays: RETENTION });
    expect(late.archivedDays).toEqual([]);
    expect(late.leftoverDays).toEqual(["1990-01-12"]);
    expect(await rowsBetween(day("1990-01-12"), day("1990-01-13"))).toHaveLength(1);
    expect(await ownArchives()).toEqual(archivesBefore);
  });

  it("deletes nothing when the object read back does not match", async () => {
    await seedDay("1990-01-05", 6, "f");
    const rows = await rowsBetween(day("1990-01-05"), day("1990-01-06"));
    const corrupting = bucketCorrupting(archiveKey("1990-01-05"));
    await expect(
      archiveAuditLogs({ d1: env.DB, files: corrupting }, { now: NOW, retentionDays: RETENTION }),
    ).rejects.toThrow(/does not match/);
    expect(await rowsBetween(day("1990-01-05"), day("1990-01-06"))).toEqual(rows);
    expect(await archiveOf("1990-01-05")).toBeNull();

    // With a sound bucket, the next run finishes the day from what it staged.
    const report = await archiveAuditLogs(deps, { now: NOW, retentionDays: RETENTION });
    expect(report.archivedDays).toEqual(["1990-01-05"]);
    const back = await readBack("1990-01-05");
    expect(back.rows.map((row) => JSON.stringify(row))).toEqual(
      rows.map((row) => JSON.stringify(row)),
    );
  });

  it("refuses to search an archived day whose object was changed", async () => {
    const viewer = { db, d1: env.DB, files };
    const sound = await searchAuditLog(viewer, {
      filters: { archive: "1990-01-10" },
      cursor: null,
      pageSize: 100,
    });
    expect(sound.ok && sound.items.map((row) => row.id).sort()).toEqual(
      before["1990-01-10"]!.map((row) => row.id).sort(),
    );
    const restore = await flipOneByte(archiveKey("1990-01-10"));
    try {
      const refused = await searchAuditLog(viewer, {
        filters: { archive: "1990-01-10" },
        cursor: null,
      });
      expect(refused).toMatchObject({ ok: false, reason: "archive-corrupt" });
    } finally {
      await restore();
    }
  });

  it("finishes a day too big for one run across several runs", async () => {
    await seedDay("1990-01-03", 1_200, "g");
    const rows = await rowsBetween(day("1990-01-03"), day("1990-01-04"));
    const tuning = { chunkRows: 100, maxStatements: 5 };
    const first = await archiveAuditLogs(deps, { now: NOW, retentionDays: RETENTION, tuning });
    expect(first.pendingDay).toBe("1990-01-03");
    expect(first.statements).toBeLessThanOrEqual(6);
    expect(await archiveOf("1990-01-03")).toBeNull();
    expect(await rowsBetween(day("1990-01-03"), day("1990-01-04"))).toHaveLength(1_200);

    let runs = 1;
    let report = first;
    while (report.pendingDay && runs < 50) {
      report = await archiveAuditLogs(deps, { now: NOW, retentionDays: RETENTION, tuning });
      runs += 1;
    }
    expect(runs).toBeGreaterThan(2);
    expect(report.archivedDays).toEqual(["1990-01-03"]);
    expect(await archiveOf("1990-01-03")).toMatchObject({ rowCount: 1_200 });
    expect(await rowsBetween(day("1990-01-03"), day("1990-01-04"))).toEqual([]);
    const back = await readBack("1990-01-03");
    expect(back.rows.map((row) => JSON.stringify(row))).toEqual(
      rows.map((row) => JSON.stringify(row)),
    );
  });
});
