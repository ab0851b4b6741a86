import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { sessions } from "#db/schema";
import { deleteExpiredSessionsJob } from "~/jobs/delete-expired-sessions";
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
});
