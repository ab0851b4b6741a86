import { createId } from "@paralleldrive/cuid2";
import { applyD1Migrations, env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "#db/client";
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
  systemBackups,
  type PurchaseStatus,
} from "#db/schema";
import { JOB_REGISTRY } from "~/jobs/registry";
import { scheduledJobs } from "~/jobs/run-scheduled";
import { parseEnv } from "~/lib/env.server";
import { getAdminDashboard, type AdminDashboard } from "~/services/admin-dashboard.server";
import { jobRunRecorder } from "~/services/job-runs.server";
import { issueLicenseStatement } from "~/services/licenses.server";
import { createProduct, createProject, createUser } from "../factories";

/**
 * The staff dashboard's numbers (issue 12 §4) against a database of its own (DASHBOARD_DB in
 * test/vitest.config.ts), so every count is exact whatever other test files write meanwhile.
 * "Now" is a fixed day in 2035: the last 30 days are 14 Feb – 15 Mar 2035 (UTC).
 */

const d1 = env.DASHBOARD_DB;
const db = createDb(d1);
const appEnv = parseEnv(env);
const NOW = new Date(Date.UTC(2035, 2, 15, 12));
const at = (month: number, date: number, hour = 10, minute = 0) =>
  new Date(Date.UTC(2035, month, date, hour, minute));
const FEB = 1;
const MAR = 2;
/** The series as [ISO day, value] for the days that are not zero. */
const nonZero = (series: ReadonlyArray<{ at: number; value: number }>) =>
  series
    .filter((point) => point.value !== 0)
    .map((point) => [new Date(point.at).toISOString().slice(0, 10), point.value]);

let dashboard: AdminDashboard;
let ada: { id: string };
let sam: { id: string };

