import { createId } from "@paralleldrive/cuid2";
import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import {
  auditLogs,
  digitalProducts,
  downloadResetRequests,
  downloads,
  emailOutbox,
  licenses,
} from "#db/schema";
import { signDownloadToken } from "~/lib/download-token.server";
import { parseEnv } from "~/lib/env.server";
import { createUser } from "../../factories";
import { deviceFor, licenseFor } from "../../helpers/licenses";
import { ORIGIN, postForm, sessionCookieFor } from "../../helpers/session";

const db = createDb(env.DB);
const appEnv = parseEnv(env);

const FILE_BYTES = new Uint8Array(300).map((_, i) => (i * 7 + 3) % 256);
const FILE = { name: "kit files.zip", contentType: "application/zip", body: FILE_BYTES };

const get = (path: string, cookie: string, headers: Record<string, string> = {}) =>
  SELF.fetch(`${ORIGIN}${path}`, { headers: { Cookie: cookie, ...headers }, redirect: "manual" });

const send = ({ path, init }: ReturnType<typeof postForm>) => SELF.fetch(`${ORIGIN}${path}`, init);

/** A user with a license for a 300-byte product file, and their session cookie. */
async function setup(options: { deviceSessionId?: string } = {}) {
  const user = await createUser(db);
  const license = await licenseFor(user.id, { product: { file: FILE } });
  const cookie = await sessionCookieFor(user.id, { deviceSessionId: options.deviceSessionId });
  return { user, cookie, ...license };
}

/** POST the download form; returns the `/downloads/:token` path of the grant. */
async function startDownload(licenseId: string, cookie: string): Promise<string> {
  const response = await send(postForm(`/account/licenses/${licenseId}/download`, {}, { cookie }));
  expect(response.status).toBe(302);
  const location = response.headers.get("Location")!;
  expect(location).toMatch(/^\/downloads\/[\w-]+\.[\w-]+$/);
  return location;
}

const rowsOf = (licenseId: string) =>
  db.select().from(downloads).where(eq(downloads.licenseId, licenseId));

const failures = async (licenseId: string) =>
  (await rowsOf(licenseId)).filter((row) => row.status === "FAILED");

/** A grant row written directly (for expiry scenarios), with its signed link. */
async function grantRow(
  input: { userId: string; licenseId: string; productId: string },
  state: { status: "GRANTED" | "COMPLETED"; createdAt: Date; redeemedAt?: Date },
) {
  const id = createId();
  const grantExpiresAt = new Date(state.createdAt.getTime() + 5 * 60 * 1000);
  await db.insert(downloads).values({
    id,
    ...input,
    status: state.status,
    grantExpiresAt,
    redeemedAt: state.redeemedAt ?? null,
    createdAt: state.createdAt,
  });
  const token = await signDownloadToken(appEnv.downloadSigningSecret, {
    grantId: id,
    licenseId: input.licenseId,
    userId: input.userId,
    expiresAt: grantExpiresAt,
  });
  return `/downloads/${token}`;
}

