import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { AdminHeader, Muted, Section } from "~/components/admin-page";
import { Badge } from "~/components/badge";
import { DailyBarChart } from "~/components/charts/daily-bar-chart";
import { DataTable } from "~/components/data-table";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { ACCOUNT_STATUSES, USER_ROLES } from "#db/schema/enums";
import { can } from "~/domain/auth/permissions";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { BACKUP_STATUS_TONES } from "~/domain/backups/parts";
import { formatBytes } from "~/domain/catalog/upload-rules";
import { DASHBOARD_DAYS, DAY_MS } from "~/domain/dashboard/daily-series";
import { cronPeriodMs, type AuditArchiveState, type JobState } from "~/domain/dashboard/health";
import { formatMoney, minorUnitDigits } from "~/domain/money";
import { scheduledJobs } from "~/jobs/run-scheduled";
import { JOB_REGISTRY } from "~/jobs/registry";
import { formatDate, formatDateTime } from "~/lib/format";
import { requirePermission } from "~/request/auth.server";
import { getAdminDashboard, type BackupSummary } from "~/services/admin-dashboard.server";
import chartStyles from "~/styles/charts.css?url";
import { LocalTime } from "~/components/local-time";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: chartStyles }];

export const meta: MetaFunction = () => [{ title: "Dashboard — Admin — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const staff = await requirePermission(
    request,
    context,
    ADMIN_ROUTE_POLICY["routes/admin._index"].loader,
  );
  const dashboard = await getAdminDashboard(context.db, {
    now: new Date(),
    includeAudit: can(staff.role, "audit:read"),
    // Money is shown to whoever may open the purchases list.
    includeMoney: can(staff.role, ADMIN_ROUTE_POLICY["routes/admin.purchases._index"].loader),
    jobs: scheduledJobs(JOB_REGISTRY),
  });
  // Roles without the backups page see the health line but no link to a page that refuses them.
  const canOpenBackups = can(staff.role, ADMIN_ROUTE_POLICY["routes/admin.backups._index"].loader);
  return { dashboard, canOpenBackups };
}

const plural = (count: number, one: string, many = `${one}s`) =>
  `${count.toLocaleString("en-US")} ${count === 1 ? one : many}`;

/** Axis labels: whole units, compact ("$1.2K"), so they fit beside the chart. */
const compactMoney = (currency: string) => {
  const format = new Intl.NumberFormat("en-US", {
    style: "currency",
    currency,
    notation: "compact",
    maximumFractionDigits: 1,
  });
  return (cents: number) => format.format(cents / 10 ** minorUnitDigits(currency));
};

const JOB_STATE_BADGES: Record<JobState, [tone: "success" | "danger" | "neutral", text: string]> = {
  ok: ["success", "ok"],
  failing: ["danger", "failing"],
  late: ["danger", "late"],
  never: ["neutral", "never ran"],
};