beforeAll(async () => {
  await applyD1Migrations(d1, env.TEST_MIGRATIONS);
  const longAgo = new Date(Date.UTC(2030, 0, 1));
  ada = await createUser(db, { name: "Ada Admin", role: "ADMIN", createdAt: longAgo });
  sam = await createUser(db, { name: "Sam Subject", createdAt: longAgo });
  const buyer = await createUser(db, { name: "Bea Buyer", createdAt: longAgo });

  // New accounts: 14 Feb (first day, at midnight), 1 Mar ×2, 15 Mar; 13 Feb is outside.
  for (const createdAt of [
    new Date(Date.UTC(2035, FEB, 14)),
    at(MAR, 1),
    at(MAR, 1, 18),
    at(MAR, 15, 11),
    at(FEB, 13, 23, 59),
  ]) {
    await createUser(db, { createdAt });
  }

  const product = await createProduct({ db, files: env.FILES });
  const purchase = async (
    status: PurchaseStatus,
    amountCents: number,
    completedAt: Date | null,
    extra: { currency?: string; createdAt?: Date; refundedAt?: Date } = {},
  ) => {
    const id = createId();
    await db.insert(digitalProductPurchases).values({
      id,
      userId: buyer.id,
      productId: product.id,
      licenseType: "PERSONAL",
      amountCents,
      currency: extra.currency ?? "USD",
      status,
      provider: "TEST",
      completedAt,
      refundedAt: extra.refundedAt ?? null,
      createdAt: extra.createdAt ?? new Date((completedAt ?? at(MAR, 5)).getTime() - 60_000),
    });
    return id;
  };
  const first = await purchase("COMPLETED", 2900, at(MAR, 1));
  const second = await purchase("COMPLETED", 7900, at(MAR, 1, 15));
  await purchase("REFUNDED", 1000, at(FEB, 20), { refundedAt: at(MAR, 2) });
  await purchase("DISPUTED", 500, at(MAR, 15, 9));
  await purchase("COMPLETED", 3000, at(MAR, 10), { currency: "EUR" });
  await purchase("PENDING", 9999, null);
  await purchase("FAILED", 9999, null);
  await purchase("COMPLETED", 4000, at(FEB, 13, 23, 59)); // the day before the window
  // Paid before the window, refunded inside it: only the refund shows.
  await purchase("REFUNDED", 2000, new Date(Date.UTC(2035, 0, 1)), { refundedAt: at(FEB, 15) });
  // Created the evening before the window, paid just after midnight: counts on 14 Feb.
  await purchase("COMPLETED", 1500, at(FEB, 14, 0, 30), { createdAt: at(FEB, 13, 23) });

  const checkout = (
    kind: "SUBSCRIPTION" | "CREDIT_PACK",
    status: "COMPLETED" | "PENDING",
    amountCents: number,
    completedAt: Date | null,
  ) =>
    db.insert(membershipCheckouts).values({
      userId: buyer.id,
      kind,
      tier: kind === "SUBSCRIPTION" ? "PRO" : null,
      pack: kind === "CREDIT_PACK" ? "small" : null,
      credits: 10,
      amountCents,
      status,
      provider: "TEST",
      completedAt,
      createdAt: completedAt ?? at(MAR, 5),
    });
  await checkout("SUBSCRIPTION", "COMPLETED", 1900, at(MAR, 1, 20));
  await checkout("CREDIT_PACK", "COMPLETED", 500, at(MAR, 15, 8));
  await checkout("CREDIT_PACK", "PENDING", 500, null);
  await checkout("SUBSCRIPTION", "COMPLETED", 1900, new Date(Date.UTC(2035, 0, 20)));

  const license = async (purchaseId: string) => {
    const issued = await issueLicenseStatement(db, appEnv, {
      purchaseId,
      userId: buyer.id,
      productId: product.id,
      licenseType: "PERSONAL",
      teamSeats: 5,
      durationMonths: null,
      now: at(MAR, 1),
    });
    await issued.statement;
    return issued.licenseId;
  };
  const firstLicense = await license(first);
  const secondLicense = await license(second);

  // Downloads: 3 Mar ×2 and 15 Mar; a resume, a grant never redeemed, a refusal and one
  // before the window do not count.
  const download = async (
    createdAt: Date,
    status: "GRANTED" | "COMPLETED" | "FAILED" = "COMPLETED",
    resumeOfId: string | null = null,
  ) => {
    const id = createId();
    await db.insert(downloads).values({
      id,
      licenseId: firstLicense,
      userId: buyer.id,
      productId: product.id,
      status,
      failureReason: status === "FAILED" ? "limit" : null,
      grantExpiresAt: status === "FAILED" ? null : new Date(createdAt.getTime() + 60_000),
      resumeOfId,
      createdAt,
    });
    return id;
  };
  const resumed = await download(at(MAR, 3));
  await download(at(MAR, 3, 14));
  await download(at(MAR, 3, 15), "COMPLETED", resumed);
  await download(at(MAR, 4), "GRANTED");
  await download(at(MAR, 4), "FAILED");
  await download(at(FEB, 13));
  await download(at(MAR, 15, 11));

  // Work waiting: 2 pending reset requests, 2 pending add-ons, 1 project request,
  // 2 overdue projects, 1 flagged license, 2 failed emails.
  await db.insert(downloadResetRequests).values([
    { licenseId: firstLicense, userId: buyer.id, reason: "New laptop", status: "APPROVED" },
    { licenseId: firstLicense, userId: buyer.id, reason: "New laptop again" },
    { licenseId: secondLicense, userId: buyer.id, reason: "Reinstalled" },
  ]);
  const future = new Date(Date.UTC(2035, 11, 31));
  const project = await createProject(db, { clientId: buyer.id, deadline: future });
  await db.insert(serviceAddOns).values(
    (["PENDING", "PENDING", "APPROVED"] as const).map((status) => ({
      projectId: project.id,
      requestedById: buyer.id,
      type: "SUPPORT_CALL" as const,
      status,
      creditCost: 4,
    })),
  );
  await createProject(db, { clientId: buyer.id, acceptedAt: null, deadline: null });
  await createProject(db, {
    clientId: buyer.id,
    acceptedAt: null,
    deadline: null,
    status: "CANCELLED",
    cancelledAt: at(MAR, 2),
    cancelReason: "Not a fit",
  });
  await createProject(db, { clientId: buyer.id, phase: "BUILD", deadline: at(MAR, 10) });
  await createProject(db, {
    clientId: buyer.id,
    phase: "PAUSED",
    pausedFromPhase: "BUILD",
    pauseReason: "Waiting for content",
    deadline: at(MAR, 1),
  });
  await createProject(db, { clientId: buyer.id, phase: "COMPLETED", deadline: at(MAR, 1) });
  // Due today: not overdue until tomorrow.
  await createProject(db, { clientId: buyer.id, phase: "BUILD", deadline: at(MAR, 15, 0) });
  await db
    .update(licenses)
    .set({ abuseDetected: true, abuseReason: "Too many downloads", abuseDetectedAt: at(MAR, 4) })
    .where(eq(licenses.id, secondLicense));
  await db.insert(emailOutbox).values(
    (["FAILED", "FAILED", "PENDING", "SENT"] as const).map((status) => ({
      toEmail: "someone@example.com",
      template: "test",
      subject: "Hello",
      bodyText: "Hello.",
      status,
      sendAfter: at(MAR, 1),
    })),
  );

  // Health: a completed backup, then a failed one; job runs; the audit archive.
  await db.insert(systemBackups).values([
    {
      trigger: "SCHEDULED",
      status: "COMPLETED",
      storagePrefix: "backups/done/",
      manifest: {},
      sizeBytes: 12_345,
      completedAt: at(MAR, 14, 3, 31),
      createdAt: at(MAR, 14, 3, 30),
    },
    {
      trigger: "SCHEDULED",
      status: "FAILED",
      storagePrefix: "backups/failed/",
      error: "R2 was away",
      createdAt: at(MAR, 15, 3, 30),
    },
  ]);
  const record = jobRunRecorder(db);
  const run = (job: string, cron: string, startedAt: Date, ok: boolean) =>
    record({
      job,
      cron,
      startedAt,
      finishedAt: new Date(startedAt.getTime() + 2_000),
      ok,
      durationMs: 2_000,
      result: ok ? { sent: 3 } : null,
      error: ok ? null : "Backup step failed",
    });
  await run("deliver-emails", "0 * * * *", at(MAR, 15, 11), true);
  await run("back-up-database", "30 3 * * *", at(MAR, 14, 3, 30), true);
  await run("back-up-database", "30 3 * * *", at(MAR, 15, 3, 30), false);

  await db.insert(auditLogs).values([
    {
      actorId: null,
      action: "SETTINGS_CHANGED",
      entityType: "settings",
      createdAt: new Date(Date.UTC(2034, 0, 1)),
    },
    {
      actorId: ada.id,
      actorRole: "ADMIN",
      action: "USER_ROLE_CHANGED",
      entityType: "user",
      entityId: sam.id,
      createdAt: at(MAR, 15, 11),
    },
    {
      actorId: null,
      action: "MEMBERSHIP_RENEWED",
      entityType: "membership",
      entityId: createId(),
      createdAt: at(MAR, 15, 11, 30),
    },
  ]);
  await db.insert(auditLogArchives).values({
    // A real past day: the database accepts archive rows only for days 30+ days before its clock.
    rangeStart: new Date(Date.UTC(2025, 6, 1)),
    rangeEnd: new Date(Date.UTC(2025, 6, 2)),
    storageKey: "audit/2025/07/01.ndjson.gz",
    rowCount: 7,
    sha256: "0".repeat(64),
    verifiedAt: new Date(Date.UTC(2034, 0, 1)),
  });

  dashboard = await getAdminDashboard(db, {
    now: NOW,
    includeAudit: true,
    includeMoney: true,
    jobs: scheduledJobs(JOB_REGISTRY),
  });
});

