import { archiveAuditLogs } from "~/services/audit-archive.server";
import type { Job } from "./types";

/**
 * The daily audit archive (docs/architecture.md §11): whole UTC days older than
 * `AUDIT_RETENTION_DAYS` move to R2, oldest first, as far as one run's D1 budget goes; a day
 * too large for one run goes on the next day. It runs before the backup, which spends what is
 * left of the invocation's budget.
 */
export const archiveAuditLogsJob: Job = {
  name: "archive-audit-logs",
  async run({ bindings, env, now }) {
    const report = await archiveAuditLogs(
      { d1: bindings.DB, files: bindings.FILES },
      { now, retentionDays: env.auditRetentionDays },
    );
    return {
      archivedDays: report.archivedDays.length,
      archivedRows: report.archivedRows,
      firstDay: report.archivedDays[0] ?? "",
      lastDay: report.archivedDays.at(-1) ?? "",
      pendingDay: report.pendingDay ?? "",
      leftoverDays: report.leftoverDays.join(","),
      restartedDays: report.restartedDays.join(","),
      statements: report.statements,
    };
  },
};
