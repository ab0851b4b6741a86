import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { createId } from "@paralleldrive/cuid2";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { auditLogs, deviceSessions, emailOutbox, sessions, users, type UserRole } from "#db/schema";
import { parseEnv } from "~/lib/env.server";
import { createUser } from "../../factories";
import { ORIGIN, postForm, sessionCookieFor } from "../../helpers/session";

/** Role and status are read from D1 on every request: a change bites on the very next one. */

const db = createDb(env.DB);
const appEnv = parseEnv(env);

async function loggedIn(role: UserRole, options: { deviceSessionId?: string } = {}) {
  const staff = role !== "USER";
  const user = await createUser(
    db,
    { role, ...(staff ? { twoFactorSecret: "JBSWY3DPEHPK3PXP" } : {}) },
    { encryptionKeys: appEnv.encryptionKeys },
  );
  const cookie = await sessionCookieFor(user.id, { twoFactorVerified: staff, ...options });
  return { user, cookie };
}

const get = (path: string, cookie: string) =>
  SELF.fetch(`${ORIGIN}${path}`, { redirect: "manual", headers: { Cookie: cookie } });

async function submit(path: string, fields: Record<string, string>, cookie: string) {
  const request = postForm(path, fields, { cookie });
  return SELF.fetch(`${ORIGIN}${request.path}`, request.init);
}

const reload = async (id: string) => (await db.select().from(users).where(eq(users.id, id)))[0]!;

