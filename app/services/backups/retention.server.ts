import { inArray } from "drizzle-orm";
import { createDb } from "#db/client";
import { systemBackups } from "#db/schema";
import { planRetention, type RetentionPlan } from "~/domain/backups/retention";
import { auditStatement } from "../audit.server";
import { deleteBackupObjects, type BackupDeps } from "./backup-runs.server";

/**
 * Retention (issue 12; the rule is pure, app/domain/backups/retention.ts): every backup the
 * rule does not keep loses its objects first, then its row, and one BACKUPS_PRUNED audit row
 * names them, in the same batch as the row deletes. A run that dies after the objects and
 * before the rows leaves rows whose objects are gone; the next run deletes them.
 */
const PRUNE_GROUP = 90;

export async function pruneBackups(
  deps: BackupDeps,
  input: { now: Date },
): Promise<{ kept: number; pruned: number; objectsDeleted: number; plan: RetentionPlan }> {
  const db = createDb(deps.d1);
  const backups = await db
    .select({
      id: systemBackups.id,
      trigger: systemBackups.trigger,
      status: systemBackups.status,
      createdAt: systemBackups.createdAt,
    })
    .from(systemBackups);
  const plan = planRetention(backups, input.now);
  if (plan.prune.length === 0)
    return { kept: plan.keep.length, pruned: 0, objectsDeleted: 0, plan };

  let objectsDeleted = 0;
  for (const id of plan.prune) objectsDeleted += await deleteBackupObjects(deps.files, id);
  const pruned = new Set(plan.prune);
  const removed = backups.filter((backup) => pruned.has(backup.id));
  // Row deletes in groups, each within D1's 100 bound parameters, plus the audit row: one batch.
  const deletes = [];
  for (let start = 0; start < plan.prune.length; start += PRUNE_GROUP) {
    const ids = plan.prune.slice(start, start + PRUNE_GROUP);
    deletes.push(db.delete(systemBackups).where(inArray(systemBackups.id, ids)));
  }
  await db.batch([
    auditStatement(db, {
      actor: null,
      action: "BACKUPS_PRUNED",
      entityType: "backup",
      metadata: {
        count: removed.length,
        objectsDeleted,
        backups: removed.map((backup) => ({
          id: backup.id,
          trigger: backup.trigger,
          status: backup.status,
          createdAt: backup.createdAt.toISOString(),
        })),
      },
      at: input.now,
    }),
    ...deletes,
  ]);
  return { kept: plan.keep.length, pruned: removed.length, objectsDeleted, plan };
}
