import type { Database } from "#db/client";
import { jobRuns } from "#db/schema";
import type { JobRunRecord } from "~/jobs/run-scheduled";

/**
 * The last run of each scheduled job, one row per job overwritten by every run, for the
 * dashboard's health panel (docs/architecture.md §11). The log lines stay the full history.
 */
export function jobRunRecorder(db: Database) {
  return async (run: JobRunRecord): Promise<void> => {
    const lastRun = {
      cron: run.cron,
      lastStartedAt: run.startedAt,
      lastFinishedAt: run.finishedAt,
      lastOk: run.ok,
      lastDurationMs: Math.max(0, Math.round(run.durationMs)),
      lastResult: run.ok ? run.result : null,
      lastError: run.ok ? null : run.error,
    };
    // A failure leaves last_success_at alone, so the page can say since when a job fails.
    const success = run.ok ? { lastSuccessAt: run.finishedAt } : {};
    await db
      .insert(jobRuns)
      .values({ job: run.job, ...lastRun, ...success })
      .onConflictDoUpdate({ target: jobRuns.job, set: { ...lastRun, ...success } });
  };
}

/** Every recorded job's last run (one row per job: a handful). */
export function jobRunsStatement(db: Database) {
  return db.select().from(jobRuns);
}
