import { DAY_MS } from "./daily-series";

/**
 * The dashboard's health panel (docs/architecture.md §11): is each scheduled job alive and
 * working, and is the audit archive keeping up with the retention window.
 */

/**
 * Days audit rows stay in D1 before the archive job moves them to R2, unless the
 * environment says otherwise (`AUDIT_RETENTION_DAYS`).
 */
export const DEFAULT_AUDIT_RETENTION_DAYS = 180;

const HOUR_MS = 3_600_000;

/** How often a cron of ours fires: hourly when its hour field is `*`, else daily. */
export function cronPeriodMs(cron: string): number {
  const [, hour] = cron.trim().split(/\s+/);
  return hour === "*" ? HOUR_MS : DAY_MS;
}

export interface LastJobRun {
  job: string;
  lastStartedAt: Date;
  lastFinishedAt: Date;
  lastOk: boolean;
  lastDurationMs: number;
  lastError: string | null;
  lastSuccessAt: Date | null;
}

export type JobState = "never" | "ok" | "failing" | "late";

export interface JobHealth {
  name: string;
  cron: string;
  state: JobState;
  lastFinishedAt: Date | null;
  lastDurationMs: number | null;
  lastError: string | null;
  /** When it last worked: while failing, "failing since" this (null: never worked). */
  lastSuccessAt: Date | null;
}

/**
 * Every registered job, with its last run when there is one. A job whose last run worked but
 * is more than two periods old is "late": its cron has stopped firing.
 */
export function jobHealth(
  jobs: readonly { name: string; cron: string }[],
  runs: readonly LastJobRun[],
  now: Date,
): JobHealth[] {
  const byJob = new Map(runs.map((run) => [run.job, run]));
  return jobs.map(({ name, cron }) => {
    const run = byJob.get(name);
    if (!run) {
      return {
        name,
        cron,
        state: "never",
        lastFinishedAt: null,
        lastDurationMs: null,
        lastError: null,
        lastSuccessAt: null,
      };
    }
    const late = now.getTime() - run.lastFinishedAt.getTime() > 2 * cronPeriodMs(cron);
    return {
      name,
      cron,
      state: !run.lastOk ? "failing" : late ? "late" : "ok",
      lastFinishedAt: run.lastFinishedAt,
      lastDurationMs: run.lastDurationMs,
      lastError: run.lastError,
      lastSuccessAt: run.lastSuccessAt,
    };
  });
}

export interface AuditArchiveState {
  retentionDays: number;
  /** The newest archived day (its first millisecond), null before the first archive. */
  lastArchivedDay: Date | null;
  lastArchivedRows: number | null;
  lastArchiveVerified: boolean;
  /** Age in whole days of the oldest row still in D1; null when the log is empty. */
  oldestLiveAgeDays: number | null;
  /**
   * Rows older than the window plus a day's slack are still in D1: the daily archive job is
   * not keeping up (or not running).
   */
  behind: boolean;
}

export function auditArchiveState(input: {
  lastArchive: { rangeStart: Date; rowCount: number; verifiedAt: Date | null } | null;
  oldestLiveAt: Date | null;
  now: Date;
  retentionDays: number;
}): AuditArchiveState {
  const { lastArchive, oldestLiveAt, now, retentionDays } = input;
  // A row stamped a moment after `now` (clocks differ a little) is 0 days old, not -1.
  const ageDays =
    oldestLiveAt === null
      ? null
      : Math.max(0, Math.floor((now.getTime() - oldestLiveAt.getTime()) / DAY_MS));
  return {
    retentionDays,
    lastArchivedDay: lastArchive?.rangeStart ?? null,
    lastArchivedRows: lastArchive?.rowCount ?? null,
    lastArchiveVerified: lastArchive ? lastArchive.verifiedAt !== null : false,
    oldestLiveAgeDays: ageDays,
    behind: ageDays !== null && ageDays > retentionDays + 1,
  };
}