describe("POST /account/licenses/:licenseId/download", () => {
  it("gives exactly 3 of 10 parallel clicks a link; the rest are refused with 429 and the free-up time", async () => {
    const { licenseId, cookie } = await setup();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        send(postForm(`/account/licenses/${licenseId}/download`, {}, { cookie })),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([302, 302, 302, 429, 429, 429, 429, 429, 429, 429]);
    const refused = responses.find((response) => response.status === 429)!;
    const html = await refused.text();
    expect(html).toContain("You have used all 3 downloads of the last 14 days.");
    expect(html).toMatch(/The next download frees up on \d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC/);
    expect(await failures(licenseId)).toHaveLength(7);
  });

  it("refuses another user's license with 404 and records the attempt", async () => {
    const { licenseId } = await setup();
    const stranger = await createUser(db);
    const response = await send(
      postForm(
        `/account/licenses/${licenseId}/download`,
        {},
        {
          cookie: await sessionCookieFor(stranger.id),
        },
      ),
    );
    expect(response.status).toBe(404);
    const [row] = await failures(licenseId);
    expect(row).toMatchObject({ userId: stranger.id, failureReason: "NOT_OWNER" });
  });

  for (const [status, expected, words] of [
    ["REVOKED", "LICENSE_REVOKED", "revoked"],
    ["SUSPENDED", "LICENSE_SUSPENDED", "suspended"],
    ["EXPIRED", "LICENSE_EXPIRED", "expired"],
  ] as const) {
    it(`refuses a ${status.toLowerCase()} license with 403 and a failed downloads row`, async () => {
      const { licenseId, cookie } = await setup();
      await db.update(licenses).set({ status }).where(eq(licenses.id, licenseId));
      const response = await send(
        postForm(`/account/licenses/${licenseId}/download`, {}, { cookie }),
      );
      expect(response.status).toBe(403);
      expect(await response.text()).toContain(words);
      const rows = await rowsOf(licenseId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: "FAILED", failureReason: expected });
      const [audit] = await db
        .select()
        .from(auditLogs)
        .where(and(eq(auditLogs.entityId, licenseId), eq(auditLogs.action, "DOWNLOAD_FAILED")));
      expect(audit?.metadata).toMatchObject({ reason: expected });
    });
  }

  it("refuses a license past its expiry date even while its stored status is ACTIVE", async () => {
    const { licenseId, cookie } = await setup();
    await db
      .update(licenses)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(licenses.id, licenseId));
    const response = await send(
      postForm(`/account/licenses/${licenseId}/download`, {}, { cookie }),
    );
    expect(response.status).toBe(403);
    expect((await failures(licenseId))[0]?.failureReason).toBe("LICENSE_EXPIRED");
  });

  it("refuses a blocked device with 403", async () => {
    const user = await createUser(db);
    const device = await deviceFor(user.id, { blocked: true });
    const { licenseId } = await licenseFor(user.id, { product: { file: FILE } });
    const cookie = await sessionCookieFor(user.id, { deviceSessionId: device.id });
    const response = await send(
      postForm(`/account/licenses/${licenseId}/download`, {}, { cookie }),
    );
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("This device has been blocked");
    const [row] = await failures(licenseId);
    expect(row).toMatchObject({
      failureReason: "DEVICE_BLOCKED",
      deviceFingerprint: device.fingerprintHash,
    });
  });
});