export default function AdminDashboardPage() {
  const { dashboard, canOpenBackups } = useLoaderData<typeof loader>();
  const { work, health, money } = dashboard;
  return (
    <div className="dashboard">
      <AdminHeader
        title="Dashboard"
        intro={`Work waiting for staff, the last ${DASHBOARD_DAYS} days (UTC) and the health of backups and scheduled jobs.`}
      />

      <Section title="Work waiting">
        <StatGrid
          testId="work-waiting"
          stats={[
            {
              value: work.resetRequests,
              label: <Link to="/admin/reset-requests?status=PENDING">Reset requests</Link>,
            },
            {
              value: work.addOns,
              label: <Link to="/admin/add-ons?status=PENDING">Add-ons to review</Link>,
            },
            {
              value: work.projectRequests,
              label: <Link to="/admin/projects?queue=requests">Project requests</Link>,
            },
            {
              value: work.overdueProjects,
              label: <Link to="/admin/projects?queue=overdue">Overdue projects</Link>,
            },
            {
              value: work.flaggedLicenses,
              label: <Link to="/admin/licenses?abuse=FLAGGED">Flagged licenses</Link>,
            },
            {
              value: work.failedEmails,
              label: <Link to="/admin/outbox?status=FAILED">Failed emails</Link>,
            },
          ]}
        />
      </Section>

      <Section title={`Last ${DASHBOARD_DAYS} days`}>
        <StatGrid
          testId="period-totals"
          stats={[
            ...(money?.revenue ?? []).flatMap(({ currency, totals }) => [
              { value: formatMoney(totals.revenue, currency), label: `Revenue (${currency})` },
              ...(totals.refunds
                ? [
                    { value: formatMoney(totals.refunds, currency), label: "Refunded" },
                    { value: formatMoney(totals.net, currency), label: "Net" },
                  ]
                : []),
            ]),
            ...(money ? [{ value: money.salesTotal, label: "Sales" }] : []),
            { value: dashboard.downloadsTotal, label: "Downloads" },
            { value: dashboard.newAccountsTotal, label: "New accounts" },
          ]}
        />
        {money && (
          <p className="muted">
            Revenue is what was paid on each day: product purchases (also those refunded or disputed
            later) and membership and credit-pack checkouts; membership renewals are not included.
            Refunds are listed on the day they were made, beside the revenue.
          </p>
        )}
        <div className="dashboard__charts">
          {money?.revenue.map((entry) => (
            <DailyBarChart
              key={entry.currency}
              id={`revenue-${entry.currency.toLowerCase()}`}
              title={`Revenue (${entry.currency})`}
              series={entry.revenue}
              format={(cents) => formatMoney(cents, entry.currency)}
              formatTick={compactMoney(entry.currency)}
              extraColumns={[
                {
                  header: "Refunded",
                  cell: (point) => formatMoney(entry.refunds[point.index]!.value, entry.currency),
                },
              ]}
            />
          ))}
          {money && (
            <DailyBarChart
              id="sales"
              title="Sales"
              series={money.sales}
              format={(count) => plural(count, "sale")}
            />
          )}
          <DailyBarChart
            id="downloads"
            title="Downloads"
            series={dashboard.downloads}
            format={(count) => plural(count, "download")}
          />
          <DailyBarChart
            id="new-accounts"
            title="New accounts"
            series={dashboard.newAccounts}
            format={(count) => plural(count, "account")}
          />
        </div>
      </Section>

      <Section title="Health">
        <div className="dashboard__health">
          <div className="admin-panel" data-testid="backup-health">
            <h3>Backups</h3>
            <BackupLine label="Last backup" backup={health.lastBackup} />
            {health.lastCompletedBackup && (
              <BackupLine label="Last completed" backup={health.lastCompletedBackup} />
            )}
            {canOpenBackups && (
              <p>
                <Link to="/admin/backups">All backups</Link>
              </p>
            )}
          </div>
          <div className="admin-panel" data-testid="audit-archive-health">
            <h3>Audit archive</h3>
            <AuditArchiveLines state={health.auditArchive} />
          </div>
        </div>
        <DataTable
          rows={health.jobs}
          rowKey={(job) => job.name}
          rowProps={(job) => ({ "data-job": job.name, "data-state": job.state })}
          testId="job-health"
          columns={[
            { header: "Scheduled job", cell: (job) => job.name },
            {
              header: "Runs",
              cell: (job) => (
                <span title={`cron: ${job.cron}`}>
                  {cronPeriodMs(job.cron) === DAY_MS ? "daily" : "hourly"}
                </span>
              ),
            },
            {
              header: "Last run",
              cell: (job) => {
                const [tone, text] = JOB_STATE_BADGES[job.state];
                return (
                  <>
                    <Badge tone={tone}>{text}</Badge>{" "}
                    {job.lastFinishedAt && (
                      <Muted>
                        <LocalTime value={job.lastFinishedAt} />
                      </Muted>
                    )}
                    {job.state === "failing" && (
                      <p className="dashboard__error">
                        {job.lastSuccessAt
                          ? `Failing since the last success, ${formatDateTime(job.lastSuccessAt)}`
                          : "It has never worked"}
                        {job.lastError && `: ${job.lastError}`}
                      </p>
                    )}
                  </>
                );
              },
            },
          ]}
        />
      </Section>

      <Section title="Accounts">
        <StatGrid
          stats={[
            { value: dashboard.totalUsers, label: "All accounts" },
            { value: dashboard.activeSessions, label: "Active sessions" },
            ...ACCOUNT_STATUSES.filter((status) => status !== "ACTIVE").map((status) => ({
              value: dashboard.usersByStatus[status],
              label: <Link to={`/admin/users?status=${status}`}>{status.toLowerCase()}</Link>,
            })),
            ...USER_ROLES.map((role) => ({
              value: dashboard.usersByRole[role],
              label: <Link to={`/admin/users?role=${role}`}>{role.toLowerCase()}</Link>,
            })),
          ]}
        />
      </Section>

      {dashboard.recentAudit && (
        <Section title="Recent activity">
          <DataTable
            rows={dashboard.recentAudit}
            testId="recent-activity"
            empty={<p className="muted">Nothing has been recorded yet.</p>}
            columns={[
              { header: "When", cell: (row) => <LocalTime value={row.createdAt} /> },
              { header: "Action", cell: (row) => row.action.toLowerCase().replaceAll("_", " ") },
              {
                header: "By",
                cell: (row) =>
                  row.actorId ? (
                    <Link to={`/admin/users/${row.actorId}`}>
                      {row.actorName ?? "a deleted account"}
                    </Link>
                  ) : (
                    <Muted>system</Muted>
                  ),
              },
              {
                header: "About",
                cell: (row) =>
                  row.entityType === "user" && row.entityId ? (
                    <Link to={`/admin/users/${row.entityId}`}>
                      {row.subjectName ?? "a deleted account"}
                    </Link>
                  ) : (
                    row.entityType.replaceAll("_", " ")
                  ),
              },
            ]}
          />
        </Section>
      )}
    </div>
  );
}

