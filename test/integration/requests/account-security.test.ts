import { createCookie } from "@remix-run/cloudflare";
import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { auditLogs, deviceSessions, sessions, users } from "#db/schema";
import { totpCode } from "~/domain/auth/totp";
import { parseEnv } from "~/lib/env.server";
import { recordDevice } from "~/services/auth/devices.server";
import { newSessionStatement } from "~/services/sessions.server";
import { createUser } from "../../factories";

const db = createDb(env.DB);
const appEnv = parseEnv(env);
const ORIGIN = "https://store.example";

const FIREFOX_MAC =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:130.0) Gecko/20100101 Firefox/130.0";
const CHROME_WINDOWS =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0 Safari/537.36";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

/** A logged-in session on a recorded device, and the cookie a browser would send for it. */
async function logIn(userId: string, device: { fingerprint: string; userAgent: string }) {
  const now = new Date();
  const recorded = await recordDevice(db, appEnv, { userId, ...device, ip: "203.0.113.7", now });
  const { token, statement } = await newSessionStatement(db, {
    userId,
    deviceSessionId: recorded.id,
    twoFactorVerified: false,
    now,
  });
  await statement;
  const [session] = await db
    .select({ id: sessions.id })
    .from(sessions)
    .where(eq(sessions.deviceSessionId, recorded.id));
  const serialized = await createCookie("session", {
    secrets: [appEnv.sessionSecret],
    path: "/",
    httpOnly: true,
    sameSite: "lax",
  }).serialize(token);
  return { deviceId: recorded.id, sessionId: session!.id, cookie: serialized.split(";")[0]! };
}

/** A user logged in on three devices; the Firefox one is "this device". */
async function userWithDevices() {
  const user = await createUser(db);
  const mac = await logIn(user.id, { fingerprint: "mac-firefox", userAgent: FIREFOX_MAC });
  const windows = await logIn(user.id, {
    fingerprint: "windows-chrome",
    userAgent: CHROME_WINDOWS,
  });
  const phone = await logIn(user.id, { fingerprint: "iphone-safari", userAgent: SAFARI_IPHONE });
  return { user, mac, windows, phone };
}

const page = (cookie: string, query = "") =>
  SELF.fetch(`${ORIGIN}/account/security${query}`, {
    headers: { Cookie: cookie },
    redirect: "manual",
  });

const post = (cookie: string, fields: Record<string, string>, path = "/account/security") =>
  SELF.fetch(`${ORIGIN}${path}`, {
    method: "POST",
    body: new URLSearchParams(fields),
    redirect: "manual",
    headers: {
      Cookie: cookie,
      Origin: ORIGIN,
      // SELF.fetch sends no Host; Remix compares it with Origin on actions.
      "X-Forwarded-Host": new URL(ORIGIN).host,
      "Content-Type": "application/x-www-form-urlencoded",
    },
  });

const sessionExists = async (id: string) =>
  (await db.select({ id: sessions.id }).from(sessions).where(eq(sessions.id, id))).length === 1;

const deviceRow = async (id: string) =>
  (await db.select().from(deviceSessions).where(eq(deviceSessions.id, id)))[0]!;

