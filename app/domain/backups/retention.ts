import type { BackupStatus, BackupTrigger } from "#db/schema/enums";

/**
 * Which backups to keep (issue 12, ADR 0008), pure with `now` passed in:
 * - of the completed SCHEDULED and MANUAL backups, the newest of each of the 7 most recent UTC
 *   days, 4 most recent ISO weeks and 12 most recent months that have one (restic's
 *   `--keep-daily/--keep-weekly/--keep-monthly`: if backups stop, the last ones are never
 *   pruned for being old);
 * - every completed PRE_DEPLOYMENT backup for 30 days;
 * - a FAILED backup for 7 days (the dashboard shows it), a PENDING or IN_PROGRESS one always.
 * Everything else is pruned.
 */
export const RETENTION = {
  daily: 7,
  weekly: 4,
  monthly: 12,
  preDeploymentDays: 30,
  failedDays: 7,
} as const;

const DAY_MS = 86_400_000;

export interface RetentionCandidate {
  id: string;
  trigger: BackupTrigger;
  status: BackupStatus;
  createdAt: Date;
}

export type KeepReason = "daily" | "weekly" | "monthly" | "pre-deployment" | "running" | "failed";

export interface RetentionPlan {
  keep: Array<{ id: string; reasons: KeepReason[] }>;
  prune: string[];
}

const dayKey = (at: Date) => at.toISOString().slice(0, 10);
const monthKey = (at: Date) => at.toISOString().slice(0, 7);

/** ISO 8601 week, e.g. `2026-W49` (weeks start on Monday; week 1 holds the first Thursday). */
export function isoWeekKey(at: Date): string {
  const date = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((date.getTime() - yearStart) / DAY_MS + 1) / 7);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/** The newest backup of each of the `count` most recent periods that have one. */
function newestPerPeriod(
  newestFirst: readonly RetentionCandidate[],
  periodOf: (at: Date) => string,
  count: number,
): Set<string> {
  const seen = new Set<string>();
  const kept = new Set<string>();
  for (const backup of newestFirst) {
    if (seen.size >= count) break;
    const period = periodOf(backup.createdAt);
    if (seen.has(period)) continue;
    seen.add(period);
    kept.add(backup.id);
  }
  return kept;
}

export function planRetention(
  backups: readonly RetentionCandidate[],
  now: Date,
  rules: typeof RETENTION = RETENTION,
): RetentionPlan {
  const ageDays = (backup: RetentionCandidate) =>
    (now.getTime() - backup.createdAt.getTime()) / DAY_MS;
  const rotating = backups
    .filter((backup) => backup.status === "COMPLETED" && backup.trigger !== "PRE_DEPLOYMENT")
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id.localeCompare(a.id));
  const daily = newestPerPeriod(rotating, dayKey, rules.daily);
  const weekly = newestPerPeriod(rotating, isoWeekKey, rules.weekly);
  const monthly = newestPerPeriod(rotating, monthKey, rules.monthly);

  const plan: RetentionPlan = { keep: [], prune: [] };
  for (const backup of backups) {
    const reasons: KeepReason[] = [];
    if (backup.status === "PENDING" || backup.status === "IN_PROGRESS") reasons.push("running");
    if (backup.status === "FAILED" && ageDays(backup) < rules.failedDays) reasons.push("failed");
    if (backup.status === "COMPLETED" && backup.trigger === "PRE_DEPLOYMENT") {
      if (ageDays(backup) < rules.preDeploymentDays) reasons.push("pre-deployment");
    }
    if (daily.has(backup.id)) reasons.push("daily");
    if (weekly.has(backup.id)) reasons.push("weekly");
    if (monthly.has(backup.id)) reasons.push("monthly");
    if (reasons.length > 0) plan.keep.push({ id: backup.id, reasons });
    else plan.prune.push(backup.id);
  }
  return plan;
}
