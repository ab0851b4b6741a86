import { describe, expect, it, vi } from "vitest";
import { JOB_REGISTRY } from "~/jobs/registry";
import {
  JobsFailedError,
  runScheduledJobs,
  scheduledJobs,
  UnknownCronError,
  type JobRunRecord,
} from "~/jobs/run-scheduled";
import type { Job, JobContext } from "~/jobs/types";
import wranglerToml from "../../../wrangler.toml?raw";

const context = { now: new Date(0) } as JobContext;
const quietLogger = () => ({ log: vi.fn(), error: vi.fn() });

describe("runScheduledJobs", () => {
  it("runs every job of the cron in order, awaiting each, and logs its result", async () => {
    const order: string[] = [];
    const job = (name: string): Job => ({
      name,
      run: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push(name);
        return { done: 1 };
      },
    });
    const logger = quietLogger();
    const outcomes = await runScheduledJobs(
      "* * * * *",
      { "* * * * *": [job("a"), job("b")] },
      context,
      { logger },
    );
    expect(order).toEqual(["a", "b"]);
    expect(outcomes.map((outcome) => [outcome.job, outcome.ok, outcome.result])).toEqual([
      ["a", true, { done: 1 }],
      ["b", true, { done: 1 }],
    ]);
    expect(logger.log).toHaveBeenCalledTimes(2);
    expect(JSON.parse(logger.log.mock.calls[0]![0] as string)).toMatchObject({
      event: "job.completed",
      job: "a",
    });
  });

  it("reports an unknown cron expression instead of ignoring it", async () => {
    const logger = quietLogger();
    await expect(runScheduledJobs("*/5 * * * *", {}, context, { logger })).rejects.toBeInstanceOf(
      UnknownCronError,
    );
    expect(logger.error).toHaveBeenCalledWith(expect.stringContaining("cron.unknown"));
  });

  it("still runs the other jobs when one fails, then fails the invocation", async () => {
    const ran: string[] = [];
    const registry = {
      cron: [
        { name: "broken", run: async () => Promise.reject(new Error("boom")) },
        { name: "healthy", run: async () => (ran.push("healthy"), {}) },
      ] satisfies Job[],
    };
    const logger = quietLogger();
    const error = await runScheduledJobs("cron", registry, context, { logger }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(JobsFailedError);
    expect((error as JobsFailedError).outcomes.map((outcome) => outcome.ok)).toEqual([false, true]);
    expect(ran).toEqual(["healthy"]);
  });

  it("hands every finished job to the recorder, with its times, result or error", async () => {
    const registry = {
      cron: [
        { name: "healthy", run: async () => ({ sent: 2 }) },
        { name: "broken", run: async () => Promise.reject(new Error("boom")) },
      ] satisfies Job[],
    };
    let tick = 1_000;
    const recorded: JobRunRecord[] = [];
    await runScheduledJobs("cron", registry, context, {
      logger: quietLogger(),
      recordRun: async (run) => void recorded.push(run),
      clock: () => (tick += 5),
    }).catch(() => undefined);
    expect(recorded).toEqual([
      {
        job: "healthy",
        cron: "cron",
        startedAt: new Date(1_005),
        finishedAt: new Date(1_010),
        ok: true,
        durationMs: 5,
        result: { sent: 2 },
        error: null,
      },
      {
        job: "broken",
        cron: "cron",
        startedAt: new Date(1_015),
        finishedAt: new Date(1_020),
        ok: false,
        durationMs: 5,
        result: null,
        error: "boom",
      },
    ]);
  });

  it("runs the jobs and keeps going when the recorder fails, logging that instead", async () => {
    const ran: string[] = [];
    const registry = {
      cron: [
        { name: "a", run: async () => (ran.push("a"), {}) },
        { name: "b", run: async () => (ran.push("b"), {}) },
      ] satisfies Job[],
    };
    const logger = quietLogger();
    const outcomes = await runScheduledJobs("cron", registry, context, {
      logger,
      recordRun: async () => Promise.reject(new Error("D1 is away")),
    });
    expect(ran).toEqual(["a", "b"]);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    expect(logger.error).toHaveBeenCalledTimes(2);
    expect(JSON.parse(logger.error.mock.calls[0]![0] as string)).toMatchObject({
      event: "job.record-failed",
      job: "a",
      message: "D1 is away",
    });
  });

  it("lists every registered job with its cron", () => {
    expect(scheduledJobs({ x: [{ name: "one", run: async () => ({}) }], y: [] })).toEqual([
      { name: "one", cron: "x" },
    ]);
    const names = scheduledJobs(JOB_REGISTRY).map((job) => job.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("registers jobs for exactly the crons of every environment in wrangler.toml", () => {
    const cronLines = [...wranglerToml.matchAll(/^crons = (\[.*\])$/gm)].map((match) => match[1]!);
    expect(cronLines.length).toBe(3); // top level, staging, production
    for (const line of cronLines) {
      expect((JSON.parse(line) as string[]).sort()).toEqual(Object.keys(JOB_REGISTRY).sort());
    }
    for (const jobs of Object.values(JOB_REGISTRY)) expect(jobs.length).toBeGreaterThan(0);
  });
});
