import {
  continueBackup,
  failAbandonedBackups,
  startBackup,
} from "~/services/backups/backup-runs.server";
import { pruneBackups } from "~/services/backups/retention.server";
import type { Job, JobResult } from "./types";

/**
 * The daily backup (docs/architecture.md §11, ADR 0008): starts today's SCHEDULED backup and
 * takes its first step (a backup already running, manual or left over, goes on instead: one
 * at a time), then applies the retention rule. The hourly `continue-backup` job takes the
 * steps a large database needs after the first. A step that failed fails the job, after
 * retention ran, so the cron shows red in Cloudflare's dashboard.
 */
export const backUpDatabaseJob: Job = {
  name: "back-up-database",
  async run({ bindings, now }) {
    const deps = { d1: bindings.DB, files: bindings.FILES };
    const started = await startBackup(deps, { trigger: "SCHEDULED", actor: null, now });
    const step = await continueBackup(deps, {
      backupId: started.ok ? started.backupId : undefined,
      now,
    });
    const retention = await pruneBackups(deps, { now });
    const result: JobResult = {
      started: started.ok,
      kept: retention.kept,
      pruned: retention.pruned,
      objectsDeleted: retention.objectsDeleted,
      ...stepResult(step),
    };
    if (step.ok && step.progress.status === "FAILED") {
      throw new Error(`Backup ${step.progress.backupId} failed: ${step.progress.error}`);
    }
    return result;
  },
};

/** Takes the next step of a running backup, if any; gives up on one running for over a day. */
export const continueBackupJob: Job = {
  name: "continue-backup",
  async run({ bindings, now }) {
    const deps = { d1: bindings.DB, files: bindings.FILES };
    const abandoned = await failAbandonedBackups(deps, { now });
    const step = await continueBackup(deps, { now });
    if (step.ok && step.progress.status === "FAILED") {
      throw new Error(`Backup ${step.progress.backupId} failed: ${step.progress.error}`);
    }
    return { abandoned, ...stepResult(step) };
  },
};

function stepResult(step: Awaited<ReturnType<typeof continueBackup>>): JobResult {
  if (!step.ok) return { step: step.reason };
  const { backupId, status, tablesDone, rows, bytes, statements } = step.progress;
  return { backupId, status, tablesDone, rows, bytes, statements };
}