describe("GET /downloads/:token", () => {
  it("streams the file as an attachment with the delivery headers and counts it once", async () => {
    const { licenseId, cookie, product } = await setup();
    const link = await startDownload(licenseId, cookie);
    const response = await get(link, cookie);
    expect(response.status).toBe(200);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(FILE_BYTES);
    expect(response.headers.get("Content-Disposition")).toBe(
      `attachment; filename="kit files.zip"; filename*=UTF-8''kit%20files.zip`,
    );
    expect(response.headers.get("Content-Length")).toBe("300");
    expect(response.headers.get("Content-Type")).toBe("application/zip");
    expect(response.headers.get("ETag")).toMatch(/^"[0-9a-f]+"$/);
    expect(response.headers.get("Cache-Control")).toBe("private, no-store");
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(response.headers.get("Accept-Ranges")).toBe("bytes");

    const rows = await rowsOf(licenseId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "COMPLETED", bytesServed: 300 });
    expect(rows[0]!.redeemedAt).not.toBeNull();
    const [counted] = await db
      .select({ count: digitalProducts.downloadCount })
      .from(digitalProducts)
      .where(eq(digitalProducts.id, product.id));
    expect(counted!.count).toBe(1);
    const succeeded = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.entityId, licenseId), eq(auditLogs.action, "DOWNLOAD_SUCCEEDED")));
    expect(succeeded).toHaveLength(1);
  });

  it("serves byte ranges with 206 and Content-Range; three ranged requests on one grant count once", async () => {
    const { licenseId, cookie, product } = await setup();
    const link = await startDownload(licenseId, cookie);
    const cases = [
      { range: "bytes=0-99", start: 0, end: 99 },
      { range: "bytes=100-", start: 100, end: 299 },
      { range: "bytes=-10", start: 290, end: 299 },
    ];
    for (const { range, start, end } of cases) {
      const response = await get(link, cookie, { Range: range });
      expect(response.status).toBe(206);
      expect(response.headers.get("Content-Range")).toBe(`bytes ${start}-${end}/300`);
      expect(response.headers.get("Content-Length")).toBe(String(end - start + 1));
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(
        FILE_BYTES.slice(start, end + 1),
      );
    }
    // Every request is on record: the grant (redeemed by the first) and one row per resume,
    // each pointing at the grant, so only the grant counts.
    const rows = await rowsOf(licenseId);
    expect(rows).toHaveLength(3);
    expect(rows.every((row) => row.status === "COMPLETED")).toBe(true);
    const grant = rows.find((row) => row.resumeOfId === null)!;
    expect(rows.filter((row) => row.resumeOfId === grant.id)).toHaveLength(2);
    expect(rows.map((row) => row.bytesServed).sort((a, b) => a! - b!)).toEqual([10, 100, 200]);
    const [counted] = await db
      .select({ count: digitalProducts.downloadCount })
      .from(digitalProducts)
      .where(eq(digitalProducts.id, product.id));
    expect(counted!.count).toBe(1);
    // The quota saw one download: two more grants, then none.
    await startDownload(licenseId, cookie);
    await startDownload(licenseId, cookie);
    const fourth = await send(postForm(`/account/licenses/${licenseId}/download`, {}, { cookie }));
    expect(fourth.status).toBe(429);
  });

  it("serves bytes=60-99999999999999999999 as 206 from byte 60, not the whole file", async () => {
    const { licenseId, cookie } = await setup();
    const link = await startDownload(licenseId, cookie);
    const response = await get(link, cookie, { Range: "bytes=60-99999999999999999999" });
    expect(response.status).toBe(206);
    expect(response.headers.get("Content-Range")).toBe("bytes 60-299/300");
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(FILE_BYTES.slice(60));
  });

  it("answers an unsatisfiable range with 416, and ignores Range when If-Range names another version", async () => {
    const { licenseId, cookie } = await setup();
    const link = await startDownload(licenseId, cookie);
    const unsatisfiable = await get(link, cookie, { Range: "bytes=500-" });
    expect(unsatisfiable.status).toBe(416);
    expect(unsatisfiable.headers.get("Content-Range")).toBe("bytes */300");
    const stale = await get(link, cookie, { Range: "bytes=0-9", "If-Range": '"not-the-etag"' });
    expect(stale.status).toBe(200);
    expect((await stale.arrayBuffer()).byteLength).toBe(300);
    const etag = stale.headers.get("ETag")!;
    const current = await get(link, cookie, { Range: "bytes=0-9", "If-Range": etag });
    expect(current.status).toBe(206);
    expect((await current.arrayBuffer()).byteLength).toBe(10);
  });

  it("answers HEAD with the headers and does not redeem the grant", async () => {
    const { licenseId, cookie } = await setup();
    const link = await startDownload(licenseId, cookie);
    const head = await SELF.fetch(`${ORIGIN}${link}`, {
      method: "HEAD",
      headers: { Cookie: cookie },
      redirect: "manual",
    });
    expect(head.status).toBe(200);
    expect(head.headers.get("Content-Length")).toBe("300");
    expect((await rowsOf(licenseId))[0]!.status).toBe("GRANTED");
  });

  it("answers If-None-Match with 304 and no body", async () => {
    const { licenseId, cookie } = await setup();
    const link = await startDownload(licenseId, cookie);
    const first = await get(link, cookie);
    const etag = first.headers.get("ETag")!;
    await first.arrayBuffer();
    const again = await get(link, cookie, { "If-None-Match": etag });
    expect(again.status).toBe(304);
    expect(again.headers.get("ETag")).toBe(etag);
    expect(await again.text()).toBe("");
  });

  it("refuses a tampered link with 403 and records the attempt", async () => {
    const { licenseId, cookie } = await setup();
    const link = await startDownload(licenseId, cookie);
    const tampered = `${link.slice(0, -3)}${link.endsWith("AAA") ? "BBB" : "AAA"}`;
    const response = await get(tampered, cookie);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("This download link is not valid");
    expect(await failures(licenseId)).toEqual([
      expect.objectContaining({ failureReason: "LINK_TAMPERED" }),
    ]);
    // The grant itself was not redeemed.
    expect((await rowsOf(licenseId)).filter((row) => row.status === "GRANTED")).toHaveLength(1);
  });

  it("refuses an expired link with 410 and records the attempt", async () => {
    const { user, licenseId, cookie, product } = await setup();
    const link = await grantRow(
      { userId: user.id, licenseId, productId: product.id },
      { status: "GRANTED", createdAt: new Date(Date.now() - 10 * 60 * 1000) },
    );
    const response = await get(link, cookie);
    expect(response.status).toBe(410);
    expect(await response.text()).toContain("This download link has expired");
    expect(await failures(licenseId)).toEqual([
      expect.objectContaining({ failureReason: "LINK_EXPIRED" }),
    ]);
  });

  it("keeps serving resumes of a redeemed grant for 24 hours, then 410", async () => {
    const { user, licenseId, cookie, product } = await setup();
    const ids = { userId: user.id, licenseId, productId: product.id };
    const hourAgo = new Date(Date.now() - 60 * 60 * 1000);
    const resumable = await grantRow(ids, {
      status: "COMPLETED",
      createdAt: hourAgo,
      redeemedAt: hourAgo,
    });
    const resumed = await get(resumable, cookie, { Range: "bytes=200-" });
    expect(resumed.status).toBe(206);
    expect(new Uint8Array(await resumed.arrayBuffer())).toEqual(FILE_BYTES.slice(200));

    const dayAgo = new Date(Date.now() - 25 * 60 * 60 * 1000);
    const stale = await grantRow(ids, {
      status: "COMPLETED",
      createdAt: dayAgo,
      redeemedAt: dayAgo,
    });
    expect((await get(stale, cookie, { Range: "bytes=200-" })).status).toBe(410);
  });

  it("answers another user's link with 404 and records the attempt", async () => {
    const { licenseId, cookie } = await setup();
    const link = await startDownload(licenseId, cookie);
    const stranger = await createUser(db);
    const response = await get(link, await sessionCookieFor(stranger.id));
    expect(response.status).toBe(404);
    expect(await failures(licenseId)).toEqual([
      expect.objectContaining({ userId: stranger.id, failureReason: "NOT_OWNER" }),
    ]);
    // Still good for its owner.
    expect((await get(link, cookie)).status).toBe(200);
  });

  it("refuses a link once the license was revoked after the grant", async () => {
    const { licenseId, cookie } = await setup();
    const link = await startDownload(licenseId, cookie);
    await db.update(licenses).set({ status: "REVOKED" }).where(eq(licenses.id, licenseId));
    const response = await get(link, cookie);
    expect(response.status).toBe(403);
    expect(await failures(licenseId)).toEqual([
      expect.objectContaining({ failureReason: "LICENSE_REVOKED" }),
    ]);
  });

  it("sends anonymous visitors to log in", async () => {
    const response = await SELF.fetch(`${ORIGIN}/downloads/abc.def`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toContain("/login");
  });
});

