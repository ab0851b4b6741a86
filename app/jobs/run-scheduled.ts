import type { Job, JobContext, JobResult } from "./types";

export interface JobOutcome {
  job: string;
  ok: boolean;
  durationMs: number;
  result?: JobResult;
  error?: string;
}

export class UnknownCronError extends Error {
  override name = "UnknownCronError";
  constructor(readonly cron: string) {
    super(
      `No jobs are registered for cron "${cron}"; check wrangler.toml [triggers] against app/jobs/registry.ts`,
    );
  }
}

export class JobsFailedError extends Error {
  override name = "JobsFailedError";
  constructor(readonly outcomes: JobOutcome[]) {
    super(
      `Scheduled jobs failed: ${outcomes
        .filter((o) => !o.ok)
        .map((o) => o.job)
        .join(", ")}`,
    );
  }
}

type Logger = Pick<Console, "log" | "error">;

/** What the runner reports about one job once it has finished, for the `job_runs` table. */
export interface JobRunRecord {
  job: string;
  cron: string;
  startedAt: Date;
  finishedAt: Date;
  ok: boolean;
  durationMs: number;
  result: JobResult | null;
  error: string | null;
}

/** Keeps a finished job's record (app/services/job-runs.server.ts in the Worker). */
export type JobRunRecorder = (run: JobRunRecord) => Promise<void>;

export interface RunOptions {
  logger?: Logger;
  /** Called after each job; a recorder that fails is logged, never fails the job. */
  recordRun?: JobRunRecorder;
  /** Wall clock for durations and the recorded times (jobs themselves get `context.now`). */
  clock?: () => number;
}

/** Every registered job with its cron, in registry order (the dashboard lists them all). */
export function scheduledJobs(
  registry: Readonly<Record<string, readonly Job[]>>,
): Array<{ name: string; cron: string }> {
  return Object.entries(registry).flatMap(([cron, jobs]) =>
    jobs.map((job) => ({ name: job.name, cron })),
  );
}

/**
 * Run every job registered for `cron`, one after another, awaiting each. Every outcome is
 * logged as one JSON line and handed to `recordRun`. A cron with no jobs, or any failed job,
 * throws so the invocation is marked failed in Cloudflare's dashboard instead of passing
 * silently.
 */
export async function runScheduledJobs(
  cron: string,
  registry: Readonly<Record<string, readonly Job[]>>,
  context: JobContext,
  { logger = console, recordRun, clock = Date.now }: RunOptions = {},
): Promise<JobOutcome[]> {
  const jobs = registry[cron];
  if (!jobs || jobs.length === 0) {
    const error = new UnknownCronError(cron);
    logger.error(
      JSON.stringify({ level: "error", event: "cron.unknown", cron, message: error.message }),
    );
    throw error;
  }

  const outcomes: JobOutcome[] = [];
  for (const job of jobs) {
    const started = clock();
    let outcome: JobOutcome;
    try {
      const result = await job.run(context);
      outcome = { job: job.name, ok: true, durationMs: clock() - started, result };
      logger.log(JSON.stringify({ level: "info", event: "job.completed", cron, ...outcome }));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      outcome = { job: job.name, ok: false, durationMs: clock() - started, error: message };
      logger.error(JSON.stringify({ level: "error", event: "job.failed", cron, ...outcome }));
    }
    outcomes.push(outcome);
    if (recordRun) await record(recordRun, cron, started, outcome, logger);
  }
  if (outcomes.some((outcome) => !outcome.ok)) throw new JobsFailedError(outcomes);
  return outcomes;
}

/** The job has run either way: a record that cannot be written is a log line, not a failure. */
async function record(
  recordRun: JobRunRecorder,
  cron: string,
  started: number,
  outcome: JobOutcome,
  logger: Logger,
) {
  try {
    await recordRun({
      job: outcome.job,
      cron,
      startedAt: new Date(started),
      finishedAt: new Date(started + outcome.durationMs),
      ok: outcome.ok,
      durationMs: outcome.durationMs,
      result: outcome.result ?? null,
      error: outcome.error ?? null,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.error(
      JSON.stringify({
        level: "error",
        event: "job.record-failed",
        cron,
        job: outcome.job,
        message,
      }),
    );
  }
}
