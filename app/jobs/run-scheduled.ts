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

/**
 * Run every job registered for `cron`, one after another, awaiting each. Every outcome is
 * logged as one JSON line. A cron with no jobs, or any failed job, throws so the
 * invocation is marked failed in Cloudflare's dashboard instead of passing silently.
 */
export async function runScheduledJobs(
  cron: string,
  registry: Readonly<Record<string, readonly Job[]>>,
  context: JobContext,
  logger: Logger = console,
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
    const started = Date.now();
    try {
      const result = await job.run(context);
      const outcome = { job: job.name, ok: true, durationMs: Date.now() - started, result };
      logger.log(JSON.stringify({ level: "info", event: "job.completed", cron, ...outcome }));
      outcomes.push(outcome);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const outcome = {
        job: job.name,
        ok: false,
        durationMs: Date.now() - started,
        error: message,
      };
      logger.error(JSON.stringify({ level: "error", event: "job.failed", cron, ...outcome }));
      outcomes.push(outcome);
    }
  }
  if (outcomes.some((outcome) => !outcome.ok)) throw new JobsFailedError(outcomes);
  return outcomes;
}
