import { archiveAuditLogsJob } from "./archive-audit-logs";
import { backUpDatabaseJob, continueBackupJob } from "./back-up-database";
import { deleteExpiredSessionsJob } from "./delete-expired-sessions";
import { deliverEmailsJob } from "./deliver-emails";
import { eraseDeletedAccountsJob } from "./erase-deleted-accounts";
import { pruneRateLimitsJob } from "./prune-rate-limits";
import { pruneSentEmailsJob } from "./prune-sent-emails";
import { renewMembershipsJob } from "./renew-memberships";
import { studioDigestJob } from "./studio-digest";
import { testProviderRenewalsJob } from "./test-provider-renewals";
import { sweepOrphanedMediaJob } from "./sweep-orphaned-media";
import type { Job } from "./types";

/** Cron expressions exactly as in wrangler.toml `[triggers] crons`. */
export const HOURLY = "0 * * * *";
export const DAILY = "30 3 * * *";

/** Which jobs each Cron Trigger runs, in order. */
export const JOB_REGISTRY: Readonly<Record<string, readonly Job[]>> = {
  // Email goes out hourly; production can add a faster cron for it (README "Email").
  // The test provider pays due renewals before renew-memberships looks at them (same tick).
  [HOURLY]: [
    deleteExpiredSessionsJob,
    testProviderRenewalsJob,
    renewMembershipsJob,
    deliverEmailsJob,
    continueBackupJob,
  ],
  // The backup runs last: its step spends what is left of the invocation's D1 budget.
  [DAILY]: [
    eraseDeletedAccountsJob,
    pruneSentEmailsJob,
    pruneRateLimitsJob,
    sweepOrphanedMediaJob,
    studioDigestJob,
    archiveAuditLogsJob,
    backUpDatabaseJob,
  ],
};