function BackupLine({ label, backup }: { label: string; backup: BackupSummary | null }) {
  if (!backup) return <p>{label}: no backup has been taken yet.</p>;
  return (
    <p>
      {label}:{" "}
      <Badge tone={BACKUP_STATUS_TONES[backup.status]}>
        {backup.status.toLowerCase().replace("_", " ")}
      </Badge>{" "}
      <LocalTime value={backup.completedAt ?? backup.createdAt} />
      {backup.sizeBytes !== null && `, ${formatBytes(backup.sizeBytes)}`}
      {backup.error && <span className="dashboard__error"> {backup.error}</span>}
    </p>
  );
}

function AuditArchiveLines({ state }: { state: AuditArchiveState }) {
  return (
    <>
      <p>
        {state.lastArchivedDay
          ? `Last archived day: ${formatDate(state.lastArchivedDay)}, ${plural(state.lastArchivedRows ?? 0, "row")}${state.lastArchiveVerified ? ", verified" : ", not verified"}.`
          : "Nothing has been archived yet."}
      </p>
      <p>
        {state.oldestLiveAgeDays === null
          ? "The audit log is empty."
          : `Oldest row in the database: ${plural(state.oldestLiveAgeDays, "day")} old; rows move to the archive after ${state.retentionDays} days.`}{" "}
        {state.behind && <Badge tone="danger">behind</Badge>}
      </p>
    </>
  );
}

function StatGrid({
  stats,
  testId,
}: {
  stats: Array<{ value: ReactNode; label: ReactNode }>;
  testId?: string;
}) {
  return (
    <ul className="stat-grid" role="list" data-testid={testId}>
      {stats.map((stat, index) => (
        <li className="stat" key={index}>
          <span className="stat__value">{stat.value}</span>
          <span className="stat__label">{stat.label}</span>
        </li>
      ))}
    </ul>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
