import { and, count, desc, eq, gt, gte, inArray, isNull, min, sql, type SQL } from "drizzle-orm";
import type { AnySQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Database } from "#db/client";
import {
  auditLogArchives,
  auditLogs,
  digitalProductPurchases,
  downloadResetRequests,
  downloads,
  emailOutbox,
  licenses,
  membershipCheckouts,
  serviceAddOns,
  serviceProjects,
  sessions,
  systemBackups,
  users,
} from "#db/schema";
import { ACCOUNT_STATUSES, USER_ROLES, type AccountStatus, type UserRole } from "#db/schema/enums";
import {
  DAY_MS,
  dayWindow,
  seriesTotal,
  windowStart,
  zeroFilledSeries,
  type DailyPoint,
  type DayCount,
} from "~/domain/dashboard/daily-series";
import {
  auditArchiveState,
  DEFAULT_AUDIT_RETENTION_DAYS,
  jobHealth,
  type AuditArchiveState,
  type JobHealth,
} from "~/domain/dashboard/health";
import { namedBatch } from "./named-batch.server";
import { jobRunsStatement } from "./job-runs.server";
import { awaitingAnswerSql, overdueSql } from "./projects/queries.server";

export const DASHBOARD_AUDIT_ROWS = 10;

/**
 * Money taken for a product: completed, and also those refunded or disputed later (the
 * payment happened on its day; refunds are shown on the day they were made).
 */
const PAID_PURCHASE_STATUSES = ["COMPLETED", "REFUNDED", "DISPUTED"] as const;

export interface DailyRevenue {
  currency: string;
  /** Payments taken per day, minor units. */
  revenue: DailyPoint[];
  /** Product refunds per day, minor units (not subtracted from `revenue`). */
  refunds: DailyPoint[];
  totals: { revenue: number; refunds: number; net: number };
}

export interface WorkWaiting {
  resetRequests: number;
  addOns: number;
  projectRequests: number;
  flaggedLicenses: number;
  failedEmails: number;
  overdueProjects: number;
}

export interface AdminDashboard {
  usersByRole: Record<UserRole, number>;
  usersByStatus: Record<AccountStatus, number>;
  totalUsers: number;
  activeSessions: number;
  /** Null when the viewer may not see money (the roles that cannot open /admin/purchases). */
  money: {
    /** One entry per currency sold in, most revenue first; empty when nothing was sold. */
    revenue: DailyRevenue[];
    /** Product purchases plus membership and credit-pack checkouts, per day. */
    sales: DailyPoint[];
    salesTotal: number;
  } | null;
  downloads: DailyPoint[];
  downloadsTotal: number;
  newAccounts: DailyPoint[];
  newAccountsTotal: number;
  work: WorkWaiting;
  health: {
    lastBackup: BackupSummary | null;
    /** The newest COMPLETED backup, when the newest backup of all is not one. */
    lastCompletedBackup: BackupSummary | null;
    jobs: JobHealth[];
    auditArchive: AuditArchiveState;
  };
  /** Null when the viewer may not read the audit log (VIEWER, EDITOR). */
  recentAudit: Array<{
    id: string;
    action: string;
    actorId: string | null;
    actorName: string | null;
    entityType: string;
    entityId: string | null;
    /** The subject's name when the entity is an account. */
    subjectName: string | null;
    createdAt: Date;
  }> | null;
}