describe("resumes of a redeemed grant (issue 14.4)", () => {
  const at = (ip: string) => ({ "CF-Connecting-IP": ip });
  const newDownload = "start a new download from your license";
  const reasons = async (licenseId: string) =>
    (await failures(licenseId)).map((row) => row.failureReason);
  const grantOf = async (licenseId: string) =>
    (await rowsOf(licenseId)).find((row) => row.status !== "FAILED" && row.resumeOfId === null)!;
  const servedOn = async (grantId: string, licenseId: string) =>
    (await rowsOf(licenseId))
      .filter(
        (row) => row.status === "COMPLETED" && (row.id === grantId || row.resumeOfId === grantId),
      )
      .reduce((sum, row) => sum + (row.bytesServed ?? 0), 0);

  it("refuses a second full download (no Range) on a redeemed grant: 410, start a new download", async () => {
    const { licenseId, cookie } = await setup();
    const link = await startDownload(licenseId, cookie);
    const first = await get(link, cookie, at("198.51.100.1"));
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    for (let i = 0; i < 3; i++) {
      const again = await get(link, cookie, at("198.51.100.1"));
      expect(again.status).toBe(410);
      expect(await again.text()).toContain(newDownload);
    }
    // A multi-range request would be answered with the whole file: not a resume either.
    const multi = await get(link, cookie, { ...at("198.51.100.1"), Range: "bytes=0-9,20-29" });
    expect(multi.status).toBe(410);
    expect(await reasons(licenseId)).toEqual(Array(4).fill("RESUME_NOT_RANGED"));
    const grant = await grantOf(licenseId);
    expect(await servedOn(grant.id, licenseId)).toBe(300);
  });

  it("refuses a resume from another IP without the redeeming device, and from another device elsewhere: 403", async () => {
    const user = await createUser(db);
    const { licenseId } = await licenseFor(user.id, { product: { file: FILE } });
    const laptop = await deviceFor(user.id);
    const phone = await deviceFor(user.id);
    const onLaptop = await sessionCookieFor(user.id, { deviceSessionId: laptop.id });
    const onPhone = await sessionCookieFor(user.id, { deviceSessionId: phone.id });
    const bare = await sessionCookieFor(user.id);

    const link = await startDownload(licenseId, onLaptop);
    const first = await get(link, onLaptop, { ...at("198.51.100.1"), Range: "bytes=0-99" });
    expect(first.status).toBe(206);
    await first.arrayBuffer();

    for (const [cookie, ip] of [
      [onPhone, "203.0.113.9"],
      [bare, "203.0.113.9"],
    ] as const) {
      const shared = await get(link, cookie, { ...at(ip), Range: "bytes=100-" });
      expect(shared.status).toBe(403);
      expect(await shared.text()).toContain("can only be resumed there");
    }
    // HEAD from elsewhere learns nothing either.
    const head = await SELF.fetch(`${ORIGIN}${link}`, {
      method: "HEAD",
      headers: { Cookie: bare, ...at("203.0.113.9") },
      redirect: "manual",
    });
    expect(head.status).toBe(403);
    expect(await reasons(licenseId)).toEqual(Array(3).fill("RESUME_OTHER_DEVICE"));

    // The redeeming device on another network, and another device on the same network, resume.
    const moved = await get(link, onLaptop, { ...at("203.0.113.50"), Range: "bytes=100-199" });
    expect(moved.status).toBe(206);
    await moved.arrayBuffer();
    const sameNetwork = await get(link, onPhone, { ...at("198.51.100.1"), Range: "bytes=200-" });
    expect(sameNetwork.status).toBe(206);
    expect(new Uint8Array(await sameNetwork.arrayBuffer())).toEqual(FILE_BYTES.slice(200));
  });

  it("stops serving a grant once it has sent twice the file: 410, start a new download", async () => {
    const { licenseId, cookie } = await setup();
    const link = await startDownload(licenseId, cookie);
    await (await get(link, cookie)).arrayBuffer();
    const again = await get(link, cookie, { Range: "bytes=0-" });
    expect(again.status).toBe(206);
    expect((await again.arrayBuffer()).byteLength).toBe(300);
    const third = await get(link, cookie, { Range: "bytes=299-" });
    expect(third.status).toBe(410);
    expect(await third.text()).toContain(newDownload);
    expect(await reasons(licenseId)).toEqual(["RESUME_LIMIT"]);
    expect(await servedOn((await grantOf(licenseId)).id, licenseId)).toBe(600);
  });

  it("lets 10 parallel resumes serve no more than twice the file between them", async () => {
    const { licenseId, cookie } = await setup();
    const link = await startDownload(licenseId, cookie);
    await (await get(link, cookie, { Range: "bytes=0-99" })).arrayBuffer();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => get(link, cookie, { Range: "bytes=100-199" })),
    );
    await Promise.all(responses.map((response) => response.arrayBuffer()));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([206, 206, 206, 206, 206, 410, 410, 410, 410, 410]);
    expect(await servedOn((await grantOf(licenseId)).id, licenseId)).toBe(600);
    expect(await reasons(licenseId)).toEqual(Array(5).fill("RESUME_LIMIT"));
  });

  it("sends the whole file once to 10 parallel first requests on a fresh link; the rest are refused", async () => {
    const { licenseId, cookie } = await setup();
    const link = await startDownload(licenseId, cookie);
    const responses = await Promise.all(Array.from({ length: 10 }, () => get(link, cookie)));
    await Promise.all(responses.map((response) => response.arrayBuffer()));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 410, 410, 410, 410, 410, 410, 410, 410, 410]);
    expect(await servedOn((await grantOf(licenseId)).id, licenseId)).toBe(300);
  });

  it("lets resumes feed the abuse check: one device resuming from 4 networks flags the license", async () => {
    const user = await createUser(db);
    const { licenseId } = await licenseFor(user.id, { product: { file: FILE } });
    const device = await deviceFor(user.id);
    const cookie = await sessionCookieFor(user.id, { deviceSessionId: device.id });
    const link = await startDownload(licenseId, cookie);
    await (await get(link, cookie, { ...at("198.51.100.1"), Range: "bytes=0-9" })).arrayBuffer();
    for (const ip of ["198.51.100.2", "198.51.100.3", "198.51.100.4"]) {
      const resumed = await get(link, cookie, { ...at(ip), Range: "bytes=10-19" });
      expect(resumed.status).toBe(206);
      await resumed.arrayBuffer();
    }
    const [license] = await db.select().from(licenses).where(eq(licenses.id, licenseId));
    expect(license).toMatchObject({ abuseDetected: true, status: "SUSPENDED" });
    const flagged = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.entityId, licenseId), eq(auditLogs.action, "ABUSE_DETECTED")));
    expect(flagged).toHaveLength(1);
  });
});