describe("the dashboard's last 30 days", () => {
  it("sums revenue per UTC day and currency, with refunds on the day they were made", () => {
    expect(dashboard.money!.revenue.map((entry) => entry.currency)).toEqual(["USD", "EUR"]);
    const [usd, eur] = dashboard.money!.revenue;
    expect(nonZero(usd!.revenue)).toEqual([
      ["2035-02-14", 1500],
      ["2035-02-20", 1000],
      ["2035-03-01", 2900 + 7900 + 1900],
      ["2035-03-15", 500 + 500],
    ]);
    expect(nonZero(usd!.refunds)).toEqual([
      ["2035-02-15", 2000],
      ["2035-03-02", 1000],
    ]);
    expect(usd!.totals).toEqual({ revenue: 16_200, refunds: 3000, net: 13_200 });
    expect(nonZero(eur!.revenue)).toEqual([["2035-03-10", 3000]]);
    expect(eur!.totals).toEqual({ revenue: 3000, refunds: 0, net: 3000 });
    for (const series of [usd!.revenue, usd!.refunds, eur!.revenue]) {
      expect(series).toHaveLength(30);
      expect(series[0]!.at).toBe(Date.UTC(2035, 1, 14));
      expect(series.at(-1)!.at).toBe(Date.UTC(2035, 2, 15));
    }
  });

  it("counts sales (products and membership checkouts), downloads and new accounts per day", () => {
    expect(nonZero(dashboard.money!.sales)).toEqual([
      ["2035-02-14", 1],
      ["2035-02-20", 1],
      ["2035-03-01", 3],
      ["2035-03-10", 1],
      ["2035-03-15", 2],
    ]);
    expect(dashboard.money!.salesTotal).toBe(8);
    expect(nonZero(dashboard.downloads)).toEqual([
      ["2035-03-03", 2],
      ["2035-03-15", 1],
    ]);
    expect(dashboard.downloadsTotal).toBe(3);
    expect(nonZero(dashboard.newAccounts)).toEqual([
      ["2035-02-14", 1],
      ["2035-03-01", 2],
      ["2035-03-15", 1],
    ]);
    expect(dashboard.newAccountsTotal).toBe(4);
  });

  it("leaves money and the audit trail out for viewers who may not see them", async () => {
    const limited = await getAdminDashboard(db, {
      now: NOW,
      includeAudit: false,
      includeMoney: false,
    });
    expect(limited.money).toBeNull();
    expect(limited.recentAudit).toBeNull();
    expect(limited.downloadsTotal).toBe(3);
  });
});

