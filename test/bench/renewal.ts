/**
 * The renewal job's bench (issue 6): `BENCH_ONLY=renewal npm run bench`, or
 * `tsx test/bench/renewal.ts`. In a throw-away local D1 (migrated, no demo data), it seeds
 * 1,000 and then 10,000 due memberships (a mix of tiers, used credits and auto-renew off),
 * runs `renewDueMemberships` over each set with a counting proxy around the D1 binding, and
 * reports wall time and D1 statements. The statement count must not grow with the number of
 * memberships (a 10× larger set must not take 10× the statements).
 *
 * The sets use separate time windows: the 1,000 end on day 0, the 10,000 on day 10, and the
 * second run (day 10) comes before the first set's next period ends (day 30).
 */
import { createDb } from "#db/client";
import { TIERS } from "~/domain/memberships/tiers";
import { renewDueMemberships, RENEWAL_CHUNK_SIZE } from "~/services/ledger.server";
import { withMigratedState } from "./local-state";
import { countingD1 } from "./query-count";

export interface RenewalBenchRow {
  memberships: number;
  renewed: number;
  expired: number;
  wallMs: number;
  statements: number;
  batches: number;
}

export interface RenewalBenchResult {
  rows: RenewalBenchRow[];
  /** False when the larger set needed 10× the statements (or more) of the smaller one. */
  ok: boolean;
  markdown: string;
}

const DAY = 86_400_000;
const BASE = Date.UTC(2030, 0, 1);

/** Users, memberships and their opening ledger rows, in a few set-based statements. */
export async function seedDueMemberships(
  db: D1Database,
  prefix: string,
  count: number,
  periodEnd: number,
) {
  const start = periodEnd - 30 * DAY;
  const seq = `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${count})`;
  const tier = `CASE n % 3 WHEN 0 THEN 'BASIC_ACCESS' WHEN 1 THEN 'PRO' ELSE 'MANAGED' END`;
  const allocation = `CASE n % 3 WHEN 0 THEN ${TIERS.BASIC_ACCESS.creditsPerPeriod} WHEN 1 THEN ${TIERS.PRO.creditsPerPeriod} ELSE ${TIERS.MANAGED.creditsPerPeriod} END`;
  const used = `((n * 7) % (${allocation} + 1))`;
  await db.batch([
    db.prepare(
      `${seq} INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
       SELECT '${prefix}u' || n, '${prefix}-' || n || '@bench.test', 'Bench member ' || n, 'x', ${start}, ${start} FROM seq`,
    ),
    db.prepare(
      `${seq} INSERT INTO memberships (id, user_id, tier, status, total_credits, used_credits, auto_renew, current_period_start, current_period_end, paid_through, created_at, updated_at)
       SELECT '${prefix}m' || n, '${prefix}u' || n, ${tier}, 'ACTIVE', ${allocation}, ${used}, (n % 5 <> 0), ${start}, ${periodEnd}, ${periodEnd}, ${start}, ${start} FROM seq`,
    ),
    db.prepare(
      `${seq} INSERT INTO credit_transactions (id, membership_id, user_id, type, amount, balance, description, idempotency_key, created_at)
       SELECT '${prefix}a' || n, '${prefix}m' || n, '${prefix}u' || n, 'INITIAL_ALLOCATION', ${allocation}, ${allocation}, 'Bench allocation', 'bench:${prefix}:a:' || n, ${start} FROM seq`,
    ),
    db.prepare(
      `${seq} INSERT INTO credit_transactions (id, membership_id, user_id, type, amount, balance, description, idempotency_key, created_at)
       SELECT '${prefix}s' || n, '${prefix}m' || n, '${prefix}u' || n, 'USAGE', -${used}, ${allocation} - ${used}, 'Bench usage', 'bench:${prefix}:s:' || n, ${start + DAY} FROM seq WHERE ${used} > 0`,
    ),
  ]);
}

async function measure(
  bindings: { DB: D1Database },
  prefix: string,
  count: number,
  periodEnd: number,
) {
  await seedDueMemberships(bindings.DB, prefix, count, periodEnd);
  const counter = { statements: 0, batches: 0 };
  const db = createDb(countingD1(bindings.DB, counter));
  const started = performance.now();
  const result = await renewDueMemberships(db, { now: new Date(periodEnd + 60_000) });
  const wallMs = performance.now() - started;
  const row: RenewalBenchRow = {
    memberships: count,
    renewed: result.renewed,
    expired: result.expired,
    wallMs,
    ...counter,
  };
  if (row.renewed + row.expired !== count) {
    throw new Error(
      `renewal bench: ${count} due, but ${row.renewed} renewed + ${row.expired} expired`,
    );
  }
  // A second run of the same tick must find nothing.
  const again = await renewDueMemberships(createDb(bindings.DB), {
    now: new Date(periodEnd + 60_000),
  });
  if (again.renewed + again.expired !== 0)
    throw new Error("renewal bench: the second run changed something");
  return row;
}

function toMarkdown(rows: RenewalBenchRow[]): string {
  const table = [
    "| due memberships | renewed | expired | wall time | D1 statements | batches |",
    "|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (row) =>
        `| ${row.memberships.toLocaleString("en-US")} | ${row.renewed.toLocaleString("en-US")} | ${row.expired.toLocaleString("en-US")} | ${Math.round(row.wallMs).toLocaleString("en-US")} ms | ${row.statements} | ${row.batches} |`,
    ),
  ].join("\n");
  return `## Membership renewal job

The hourly renewal job (\`renewDueMemberships\`, app/services/ledger.server.ts) over due
memberships seeded at bench time in a fresh local D1 (through \`getPlatformProxy\`): a third
of each tier, used credits spread over the allocation, one in five with auto-renew off (those
expire). Statements are counted with a proxy around the D1 binding. The job is set-based: the
same 8 statements per batch of up to ${RENEWAL_CHUNK_SIZE.toLocaleString("en-US")} memberships,
whatever the number of memberships.

${table}`;
}

export async function runRenewalBench(): Promise<RenewalBenchResult> {
  return withMigratedState("storefront-bench-renewal-", async (platform) => {
    const rows = [
      await measure(platform.env, "r1k", 1_000, BASE),
      await measure(platform.env, "r10k", 10_000, BASE + 10 * DAY),
    ];
    const ok = rows[1]!.statements < rows[0]!.statements * 10;
    return { rows, ok, markdown: toMarkdown(rows) };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runRenewalBench();
  console.log(result.markdown);
  if (!result.ok) {
    console.warn("⚠ the renewal job's statement count grew with the number of memberships");
    process.exitCode = 1;
  }
}