export interface BackupSummary {
  id: string;
  status: "PENDING" | "IN_PROGRESS" | "COMPLETED" | "FAILED";
  trigger: "SCHEDULED" | "MANUAL" | "PRE_DEPLOYMENT";
  sizeBytes: number | null;
  error: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

const zeroes = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;

/** The UTC day number of a millisecond timestamp column, as the SQL groups by it. */
const dayOf = (column: AnySQLiteColumn) =>
  sql<number>`cast(${column} / ${sql.raw(String(DAY_MS))} as integer)`;

/** A day's money in one currency: group by `day` and `currency`. */
const moneyByDay = (day: AnySQLiteColumn, currency: AnySQLiteColumn, amount: AnySQLiteColumn) => ({
  day: dayOf(day).as("day"),
  currency: sql<string>`${currency}`.as("currency"),
  cents: sql<number>`sum(${amount})`.as("cents"),
});

const total = (rows: ReadonlyArray<{ total: number }>) => rows[0]?.total ?? 0;

/**
 * Everything on /admin in one D1 batch (one round trip): per-day groups over the last 30 UTC
 * days on indexed timestamps, a count per queue, the last backup, job runs and audit archive.
 * The audit and money statements run for every viewer (two small indexed reads are cheaper
 * than a second round trip); what a role may not see is dropped before it leaves here.
 */
export async function getAdminDashboard(
  db: Database,
  options: {
    now: Date;
    includeAudit: boolean;
    /** Revenue and sales; left out unless asked for. */
    includeMoney?: boolean;
    /** Every scheduled job (app/jobs/registry.ts), so a job that never ran shows as such. */
    jobs?: readonly { name: string; cron: string }[];
    auditRetentionDays?: number;
  },
): Promise<AdminDashboard> {
  const { now } = options;
  const window = dayWindow(now);
  const since = windowStart(window);
  const purchases = digitalProductPurchases;
  const downloadDay = dayOf(downloads.createdAt);
  const signupDay = dayOf(users.createdAt);
  const countWhere = (table: SQLiteTable, where: SQL) =>
    db.select({ total: count() }).from(table).where(where);
  const lastBackup = (where?: SQL) =>
    db
      .select({
        id: systemBackups.id,
        status: systemBackups.status,
        trigger: systemBackups.trigger,
        sizeBytes: systemBackups.sizeBytes,
        error: systemBackups.error,
        createdAt: systemBackups.createdAt,
        completedAt: systemBackups.completedAt,
      })
      .from(systemBackups)
      .where(where)
      .orderBy(desc(systemBackups.createdAt), desc(systemBackups.id))
      .limit(1);

  const result = await namedBatch(db, {
    byRole: db.select({ role: users.role, total: count() }).from(users).groupBy(users.role),
    byStatus: db
      .select({ status: users.accountStatus, total: count() })
      .from(users)
      .groupBy(users.accountStatus),
    live: db.select({ total: count() }).from(sessions).where(gt(sessions.expiresAt, now)),
    paid: db
      .select({
        ...moneyByDay(purchases.completedAt, purchases.currency, purchases.amountCents),
        sales: count(),
      })
      .from(purchases)
      .where(
        and(
          inArray(purchases.status, PAID_PURCHASE_STATUSES),
          // Checkout sessions expire within a day, so a purchase completes within a day of
          // its creation: this bound lets the (status, created_at) index do the work.
          gte(purchases.createdAt, new Date(since.getTime() - DAY_MS)),
          gte(purchases.completedAt, since),
        ),
      )
      .groupBy(dayOf(purchases.completedAt), purchases.currency),
    refunded: db
      .select(moneyByDay(purchases.refundedAt, purchases.currency, purchases.amountCents))
      .from(purchases)
      .where(and(eq(purchases.status, "REFUNDED"), gte(purchases.refundedAt, since)))
      .groupBy(dayOf(purchases.refundedAt), purchases.currency),
    // Subscriptions' first payment and credit packs; renewals are Stripe invoices whose
    // amounts are not kept in a table of their own, so they are not counted here.
    checkouts: db
      .select({
        ...moneyByDay(
          membershipCheckouts.completedAt,
          membershipCheckouts.currency,
          membershipCheckouts.amountCents,
        ),
        sales: count(),
      })
      .from(membershipCheckouts)
      .where(
        and(
          eq(membershipCheckouts.status, "COMPLETED"),
          gte(membershipCheckouts.completedAt, since),
        ),
      )
      .groupBy(dayOf(membershipCheckouts.completedAt), membershipCheckouts.currency),
    // A file served: a redeemed grant; resuming it (a Range request) is the same download.
    downloaded: db
      .select({ day: downloadDay.as("day"), value: count() })
      .from(downloads)
      .where(
        and(
          eq(downloads.status, "COMPLETED"),
          isNull(downloads.resumeOfId),
          gte(downloads.createdAt, since),
        ),
      )
      .groupBy(downloadDay),
    signedUp: db
      .select({ day: signupDay.as("day"), value: count() })
      .from(users)
      .where(gte(users.createdAt, since))
      .groupBy(signupDay),
    resetRequests: countWhere(downloadResetRequests, eq(downloadResetRequests.status, "PENDING")),
    addOns: countWhere(serviceAddOns, eq(serviceAddOns.status, "PENDING")),
    projectRequests: countWhere(serviceProjects, awaitingAnswerSql),
    flaggedLicenses: countWhere(licenses, eq(licenses.abuseDetected, true)),
    failedEmails: countWhere(emailOutbox, eq(emailOutbox.status, "FAILED")),
    overdueProjects: countWhere(serviceProjects, overdueSql(now)),
    lastBackup: lastBackup(),
    lastCompletedBackup: lastBackup(eq(systemBackups.status, "COMPLETED")),
    jobRuns: jobRunsStatement(db),
    lastArchive: db
      .select({
        rangeStart: auditLogArchives.rangeStart,
        rowCount: auditLogArchives.rowCount,
        verifiedAt: auditLogArchives.verifiedAt,
      })
      .from(auditLogArchives)
      .orderBy(desc(auditLogArchives.rangeStart))
      .limit(1),
    oldestAudit: db.select({ at: min(auditLogs.createdAt) }).from(auditLogs),
    recentAudit: db
      .select({
        id: auditLogs.id,
        action: auditLogs.action,
        actorId: auditLogs.actorId,
        // Scalar subqueries, not joins: batch rows are keyed by column name.
        actorName: sql<
          string | null
        >`(select "name" from "users" where "users"."id" = ${auditLogs.actorId})`.as("actor_name"),
        entityType: auditLogs.entityType,
        entityId: auditLogs.entityId,
        subjectName: sql<
          string | null
        >`(select "name" from "users" where ${auditLogs.entityType} = 'user' and "users"."id" = ${auditLogs.entityId})`.as(
          "subject_name",
        ),
        createdAt: auditLogs.createdAt,
      })
      .from(auditLogs)
      .orderBy(desc(auditLogs.createdAt), desc(auditLogs.id))
      .limit(DASHBOARD_AUDIT_ROWS),
  });

  const usersByRole = zeroes(USER_ROLES);
  for (const row of result.byRole) usersByRole[row.role] = row.total;
  const usersByStatus = zeroes(ACCOUNT_STATUSES);
  for (const row of result.byStatus) usersByStatus[row.status] = row.total;

  const series = (rows: Iterable<DayCount>) => zeroFilledSeries(window, rows);
  const sales = series(
    [...result.paid, ...result.checkouts].map((row) => ({ day: row.day, value: row.sales })),
  );
  const downloadSeries = series(result.downloaded);
  const newAccounts = series(result.signedUp);
  const lastBackupRow = result.lastBackup[0] ?? null;
  const lastCompleted = result.lastCompletedBackup[0] ?? null;
  const oldestAudit = result.oldestAudit[0]?.at ?? null;

  return {
    usersByRole,
    usersByStatus,
    totalUsers: result.byRole.reduce((sum, row) => sum + row.total, 0),
    activeSessions: total(result.live),
    money: options.includeMoney
      ? {
          revenue: revenueByCurrency(
            window,
            [...result.paid, ...result.checkouts],
            result.refunded,
          ),
          sales,
          salesTotal: seriesTotal(sales),
        }
      : null,
    downloads: downloadSeries,
    downloadsTotal: seriesTotal(downloadSeries),
    newAccounts,
    newAccountsTotal: seriesTotal(newAccounts),
    work: {
      resetRequests: total(result.resetRequests),
      addOns: total(result.addOns),
      projectRequests: total(result.projectRequests),
      flaggedLicenses: total(result.flaggedLicenses),
      failedEmails: total(result.failedEmails),
      overdueProjects: total(result.overdueProjects),
    },
    health: {
      lastBackup: lastBackupRow,
      lastCompletedBackup: lastBackupRow?.status === "COMPLETED" ? null : lastCompleted,
      jobs: jobHealth(options.jobs ?? [], result.jobRuns, now),
      auditArchive: auditArchiveState({
        lastArchive: result.lastArchive[0] ?? null,
        oldestLiveAt: oldestAudit === null ? null : new Date(oldestAudit),
        now,
        retentionDays: options.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS,
      }),
    },
    recentAudit: options.includeAudit ? result.recentAudit : null,
  };
}

type MoneyByDay = { day: number; currency: string; cents: number };

/** Payments and refunds per currency (amounts in different currencies are never added). */
function revenueByCurrency(
  window: ReturnType<typeof dayWindow>,
  paid: readonly MoneyByDay[],
  refunded: readonly MoneyByDay[],
): DailyRevenue[] {
  const currencies = [...new Set([...paid, ...refunded].map((row) => row.currency))];
  const inCurrency = (rows: readonly MoneyByDay[], currency: string) =>
    zeroFilledSeries(
      window,
      rows
        .filter((row) => row.currency === currency)
        .map((row) => ({ day: row.day, value: Number(row.cents) })),
    );
  return currencies
    .map((currency) => {
      const revenue = inCurrency(paid, currency);
      const refunds = inCurrency(refunded, currency);
      const totals = { revenue: seriesTotal(revenue), refunds: seriesTotal(refunds) };
      return {
        currency,
        revenue,
        refunds,
        totals: { ...totals, net: totals.revenue - totals.refunds },
      };
    })
    .filter((entry) => entry.totals.revenue > 0 || entry.totals.refunds > 0)
    .sort((a, b) => b.totals.revenue - a.totals.revenue);
}