describe("/account/security", () => {
  it("sends visitors without a session to log in", async () => {
    const response = await SELF.fetch(`${ORIGIN}/account/security`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login?redirectTo=%2Faccount%2Fsecurity");
  });

  it("lists the user's devices, marks this one, and shows blocked devices", async () => {
    const { mac, windows, phone } = await userWithDevices();
    await db
      .update(deviceSessions)
      .set({ isBlocked: true, blockedReason: "Shared abuse", blockedAt: new Date() })
      .where(eq(deviceSessions.id, phone.deviceId));
    // Another user's device never shows up.
    const stranger = await createUser(db);
    const strangers = await logIn(stranger.id, {
      fingerprint: "stranger",
      userAgent: CHROME_WINDOWS,
    });

    const response = await page(mac.cookie);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Firefox on macOS");
    expect(html).toContain("Chrome on Windows");
    expect(html).toContain("Safari on iOS");
    for (const id of [mac.deviceId, windows.deviceId, phone.deviceId]) {
      expect(html).toContain(`data-device-id="${id}"`);
    }
    expect(html).not.toContain(strangers.deviceId);

    const macRow = new RegExp(`data-device-id="${mac.deviceId}".*?</tr>`, "s").exec(html)![0];
    expect(macRow).toContain("This device");
    // Dates arrive as Dates and print in UTC, machine-readable in <time>, with UTC on hover
    // (<LocalTime> switches the text to the viewer's zone after hydration).
    expect(macRow).toMatch(
      /<time dateTime="\d{4}-\d{2}-\d{2}T[\d:.]+Z" title="\d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC">\d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC</,
    );
    // The device this request comes from has a live session.
    expect(macRow).toContain("Logged in");
    const phoneRow = new RegExp(`data-device-id="${phone.deviceId}".*?</tr>`, "s").exec(html)![0];
    expect(phoneRow).toContain("Blocked");
    expect(phoneRow).not.toContain("This device");
    expect(html).toContain('data-testid="two-factor-section"');
  });

  it("explains why staff were sent here from the admin area", async () => {
    const { mac } = await userWithDevices();
    const html = await (await page(mac.cookie, "?required=2fa")).text();
    expect(html).toContain(
      "Staff accounts need two-factor authentication before opening the admin area.",
    );
    expect(await (await page(mac.cookie)).text()).not.toContain("Staff accounts need two-factor");
  });

  it("revokes one of the user's other devices: its sessions end, this one stays", async () => {
    const { user, mac, windows } = await userWithDevices();

    const response = await post(mac.cookie, {
      intent: "revoke-device",
      deviceId: windows.deviceId,
    });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/account/security");

    expect(await sessionExists(windows.sessionId)).toBe(false);
    expect((await deviceRow(windows.deviceId)).revokedAt).not.toBeNull();
    expect(await sessionExists(mac.sessionId)).toBe(true);
    const audits = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "DEVICE_REVOKED"), eq(auditLogs.entityId, windows.deviceId)));
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorId: user.id, entityType: "device_session" });

    // The revoked browser is logged out; the list no longer shows it.
    expect((await page(windows.cookie)).status).toBe(302);
    const html = await (await page(mac.cookie)).text();
    expect(html).not.toContain(`data-device-id="${windows.deviceId}"`);

    // Revoking it again finds nothing to revoke.
    expect(
      (await post(mac.cookie, { intent: "revoke-device", deviceId: windows.deviceId })).status,
    ).toBe(404);
  });

  it("answers 404 for another user's device and leaves it alone", async () => {
    const { mac } = await userWithDevices();
    const stranger = await createUser(db);
    const theirs = await logIn(stranger.id, {
      fingerprint: "their-laptop",
      userAgent: FIREFOX_MAC,
    });

    const response = await post(mac.cookie, { intent: "revoke-device", deviceId: theirs.deviceId });
    expect(response.status).toBe(404);
    expect(await sessionExists(theirs.sessionId)).toBe(true);
    expect((await deviceRow(theirs.deviceId)).revokedAt).toBeNull();
    const audits = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "DEVICE_REVOKED"), eq(auditLogs.entityId, theirs.deviceId)));
    expect(audits).toHaveLength(0);
  });

  it("revoking this device logs it out and clears the cookie", async () => {
    const { mac, windows } = await userWithDevices();
    const response = await post(mac.cookie, { intent: "revoke-device", deviceId: mac.deviceId });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login");
    const cleared = response.headers.getSetCookie().find((cookie) => cookie.startsWith("session="));
    expect(cleared).toMatch(/Max-Age=0/);
    expect(await sessionExists(mac.sessionId)).toBe(false);
    expect(await sessionExists(windows.sessionId)).toBe(true);
  });

  it("logs out other devices but keeps the current session", async () => {
    const { user, mac, windows, phone } = await userWithDevices();
    const response = await post(mac.cookie, { intent: "log-out-others" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/account/security");

    expect(await sessionExists(mac.sessionId)).toBe(true);
    expect(await sessionExists(windows.sessionId)).toBe(false);
    expect(await sessionExists(phone.sessionId)).toBe(false);
    expect((await page(mac.cookie)).status).toBe(200);
    expect((await page(windows.cookie)).status).toBe(302);
    const audits = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "SESSIONS_REVOKED"), eq(auditLogs.actorId, user.id)));
    expect(audits).toHaveLength(1);
    // The devices stay listed (logged out), unlike revoked ones.
    expect(await (await page(mac.cookie)).text()).toContain(`data-device-id="${windows.deviceId}"`);
  });

  it("answers 400 to a form it doesn't understand", async () => {
    const { mac } = await userWithDevices();
    const response = await post(mac.cookie, { intent: "revoke-everything" });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("This form wasn");
  });

  it("refuses a revoke form sent from another site", async () => {
    const { mac, windows } = await userWithDevices();
    const response = await SELF.fetch(`${ORIGIN}/account/security`, {
      method: "POST",
      body: new URLSearchParams({ intent: "revoke-device", deviceId: windows.deviceId }),
      redirect: "manual",
      headers: {
        Cookie: mac.cookie,
        Origin: "https://evil.example",
        "X-Forwarded-Host": new URL(ORIGIN).host,
        "Content-Type": "application/x-www-form-urlencoded",
      },
    });
    expect(response.status).toBe(403);
    expect(await sessionExists(windows.sessionId)).toBe(true);
  });
});

