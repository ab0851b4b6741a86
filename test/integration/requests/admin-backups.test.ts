import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { systemBackups } from "#db/schema";
import { parseEnv } from "~/lib/env.server";
import { createUser } from "../../factories";
import { ORIGIN, postForm, sessionCookieFor } from "../../helpers/session";

/**
 * `/admin/backups` through the built Worker (issue 12): an admin takes a manual backup, sees
 * it with its size, downloads its manifest and runs a restore dry run. The backups include
 * only the config part, so they stay small whatever other test files put in the database.
 */

const db = createDb(env.DB);
const appEnv = parseEnv(env);

async function staff(role: "ADMIN" | "EDITOR") {
  const user = await createUser(
    db,
    { role, twoFactorSecret: "JBSWY3DPEHPK3PXP" },
    { encryptionKeys: appEnv.encryptionKeys },
  );
  return sessionCookieFor(user.id, { twoFactorVerified: true });
}

const get = (path: string, cookie: string) =>
  SELF.fetch(`${ORIGIN}${path}`, { redirect: "manual", headers: { Cookie: cookie } });

async function submit(fields: Record<string, string>, cookie: string) {
  const request = postForm("/admin/backups?index", fields, { cookie });
  return SELF.fetch(`${ORIGIN}${request.path}`, request.init);
}

describe("/admin/backups", () => {
  it("takes a manual backup, lists it, serves its manifest and dry-runs its restore", async () => {
    const admin = await staff("ADMIN");
    const taken = await submit({ intent: "backup", parts: "config" }, admin);
    expect(taken.status).toBe(302);
    const [backup] = await db
      .select()
      .from(systemBackups)
      .where(eq(systemBackups.trigger, "MANUAL"))
      .orderBy(systemBackups.createdAt)
      .limit(1);
    expect(backup).toMatchObject({ status: "COMPLETED", error: null });
    expect(backup!.sizeBytes).toBeGreaterThan(0);

    const page = await get("/admin/backups", admin);
    expect(page.status).toBe(200);
    const html = (await page.text()).replaceAll("<!-- -->", "");
    expect(html).toContain(backup!.id);
    expect(html).toContain("completed");

    const manifest = await get(`/admin/backups/${backup!.id}/manifest`, admin);
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get("Content-Disposition")).toContain("attachment");
    const json = (await manifest.json()) as { backupId: string; tables: Array<{ name: string }> };
    expect(json.backupId).toBe(backup!.id);
    expect(json.tables.map((table) => table.name)).toEqual(["feature_flags"]);

    const dryRun = await submit({ intent: "restore-dry-run", backupId: backup!.id }, admin);
    expect(dryRun.status).toBe(200);
    // React separates adjacent text with comments in server HTML.
    const report = (await dryRun.text()).replaceAll("<!-- -->", "");
    expect(report).toContain(`Restore dry run: ${backup!.id}`);
    expect(report).toMatch(/All \d+ objects match their SHA-256/);
  });

  it("asks for at least one part, and 404s a manifest it does not have", async () => {
    const admin = await staff("ADMIN");
    const refused = await submit({ intent: "backup" }, admin);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("Choose at least one part to back up.");
    expect((await get("/admin/backups/nosuchbackup/manifest", admin)).status).toBe(404);
  });

  it("is for admins: an editor is refused", async () => {
    const editor = await staff("EDITOR");
    expect((await get("/admin/backups", editor)).status).toBe(403);
    expect((await submit({ intent: "backup", parts: "config" }, editor)).status).toBe(403);
  });
});

describe("POST /ops/backups", () => {
  const call = (body: unknown, token: string | null = env.OPS_TOKEN!) =>
    SELF.fetch(`${ORIGIN}/ops/backups`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });

  it("takes a pre-deployment backup for a caller with the operations token", async () => {
    const response = await call({ type: "pre-deployment", parts: ["config"] });
    expect(response.status).toBe(200);
    const progress = (await response.json()) as { backupId: string; status: string };
    expect(progress.status).toBe("COMPLETED");
    const [row] = await db
      .select()
      .from(systemBackups)
      .where(eq(systemBackups.id, progress.backupId));
    expect(row).toMatchObject({
      trigger: "PRE_DEPLOYMENT",
      status: "COMPLETED",
      createdById: null,
    });
    // The next step of a finished backup is refused, saying so.
    const again = await call({ backupId: progress.backupId });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ reason: "finished" });
  });

  it("refuses a missing or wrong token, a bad body and anything but POST, writing nothing", async () => {
    const before = await db.select({ id: systemBackups.id }).from(systemBackups);
    expect((await call({ type: "pre-deployment" }, null)).status).toBe(401);
    expect((await call({ type: "pre-deployment" }, `${env.OPS_TOKEN}x`)).status).toBe(401);
    expect((await call({ type: "weekly" })).status).toBe(400);
    expect((await SELF.fetch(`${ORIGIN}/ops/backups`)).status).toBe(405);
    const after = await db.select({ id: systemBackups.id }).from(systemBackups);
    expect(after.length).toBe(before.length);
  });
});