describe("account status and role changes through /admin/users", () => {
  it("banning a logged-in user makes their next request anonymous", async () => {
    const admin = await loggedIn("ADMIN");
    const member = await loggedIn("USER");
    expect((await get("/account", member.cookie)).status).toBe(200);

    const response = await submit(
      `/admin/users/${member.user.id}`,
      { intent: "ban", reason: "Chargeback fraud" },
      admin.cookie,
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/admin/users/${member.user.id}`);
    const toast = response.headers.get("Set-Cookie") ?? "";
    expect(toast).toMatch(/^toast=/);

    const next = await get("/account", member.cookie);
    expect(next.status).toBe(302);
    expect(next.headers.get("Location")).toBe("/login?redirectTo=%2Faccount");
    const home = await (await get("/", member.cookie)).text();
    expect(home).toContain('href="/login"');
    expect(home).not.toContain(member.user.name);

    expect(await reload(member.user.id)).toMatchObject({
      accountStatus: "BANNED",
      accountLockedReason: "Chargeback fraud",
    });
    expect(
      await db.select().from(sessions).where(eq(sessions.userId, member.user.id)),
    ).toHaveLength(0);
    const [audit] = await db.select().from(auditLogs).where(eq(auditLogs.entityId, member.user.id));
    expect(audit).toMatchObject({
      action: "ACCOUNT_BANNED",
      actorId: admin.user.id,
      actorRole: "ADMIN",
      metadata: { reason: "Chargeback fraud", previousStatus: "ACTIVE", status: "BANNED" },
    });
    expect(audit!.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const mail = await db
      .select()
      .from(emailOutbox)
      .where(eq(emailOutbox.toEmail, member.user.email));
    expect(mail.map((email) => email.template)).toEqual(["account-banned"]);

    // The admin's next page shows the confirmation once.
    const page = await SELF.fetch(`${ORIGIN}/admin/users/${member.user.id}`, {
      headers: { Cookie: `${admin.cookie}; ${toast.split(";")[0]}` },
    });
    const html = await page.text();
    expect(html).toContain("The account is banned; 1 session ended.");
    expect(html).toContain("Chargeback fraud");
  });

  it("locking a staff member shuts them out of /admin at once", async () => {
    const admin = await loggedIn("ADMIN");
    const viewer = await loggedIn("VIEWER");
    const before = await get("/admin", viewer.cookie);
    expect(before.status).toBe(200);
    // Staff pages hold personal data: never cached.
    expect(before.headers.get("Cache-Control")).toBe("private, no-store");

    const response = await submit(
      `/admin/users/${viewer.user.id}`,
      { intent: "lock", reason: "Left the team" },
      admin.cookie,
    );
    expect(response.status).toBe(302);

    const next = await get("/admin", viewer.cookie);
    expect(next.status).toBe(302);
    expect(next.headers.get("Location")).toBe("/login?redirectTo=%2Fadmin");
  });

  it("demoting an admin makes their next admin request 403", async () => {
    const owner = await loggedIn("OWNER");
    const admin = await loggedIn("ADMIN");
    const customer = await createUser(db);
    expect((await get("/admin/users", admin.cookie)).status).toBe(200);

    const demote = await submit(
      `/admin/users/${admin.user.id}`,
      { intent: "change-role", role: "USER" },
      owner.cookie,
    );
    expect(demote.status).toBe(302);
    expect((await reload(admin.user.id)).role).toBe("USER");
    const [audit] = await db.select().from(auditLogs).where(eq(auditLogs.entityId, admin.user.id));
    expect(audit).toMatchObject({
      action: "SETTINGS_CHANGED",
      actorId: owner.user.id,
      metadata: { field: "role", from: "ADMIN", to: "USER" },
    });

    expect((await get("/admin/users", admin.cookie)).status).toBe(403);
    const ban = await submit(
      `/admin/users/${customer.id}`,
      { intent: "ban", reason: "Too late" },
      admin.cookie,
    );
    expect(ban.status).toBe(403);
    expect((await reload(customer.id)).accountStatus).toBe("ACTIVE");
    // Still logged in, just no longer staff.
    expect((await get("/account", admin.cookie)).status).toBe(200);
  });

  it("an admin demoted to VIEWER still reads /admin but can no longer act", async () => {
    const owner = await loggedIn("OWNER");
    const admin = await loggedIn("ADMIN");
    const customer = await createUser(db);
    await submit(
      `/admin/users/${admin.user.id}`,
      { intent: "change-role", role: "VIEWER" },
      owner.cookie,
    );

    expect((await get(`/admin/users/${customer.id}`, admin.cookie)).status).toBe(200);
    const lock = await submit(
      `/admin/users/${customer.id}`,
      { intent: "lock", reason: "No" },
      admin.cookie,
    );
    expect(lock.status).toBe(403);
    expect((await reload(customer.id)).accountStatus).toBe("ACTIVE");
  });

  it("an admin can't make someone an admin; the form answers with a field error", async () => {
    const admin = await loggedIn("ADMIN");
    const customer = await createUser(db);
    const response = await submit(
      `/admin/users/${customer.id}`,
      { intent: "change-role", role: "ADMIN" },
      admin.cookie,
    );
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("Your role can&#x27;t grant ADMIN.");
    expect((await reload(customer.id)).role).toBe("USER");
  });

  it("asks for a reason, field by field, and changes nothing without one", async () => {
    const admin = await loggedIn("ADMIN");
    const customer = await createUser(db);
    const response = await submit(
      `/admin/users/${customer.id}`,
      { intent: "suspend", reason: "  " },
      admin.cookie,
    );
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("Give a reason.");
    expect(html).toMatch(/<textarea[^>]*aria-invalid="true"/);
    expect((await reload(customer.id)).accountStatus).toBe("ACTIVE");
  });

  it("refuses a cross-origin POST before it reaches the action", async () => {
    const admin = await loggedIn("ADMIN");
    const customer = await createUser(db);
    const request = postForm(
      `/admin/users/${customer.id}`,
      { intent: "ban", reason: "Forged" },
      { cookie: admin.cookie, headers: { Origin: "https://evil.example" } },
    );
    const response = await SELF.fetch(`${ORIGIN}${request.path}`, request.init);
    expect(response.status).toBe(403);
    expect((await reload(customer.id)).accountStatus).toBe("ACTIVE");
  });

  it("blocking a device logs that device out and leaves the user's other devices alone", async () => {
    const admin = await loggedIn("ADMIN");
    const member = await createUser(db);
    const [laptop] = await db
      .insert(deviceSessions)
      .values({
        userId: member.id,
        fingerprintHash: createId(),
        label: "Firefox on Linux",
        lastSeenAt: new Date(),
      })
      .returning();
    const [phone] = await db
      .insert(deviceSessions)
      .values({
        userId: member.id,
        fingerprintHash: createId(),
        label: "Safari on iOS",
        lastSeenAt: new Date(),
      })
      .returning();
    const onLaptop = await sessionCookieFor(member.id, { deviceSessionId: laptop!.id });
    const onPhone = await sessionCookieFor(member.id, { deviceSessionId: phone!.id });

    const page = await (await get(`/admin/users/${member.id}`, admin.cookie)).text();
    expect(page).toContain("Firefox on Linux");
    expect(page).toContain("Block");

    const response = await submit(
      `/admin/users/${member.id}`,
      { intent: "block-device", deviceId: laptop!.id, reason: "Shared account" },
      admin.cookie,
    );
    expect(response.status).toBe(302);
    expect((await get("/account", onLaptop)).status).toBe(302);
    expect((await get("/account", onPhone)).status).toBe(200);
    const [row] = await db.select().from(deviceSessions).where(eq(deviceSessions.id, laptop!.id));
    expect(row).toMatchObject({
      isBlocked: true,
      blockedReason: "Shared account",
      blockedById: admin.user.id,
    });

    // A device of another account can't be blocked through this user's page.
    const stranger = await createUser(db);
    const [strangerDevice] = await db
      .insert(deviceSessions)
      .values({ userId: stranger.id, fingerprintHash: createId(), lastSeenAt: new Date() })
      .returning();
    const sideways = await submit(
      `/admin/users/${member.id}`,
      { intent: "block-device", deviceId: strangerDevice!.id, reason: "Sideways" },
      admin.cookie,
    );
    expect(sideways.status).toBe(404);
  });

  it("shows a refused device block on the row of the device it names", async () => {
    const admin = await loggedIn("ADMIN");
    const member = await createUser(db);
    const devices = await db
      .insert(deviceSessions)
      .values(
        ["Firefox on Linux", "Safari on iOS"].map((label) => ({
          userId: member.id,
          fingerprintHash: createId(),
          label,
          lastSeenAt: new Date(),
        })),
      )
      .returning();
    const refused = devices[1]!;
    const response = await submit(
      `/admin/users/${member.id}`,
      { intent: "block-device", deviceId: refused.id, reason: " " },
      admin.cookie,
    );
    expect(response.status).toBe(400);
    // Every row has a block form with the same intent: only the one sent shows the error.
    const forms = (await response.text()).match(/<form[^>]*device-block-form[\s\S]*?<\/form>/g);
    const invalid = forms?.filter((form) => form.includes('aria-invalid="true"')) ?? [];
    expect(forms).toHaveLength(2);
    expect(invalid).toHaveLength(1);
    expect(invalid[0]).toContain(`value="${refused.id}"`);
    expect(invalid[0]).toContain("Give a reason.");
  });

  it("answers an unknown account with a 404 page", async () => {
    const viewer = await loggedIn("VIEWER");
    const response = await get(`/admin/users/${createId()}`, viewer.cookie);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("There is no such account");
    expect((await get("/admin/users/NOT-AN-ID", viewer.cookie)).status).toBe(404);
  });

  it("shows a viewer the account but no forms and no audit trail", async () => {
    const viewer = await loggedIn("VIEWER");
    const moderator = await loggedIn("MODERATOR");
    const customer = await createUser(db, { name: "Visible Customer" });
    const asViewer = await (await get(`/admin/users/${customer.id}`, viewer.cookie)).text();
    expect(asViewer).toContain("Visible Customer");
    expect(asViewer).not.toContain('name="intent"');
    expect(asViewer).not.toContain("Recent activity");
    const asModerator = await (await get(`/admin/users/${customer.id}`, moderator.cookie)).text();
    expect(asModerator).toContain('value="lock"');
    expect(asModerator).toContain('value="suspend"');
    expect(asModerator).not.toContain('value="ban"');
    expect(asModerator).not.toContain('value="change-role"');
    expect(asModerator).toContain("Recent activity");
  });
});