describe("/account/two-factor", () => {
  const TWO_FACTOR = "/account/two-factor";
  const twoFactorPage = async (cookie: string) =>
    (await SELF.fetch(`${ORIGIN}${TWO_FACTOR}`, { headers: { Cookie: cookie } })).text();

  it("sets up, refuses a wrong code inline without echoing it, shows recovery codes once, and switches off", async () => {
    const { user, mac } = await userWithDevices();

    expect((await post(mac.cookie, { intent: "begin" }, TWO_FACTOR)).headers.get("Location")).toBe(
      TWO_FACTOR,
    );
    const secret = /data-testid="totp-secret">([A-Z2-7]+)</.exec(
      await twoFactorPage(mac.cookie),
    )![1]!;
    const current = await totpCode(secret, Date.now());
    const wrong = current === "123456" ? "654321" : "123456";

    const refused = await post(mac.cookie, { intent: "confirm", code: wrong }, TWO_FACTOR);
    expect(refused.status).toBe(400);
    const refusedHtml = await refused.text();
    // Inline under the code field, which is marked invalid.
    expect(refusedHtml).toMatch(/class="field__error"[^>]*>That code isn/);
    expect(refusedHtml).toContain('aria-invalid="true"');
    expect(refusedHtml).not.toContain(wrong);

    const confirmed = await post(mac.cookie, { intent: "confirm", code: current }, TWO_FACTOR);
    expect(confirmed.status).toBe(200);
    const recoveryCodes = [
      ...(await confirmed.text()).matchAll(/<li><code>([^<]+)<\/code><\/li>/g),
    ].map((match) => match[1]!);
    expect(recoveryCodes).toHaveLength(10);
    // The session that proved the code is stepped up: a new cookie, the old one ends.
    const stepped = confirmed.headers
      .getSetCookie()
      .find((cookie) => cookie.startsWith("session="))!
      .split(";")[0]!;
    expect(await sessionExists(mac.sessionId)).toBe(false);
    expect(await twoFactorPage(stepped)).toContain(
      "Two-factor authentication is <strong>on</strong>",
    );

    const again = await post(stepped, { intent: "begin" }, TWO_FACTOR);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("Two-factor authentication is already on.");

    const off = await post(stepped, { intent: "disable", code: recoveryCodes[0]! }, TWO_FACTOR);
    expect(off.status).toBe(302);
    expect(off.headers.get("Location")).toBe("/account/security");
    const [row] = await db.select().from(users).where(eq(users.id, user.id));
    expect(row!.twoFactorEnabled).toBe(false);
  });
});
