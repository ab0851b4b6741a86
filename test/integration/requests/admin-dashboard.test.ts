import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { auditLogs, type UserRole } from "#db/schema";
import { JOB_REGISTRY } from "~/jobs/registry";
import { scheduledJobs } from "~/jobs/run-scheduled";
import { parseEnv } from "~/lib/env.server";
import { jobRunRecorder } from "~/services/job-runs.server";
import { createProject, createUser } from "../../factories";
import { ORIGIN, sessionCookieFor } from "../../helpers/session";

/**
 * `/admin` through the built Worker (issue 12 §4): what each role sees, and the queue links.
 * The exact numbers are tested against a database of their own in ../admin-dashboard.test.ts;
 * this database is shared with other test files, so only what this file wrote is asserted.
 */

const db = createDb(env.DB);
const appEnv = parseEnv(env);

async function staff(role: UserRole, name = `Staff ${role}`) {
  const user = await createUser(
    db,
    { role, name, twoFactorSecret: "JBSWY3DPEHPK3PXP" },
    { encryptionKeys: appEnv.encryptionKeys },
  );
  return { user, cookie: await sessionCookieFor(user.id, { twoFactorVerified: true }) };
}

const page = async (path: string, cookie: string) => {
  const response = await SELF.fetch(`${ORIGIN}${path}`, {
    redirect: "manual",
    headers: { Cookie: cookie },
  });
  expect(response.status).toBe(200);
  return response.text();
};

describe("/admin", () => {
  it("shows an admin the charts, the queues, every scheduled job and the activity by name", async () => {
    const admin = await staff("ADMIN", `Ada Dashboard ${crypto.randomUUID().slice(0, 8)}`);
    const subject = await createUser(db, {
      name: `Sam Dashboard ${crypto.randomUUID().slice(0, 8)}`,
    });
    // A moment ahead, so it is among the newest rows whatever other files write meanwhile.
    await db.insert(auditLogs).values({
      actorId: admin.user.id,
      actorRole: "ADMIN",
      action: "USER_ROLE_CHANGED",
      entityType: "user",
      entityId: subject.id,
      createdAt: new Date(Date.now() + 5_000),
    });

    // No test fires the daily cron through the runner, so this row stays as written.
    const lastWorked = new Date(Date.UTC(2030, 0, 1, 3, 30));
    await jobRunRecorder(db)({
      job: "prune-rate-limits",
      cron: "30 3 * * *",
      startedAt: lastWorked,
      finishedAt: lastWorked,
      ok: true,
      durationMs: 0,
      result: {},
      error: null,
    });
    await jobRunRecorder(db)({
      job: "prune-rate-limits",
      cron: "30 3 * * *",
      startedAt: new Date(),
      finishedAt: new Date(),
      ok: false,
      durationMs: 0,
      result: null,
      error: "D1 said no",
    });

    const html = await page("/admin", admin.cookie);
    expect(html).toMatch(
      /data-job="prune-rate-limits" data-state="failing">[\s\S]*?Failing since the last success, 1 Jan 2030, 03:30 UTC(<!-- -->)?: D1 said no/,
    );
    for (const title of ["Sales", "Downloads", "New accounts"]) {
      expect(html).toContain(`<title id="${title.toLowerCase().replace(" ", "-")}-title">`);
    }
    expect(html).toContain("Chart data as a table");
    for (const href of [
      "/admin/reset-requests?status=PENDING",
      "/admin/add-ons?status=PENDING",
      "/admin/projects?queue=requests",
      "/admin/projects?queue=overdue",
      "/admin/licenses?abuse=FLAGGED",
      "/admin/outbox?status=FAILED",
      "/admin/backups",
    ]) {
      expect(html).toContain(`href="${href}"`);
    }
    for (const job of scheduledJobs(JOB_REGISTRY)) {
      expect(html).toContain(`data-job="${job.name}"`);
    }
    expect(html).toContain("Recent activity");
    const userLink = (id: string, name: string) =>
      new RegExp(`<a[^>]* href="/admin/users/${id}"[^>]*>${name}</a>`);
    expect(html).toMatch(userLink(admin.user.id, admin.user.name));
    expect(html).toMatch(userLink(subject.id, subject.name));
  });

  it("shows a viewer the numbers but not the audit trail", async () => {
    const viewer = await staff("VIEWER");
    const html = await page("/admin", viewer.cookie);
    expect(html).toContain("Work waiting");
    expect(html).toContain('id="downloads-title"');
    expect(html).not.toContain("Recent activity");
  });

  it("links to the backups page only for roles that may open it (it refuses the others with 403)", async () => {
    const backupsLink = /<a[^>]* href="\/admin\/backups"/;
    for (const role of ["VIEWER", "EDITOR", "MODERATOR"] as const) {
      const html = await page("/admin", (await staff(role)).cookie);
      expect(html).toContain('data-testid="backup-health"');
      expect(html, role).not.toMatch(backupsLink);
    }
    for (const role of ["ADMIN", "OWNER"] as const) {
      expect(await page("/admin", (await staff(role)).cookie), role).toMatch(backupsLink);
    }
  });
});

describe("/admin/projects?queue=", () => {
  it("lists the requests waiting for an answer, or the overdue projects", async () => {
    const admin = await staff("ADMIN");
    const client = await createUser(db);
    const tag = crypto.randomUUID().slice(0, 8);
    const day = 86_400_000;
    await createProject(db, { clientId: client.id, title: `Request ${tag}`, acceptedAt: null });
    await createProject(db, {
      clientId: client.id,
      title: `Late ${tag}`,
      phase: "BUILD",
      startDate: new Date(Date.now() - 30 * day),
      deadline: new Date(Date.now() - 2 * day),
    });
    await createProject(db, {
      clientId: client.id,
      title: `On time ${tag}`,
      deadline: new Date(Date.now() + 30 * day),
    });
    const search = (queue: string) =>
      page(
        `/admin/projects?queue=${queue}&client=${encodeURIComponent(client.email)}`,
        admin.cookie,
      );

    const requests = await search("requests");
    expect(requests).toContain(`Request ${tag}`);
    expect(requests).not.toContain(`Late ${tag}`);
    expect(requests).not.toContain(`On time ${tag}`);
    const overdue = await search("overdue");
    expect(overdue).toContain(`Late ${tag}`);
    expect(overdue).not.toContain(`Request ${tag}`);
    expect(overdue).not.toContain(`On time ${tag}`);
  });
});