describe("the owner's pages", () => {
  it("shows downloads left, the next free-up time and the history on the license page", async () => {
    const { licenseId, cookie } = await setup();
    let html = await (await get(`/account/licenses/${licenseId}`, cookie)).text();
    expect(html).toContain("3 of 3 downloads left in the last 14 days.");
    expect(html).toContain("No downloads yet.");
    for (let i = 0; i < 3; i++) await get(await startDownload(licenseId, cookie), cookie);
    html = await (await get(`/account/licenses/${licenseId}`, cookie)).text();
    expect(html).toContain("0 of 3 downloads left in the last 14 days.");
    expect(html).toMatch(/The next download frees up on \d{1,2} \w{3} \d{4}/);
    expect(html.match(/<td>Downloaded<\/td>/g)).toHaveLength(3);
  });

  it("lists every download attempt on /account/downloads, paginated", async () => {
    const { licenseId, cookie, product } = await setup();
    await get(await startDownload(licenseId, cookie), cookie);
    const html = await (await get("/account/downloads", cookie)).text();
    expect(html).toContain(product.name);
    expect(html).toContain("Downloaded");
    const empty = await (
      await get("/account/downloads", await sessionCookieFor((await createUser(db)).id))
    ).text();
    expect(empty).toContain("No downloads yet");
  });
});