describe("the dashboard's work waiting", () => {
  it("counts each queue exactly", () => {
    expect(dashboard.work).toEqual({
      resetRequests: 2,
      addOns: 2,
      projectRequests: 1,
      flaggedLicenses: 1,
      failedEmails: 2,
      overdueProjects: 2,
    });
  });
});

describe("the dashboard's health", () => {
  it("shows the last backup, and the last completed one when the last failed", () => {
    expect(dashboard.health.lastBackup).toMatchObject({
      status: "FAILED",
      error: "R2 was away",
      createdAt: at(MAR, 15, 3, 30),
    });
    expect(dashboard.health.lastCompletedBackup).toMatchObject({
      status: "COMPLETED",
      sizeBytes: 12_345,
      completedAt: at(MAR, 14, 3, 31),
    });
  });

  it("lists every registered job from job_runs: ok, failing since its last success, or never", () => {
    const jobs = new Map(dashboard.health.jobs.map((job) => [job.name, job]));
    expect([...jobs.keys()]).toEqual(scheduledJobs(JOB_REGISTRY).map((job) => job.name));
    expect(jobs.get("deliver-emails")).toMatchObject({
      state: "ok",
      lastFinishedAt: new Date(at(MAR, 15, 11).getTime() + 2_000),
    });
    expect(jobs.get("back-up-database")).toMatchObject({
      state: "failing",
      lastError: "Backup step failed",
      // Kept across the failure: the job has not worked since.
      lastSuccessAt: new Date(at(MAR, 14, 3, 30).getTime() + 2_000),
    });
    expect(jobs.get("delete-expired-sessions")).toMatchObject({
      state: "never",
      lastFinishedAt: null,
    });
  });

  it("reads the audit archive state: the last archived day and the oldest live row", () => {
    expect(dashboard.health.auditArchive).toEqual({
      retentionDays: 180,
      lastArchivedDay: new Date(Date.UTC(2025, 6, 1)),
      lastArchivedRows: 7,
      lastArchiveVerified: true,
      // 1 Jan 2034 → 15 Mar 2035 noon: 365 + 31 + 28 + 14 days and a half.
      oldestLiveAgeDays: 438,
      behind: true,
    });
  });
});

describe("the dashboard's activity list", () => {
  it("names the actor and the account it is about, newest first", () => {
    const [renewal, roleChange] = dashboard.recentAudit!;
    expect(renewal).toMatchObject({
      action: "MEMBERSHIP_RENEWED",
      actorId: null,
      actorName: null,
      subjectName: null,
    });
    expect(roleChange).toMatchObject({
      action: "USER_ROLE_CHANGED",
      actorId: ada.id,
      actorName: "Ada Admin",
      entityId: sam.id,
      subjectName: "Sam Subject",
    });
  });
});
