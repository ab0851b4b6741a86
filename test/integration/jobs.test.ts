import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { eq, inArray } from "drizzle-orm";
import { jobRuns, sessions } from "#db/schema";
import { deleteExpiredSessionsJob } from "~/jobs/delete-expired-sessions";
import { HOURLY, JOB_REGISTRY } from "~/jobs/registry";
import { jobRunRecorder } from "~/services/job-runs.server";
import { parseEnv } from "~/lib/env.server";
import { createUser } from "../factories";

const db = createDb(env.DB);

async function insertSession(userId: string, expiresAt: number) {
  const [row] = await db
    .insert(sessions)
    .values({
      tokenHash: crypto.randomUUID(),
      userId,
      expiresAt: new Date(expiresAt),
      lastSeenAt: new Date(0),
    })
    .returning();
  return row!;
}

async function sessionExists(id: string) {
  return (await env.DB.prepare("select id from sessions where id = ?").bind(id).first()) !== null;
}

describe("delete-expired-sessions job", () => {
  it("deletes expired sessions, keeps live ones, and finds nothing the second time", async () => {
    const user = await createUser(db);
    const now = Date.UTC(2030, 0, 1);
    const expired = await insertSession(user.id, now - 1);
    const live = await insertSession(user.id, now + 60_000);
    const context = { db, env: parseEnv(env), bindings: env, now: new Date(now) };

    const first = await deleteExpiredSessionsJob.run(context);
    expect(first.deleted).toBeGreaterThanOrEqual(1);
    expect(await sessionExists(expired.id)).toBe(false);
    expect(await sessionExists(live.id)).toBe(true);
    expect(await deleteExpiredSessionsJob.run(context)).toEqual({ deleted: 0 });
  });
});

// The unknown-cron path is covered in test/unit/jobs: a rejection crossing the pool's
// `exports` RPC surfaces as an unhandled error in vitest-pool-workers.
describe("the Worker's scheduled handler", () => {
  const worker = (exports as unknown as { default: unknown }).default as {
    scheduled(controller: ScheduledController): Promise<void>;
  };
  const controller = (cron: string, scheduledTime: number) =>
    ({ cron, scheduledTime, noRetry() {} }) as ScheduledController;

  it("runs the hourly jobs to completion before it returns", async () => {
    const user = await createUser(db);
    const expired = await insertSession(user.id, Date.UTC(2001, 0, 1));
    // Long before any test's membership period ends: the hourly renewal job finds nothing due.
    await worker.scheduled(controller("0 * * * *", Date.UTC(2001, 0, 2)));
    expect(await sessionExists(expired.id)).toBe(false);
  });

  it("records each job's last run in job_runs for the dashboard", async () => {
    const names = JOB_REGISTRY[HOURLY]!.map((job) => job.name);
    const before = Date.now();
    await worker.scheduled(controller(HOURLY, Date.UTC(2001, 0, 2)));
    const rows = await db.select().from(jobRuns).where(inArray(jobRuns.job, names));
    expect(rows.map((row) => row.job).sort()).toEqual([...names].sort());
    for (const row of rows) {
      expect(row).toMatchObject({ cron: HOURLY, lastOk: true, lastError: null });
      // Other test files may fire the hourly cron too: this run or a later one.
      expect(row.lastStartedAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(row.lastSuccessAt).toEqual(row.lastFinishedAt);
      expect(row.lastResult).toEqual(expect.any(Object));
    }
  });
});

describe("the job_runs recorder", () => {
  it("keeps one row per job, and the last success across a failure", async () => {
    const record = jobRunRecorder(db);
    const job = `test-job-${crypto.randomUUID()}`;
    const run = (minute: number, ok: boolean) =>
      record({
        job,
        cron: "0 * * * *",
        startedAt: new Date(Date.UTC(2030, 0, 1, 0, minute)),
        finishedAt: new Date(Date.UTC(2030, 0, 1, 0, minute, 5)),
        ok,
        durationMs: 5_000,
        result: ok ? { done: minute } : null,
        error: ok ? null : `failed at ${minute}`,
      });
    const read = async () => db.select().from(jobRuns).where(eq(jobRuns.job, job));

    await run(1, true);
    await run(2, false);
    expect(await read()).toEqual([
      expect.objectContaining({
        lastOk: false,
        lastError: "failed at 2",
        lastResult: null,
        lastFinishedAt: new Date(Date.UTC(2030, 0, 1, 0, 2, 5)),
        lastSuccessAt: new Date(Date.UTC(2030, 0, 1, 0, 1, 5)),
      }),
    ]);
    await run(3, true);
    expect(await read()).toEqual([
      expect.objectContaining({
        lastOk: true,
        lastError: null,
        lastResult: { done: 3 },
        lastSuccessAt: new Date(Date.UTC(2030, 0, 1, 0, 3, 5)),
      }),
    ]);
  });
});