describe("abuse review", () => {
  it("lists flagged licenses with their reason under /admin/licenses?abuse=FLAGGED", async () => {
    const flagged = await setup();
    const clean = await setup();
    await db
      .update(licenses)
      .set({
        abuseDetected: true,
        abuseReason: "More than 3 different IP addresses",
        abuseDetectedAt: new Date(),
        status: "SUSPENDED",
      })
      .where(eq(licenses.id, flagged.licenseId));
    const staff = await createUser(
      db,
      { role: "MODERATOR", twoFactorSecret: "JBSWY3DPEHPK3PXP" },
      { encryptionKeys: appEnv.encryptionKeys },
    );
    const staffCookie = await sessionCookieFor(staff.id, { twoFactorVerified: true });
    const html = await (await get("/admin/licenses?abuse=FLAGGED", staffCookie)).text();
    expect(html).toContain(flagged.user.email);
    expect(html).toContain("More than 3 different IP addresses");
    expect(html).not.toContain(clean.user.email);

    // The license page shows staff the attempts, with shortened hashes only.
    await get(await startDownload(clean.licenseId, clean.cookie), clean.cookie, {
      "CF-Connecting-IP": "198.51.100.77",
    });
    const detail = await (await get(`/admin/licenses/${clean.licenseId}`, staffCookie)).text();
    expect(detail).toContain("downloaded");
    const [row] = await rowsOf(clean.licenseId);
    expect(row!.ipHash).toMatch(/^[0-9a-f]{64}$/);
    expect(detail).toContain(row!.ipHash!.slice(0, 8));
    expect(detail).not.toContain(row!.ipHash!);
    expect(detail).not.toContain("198.51.100.77");
  });
});

