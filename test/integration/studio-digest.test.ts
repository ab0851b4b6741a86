import { env } from "cloudflare:test";
import { like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { emailOutbox, serviceAddOns } from "#db/schema";
import { DAILY, JOB_REGISTRY } from "~/jobs/registry";
import { studioDigestJob } from "~/jobs/studio-digest";
import { parseEnv } from "~/lib/env.server";
import { createProject, createUser } from "../factories";

/** The daily studio digest (issue 11): one email per staff member, once a day. */

const db = createDb(env.DB);
const DAY = 86_400_000;

async function addOn(
  projectId: string,
  requestedById: string,
  createdAt: Date,
  status = "PENDING" as const,
) {
  await db.insert(serviceAddOns).values({
    projectId,
    requestedById,
    type: "SUPPORT_CALL",
    status,
    creditCost: 4,
    createdAt,
    updatedAt: createdAt,
  });
}

describe("the studio digest job", () => {
  it("is one of the daily jobs", () => {
    expect(JOB_REGISTRY[DAILY]).toContain(studioDigestJob);
  });

  it("emails each staff member one digest of overdue projects and idle add-ons, once a day", async () => {
    // Long before the other tests' projects exist: only this test's rows are overdue or idle then.
    const now = new Date(Date.UTC(2001, 4, 10, 3, 30));
    const admin = await createUser(db, { role: "ADMIN", name: "Digest Admin" });
    const owner = await createUser(db, { role: "OWNER" });
    const viewer = await createUser(db, { role: "VIEWER" });
    const client = await createUser(db, { name: "Digest Client" });
    const start = new Date(now.getTime() - 30 * DAY);
    const late = await createProject(db, {
      clientId: client.id,
      title: "Late bakery site",
      phase: "BUILD",
      startDate: start,
      deadline: new Date(now.getTime() - 2 * DAY),
    });
    const pausedLate = await createProject(db, {
      clientId: client.id,
      title: "Paused late site",
      phase: "PAUSED",
      pausedFromPhase: "DESIGN",
      pauseReason: "Waiting",
      startDate: start,
      deadline: new Date(now.getTime() - DAY),
    });
    await createProject(db, {
      clientId: client.id,
      title: "Finished late site",
      phase: "COMPLETED",
      startDate: start,
      deadline: new Date(now.getTime() - 5 * DAY),
    });
    await createProject(db, {
      clientId: client.id,
      title: "On time site",
      phase: "BUILD",
      startDate: start,
      deadline: new Date(now.getTime() + 5 * DAY),
    });
    await addOn(late.id, client.id, new Date(now.getTime() - 3 * DAY));
    await addOn(late.id, client.id, new Date(now.getTime() - 1 * DAY));
    const context = { db, env: parseEnv(env), bindings: env, now };

    const first = await studioDigestJob.run(context);
    expect(first).toMatchObject({ overdue: 2, idle: 1 });
    const digests = await db
      .select()
      .from(emailOutbox)
      .where(like(emailOutbox.dedupeKey, "studio-digest:2001-05-10:%"));
    // Staff made by other test files may share the database: look at this test's three.
    const to = (user: { email: string }) => digests.filter((email) => email.toEmail === user.email);
    expect(to(admin)).toHaveLength(1);
    expect(to(owner)).toHaveLength(1);
    expect(to(viewer)).toHaveLength(0);
    expect(first.queued).toBe(digests.length);
    const body = digests.find((email) => email.toEmail === admin.email)!.bodyText;
    expect(body).toContain("Hello Digest Admin");
    expect(body).toContain("Late bakery site (Digest Client)");
    expect(body).toContain(`/admin/projects/${pausedLate.id}`);
    expect(body).toContain("SUPPORT_CALL on Late bakery site, waiting 3 days");
    expect(body).not.toContain("Finished late site");
    expect(body).not.toContain("On time site");
    expect(digests[0]!.subject).toBe("Studio digest: 2 overdue, 1 add-ons waiting");

    // A second run the same day queues nothing more.
    expect(await studioDigestJob.run(context)).toEqual({ overdue: 2, idle: 1, queued: 0 });
    const again = await db
      .select()
      .from(emailOutbox)
      .where(like(emailOutbox.dedupeKey, "studio-digest:2001-05-10:%"));
    expect(again).toHaveLength(digests.length);
  });
});