describe("reset requests", () => {
  it("takes one pending request per license, lets a moderator approve it with notes, and emails the owner", async () => {
    const { user, licenseId, cookie } = await setup();
    const asked = await send(
      postForm(
        `/account/licenses/${licenseId}/reset-request`,
        { reason: "New laptop" },
        { cookie },
      ),
    );
    expect(asked.status).toBe(302);
    const again = await send(
      postForm(`/account/licenses/${licenseId}/reset-request`, { reason: "Again" }, { cookie }),
    );
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("You already have a reset request waiting for review");
    const empty = await send(
      postForm(`/account/licenses/${licenseId}/reset-request`, { reason: "  " }, { cookie }),
    );
    expect(empty.status).toBe(400);

    const [request] = await db
      .select()
      .from(downloadResetRequests)
      .where(eq(downloadResetRequests.licenseId, licenseId));
    expect(request).toMatchObject({ status: "PENDING", reason: "New laptop" });

    const moderator = await createUser(
      db,
      { role: "MODERATOR", twoFactorSecret: "JBSWY3DPEHPK3PXP" },
      { encryptionKeys: appEnv.encryptionKeys },
    );
    const staffCookie = await sessionCookieFor(moderator.id, { twoFactorVerified: true });
    const list = await get("/admin/reset-requests?status=PENDING", staffCookie);
    expect(list.status).toBe(200);
    expect(await list.text()).toContain(user.email);

    const approved = await send(
      postForm(
        `/admin/reset-requests/${request!.id}`,
        { intent: "approve", notes: "Fresh start" },
        { cookie: staffCookie },
      ),
    );
    expect(approved.status).toBe(302);
    const [decided] = await db
      .select()
      .from(downloadResetRequests)
      .where(eq(downloadResetRequests.id, request!.id));
    expect(decided).toMatchObject({
      status: "APPROVED",
      reviewNotes: "Fresh start",
      reviewedById: moderator.id,
    });
    const [license] = await db.select().from(licenses).where(eq(licenses.id, licenseId));
    expect(license!.downloadWindowResetAt).not.toBeNull();
    const emails = await db.select().from(emailOutbox).where(eq(emailOutbox.toEmail, user.email));
    expect(emails.map((email) => email.template)).toContain("reset-request-approved");
    const audits = await db
      .select({ action: auditLogs.action })
      .from(auditLogs)
      .where(eq(auditLogs.entityId, request!.id));
    expect(audits.map((row) => row.action).sort()).toEqual(["RESET_APPROVED", "RESET_REQUESTED"]);

    const page = await (await get(`/account/licenses/${licenseId}`, cookie)).text();
    expect(page).toContain("approved");
    expect(page).toContain("Fresh start");
    const detail = await (await get(`/admin/reset-requests/${request!.id}`, staffCookie)).text();
    expect(detail).toContain("Fresh start");
  });
});
