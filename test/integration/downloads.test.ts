import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { auditLogs, digitalProducts, downloads, emailOutbox, licenses } from "#db/schema";
import { DOWNLOAD_WINDOW_MS, GRANT_TTL_MS } from "~/domain/downloads/quota";
import { parseEnv } from "~/lib/env.server";
import { hashIp } from "~/lib/hmac.server";
import { fileResponse } from "~/request/file-response.server";
import type { Downloader } from "~/services/downloads/attempts.server";
import { openDownload } from "~/services/downloads/deliver.server";
import { requestDownloadGrant } from "~/services/downloads/grant.server";
import { setLicenseStatus } from "~/services/licenses.server";
import { createResetRequest, reviewResetRequest } from "~/services/reset-requests.server";
import { createUser } from "../factories";
import { licenseFor } from "../helpers/licenses";

const db = createDb(env.DB);
const appEnv = parseEnv(env);
const deps = { db, env: appEnv, files: env.FILES };
const NO_HEADERS = { range: null, ifNoneMatch: null, ifRange: null };

async function owner(): Promise<Downloader> {
  const user = await createUser(db);
  return { id: user.id, role: user.role, accountStatus: "ACTIVE", deviceSessionId: null };
}

const from = async (ip: string) => ({
  ipHash: await hashIp(ip, appEnv.hmacSecret),
  userAgent: "vitest",
  requestId: null,
});

async function grant(user: Downloader, licenseId: string, now: Date, ip = "192.0.2.1") {
  return requestDownloadGrant(deps, { user, licenseId, now, request: await from(ip) });
}

/** Grant and redeem (the whole file) at `now`. */
async function download(user: Downloader, licenseId: string, now: Date, ip = "192.0.2.1") {
  const granted = await grant(user, licenseId, now, ip);
  if (!granted.ok) return granted;
  const served = await openDownload(deps, {
    user,
    token: granted.token,
    headers: NO_HEADERS,
    now: new Date(now.getTime() + 1),
    request: await from(ip),
  });
  if (served.ok && served.body) await served.body.cancel();
  expect(served).toMatchObject({ ok: true, answer: { kind: "bytes", range: null } });
  return served;
}

/** The owner asks for a download reset at `at` and a moderator approves it 10 s later. */
async function approvedReset(
  user: { id: string },
  moderator: { id: string },
  licenseId: string,
  at: Date,
) {
  const asked = await createResetRequest(db, {
    actor: { id: user.id, role: "USER" },
    licenseId,
    reason: "Need it again",
    now: at,
    request: {},
  });
  if (!asked.ok) throw new Error(asked.message);
  await reviewResetRequest(db, {
    actor: { id: moderator.id, role: "MODERATOR" },
    requestId: asked.requestId,
    decision: "approve",
    notes: null,
    now: new Date(at.getTime() + 10_000),
    request: {},
  });
}

const rowsOf = (licenseId: string) =>
  db.select().from(downloads).where(eq(downloads.licenseId, licenseId));

describe("download grants", () => {
  it("issues exactly 3 grants to 10 parallel requests on a fresh license", async () => {
    const user = await owner();
    const { licenseId } = await licenseFor(user.id);
    const now = new Date();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => grant(user, licenseId, now)),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(3);
    const refused = results.filter((result) => !result.ok);
    expect(refused).toHaveLength(7);
    for (const result of refused) {
      expect(result).toMatchObject({ reason: "QUOTA_EXCEEDED", kind: "limit" });
    }
    const rows = await rowsOf(licenseId);
    expect(rows.filter((row) => row.status === "GRANTED")).toHaveLength(3);
    expect(rows.filter((row) => row.status === "FAILED")).toHaveLength(7);
    const audits = await db
      .select({ action: auditLogs.action })
      .from(auditLogs)
      .where(eq(auditLogs.entityId, licenseId));
    expect(audits.filter((row) => row.action === "DOWNLOAD_ATTEMPTED")).toHaveLength(3);
    expect(audits.filter((row) => row.action === "DOWNLOAD_FAILED")).toHaveLength(7);
  });

  it("refuses a fourth download inside 14 days with the free-up time, and allows one at 14 days + 1 ms", async () => {
    const user = await owner();
    const { licenseId } = await licenseFor(user.id);
    const t0 = new Date("2031-03-01T10:00:00Z");
    for (const offset of [0, 60_000, 120_000]) {
      const served = await download(user, licenseId, new Date(t0.getTime() + offset));
      expect(served.ok).toBe(true);
    }
    const fourth = await grant(user, licenseId, new Date(t0.getTime() + 180_000));
    expect(fourth.ok).toBe(false);
    if (fourth.ok) return;
    expect(fourth.kind).toBe("limit");
    expect(fourth.nextFreeAt?.getTime()).toBe(t0.getTime() + DOWNLOAD_WINDOW_MS);
    expect(fourth.message).toContain("frees up on 15 Mar 2031, 10:00 UTC");

    const justBefore = await grant(
      user,
      licenseId,
      new Date(t0.getTime() + DOWNLOAD_WINDOW_MS - 1),
    );
    expect(justBefore.ok).toBe(false);
    const after = await grant(user, licenseId, new Date(t0.getTime() + DOWNLOAD_WINDOW_MS + 1));
    expect(after.ok).toBe(true);
  });

  it("stops counting an unused grant when it expires", async () => {
    const user = await owner();
    const { licenseId } = await licenseFor(user.id);
    const t0 = new Date("2031-04-01T10:00:00Z");
    for (let i = 0; i < 3; i++) expect((await grant(user, licenseId, t0)).ok).toBe(true);
    const refused = await grant(user, licenseId, new Date(t0.getTime() + 60_000));
    expect(refused).toMatchObject({ ok: false, reason: "QUOTA_EXCEEDED" });
    if (!refused.ok) expect(refused.nextFreeAt?.getTime()).toBe(t0.getTime() + GRANT_TTL_MS);
    const later = await grant(user, licenseId, new Date(t0.getTime() + GRANT_TTL_MS + 1));
    expect(later.ok).toBe(true);
  });

  it("gives 3 downloads back when a moderator approves a reset request", async () => {
    const user = await owner();
    const moderator = await createUser(db, { role: "MODERATOR" });
    const { licenseId } = await licenseFor(user.id);
    const t0 = new Date("2031-05-01T10:00:00Z");
    for (let i = 0; i < 3; i++) {
      expect((await download(user, licenseId, new Date(t0.getTime() + i * 1000))).ok).toBe(true);
    }
    expect((await grant(user, licenseId, new Date(t0.getTime() + 5000))).ok).toBe(false);

    const asked = await createResetRequest(db, {
      actor: { id: user.id, role: "USER" },
      licenseId,
      reason: "New laptop",
      now: new Date(t0.getTime() + 6000),
      request: {},
    });
    expect(asked.ok).toBe(true);
    if (!asked.ok) return;
    const t1 = new Date(t0.getTime() + 60_000);
    const approved = await reviewResetRequest(db, {
      actor: { id: moderator.id, role: "MODERATOR" },
      requestId: asked.requestId,
      decision: "approve",
      notes: "Enjoy",
      now: t1,
      request: {},
    });
    expect(approved.ok).toBe(true);

    for (let i = 1; i <= 3; i++) {
      expect((await grant(user, licenseId, new Date(t1.getTime() + i))).ok).toBe(true);
    }
    expect((await grant(user, licenseId, new Date(t1.getTime() + 10))).ok).toBe(false);
  });

  it("refuses a second pending reset request and lets only one moderator decide", async () => {
    const user = await owner();
    const [first, second] = await Promise.all([
      createUser(db, { role: "MODERATOR" }),
      createUser(db, { role: "ADMIN" }),
    ]);
    const { licenseId } = await licenseFor(user.id);
    const ask = () =>
      createResetRequest(db, {
        actor: { id: user.id, role: "USER" },
        licenseId,
        reason: "Lost the file",
        now: new Date(),
        request: {},
      });
    const asked = await ask();
    expect(asked.ok).toBe(true);
    expect(await ask()).toMatchObject({ ok: false, reason: "conflict" });
    if (!asked.ok) return;
    const decisions = await Promise.all(
      [first, second].map((actor) =>
        reviewResetRequest(db, {
          actor: { id: actor.id, role: actor.role },
          requestId: asked.requestId,
          decision: "reject",
          notes: "Too many requests",
          now: new Date(),
          request: {},
        }),
      ),
    );
    expect(decisions.filter((decision) => decision.ok)).toHaveLength(1);
    const audits = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.entityId, asked.requestId), eq(auditLogs.action, "RESET_REJECTED")));
    expect(audits).toHaveLength(1);
    const emails = await db
      .select()
      .from(emailOutbox)
      .where(eq(emailOutbox.dedupeKey, `reset-request:${asked.requestId}:REJECTED`));
    expect(emails).toHaveLength(1);
    expect(emails[0]!.bodyText).toContain("Too many requests");
    // Decided: a new request may be made.
    expect((await ask()).ok).toBe(true);
  });
});

describe("abuse detection", () => {
  it("suspends a license downloaded from 4 distinct IPs inside the window and tells staff", async () => {
    const user = await owner();
    const moderator = await createUser(db, { role: "MODERATOR" });
    const { licenseId, product } = await licenseFor(user.id);
    const t0 = new Date("2031-06-01T10:00:00Z");
    const ips = ["198.51.100.1", "198.51.100.2", "198.51.100.3"];
    for (const [i, ip] of ips.entries()) {
      expect((await download(user, licenseId, new Date(t0.getTime() + i * 1000), ip)).ok).toBe(
        true,
      );
    }
    // Three IPs: not yet abuse.
    let [license] = await db.select().from(licenses).where(eq(licenses.id, licenseId));
    expect(license!.abuseDetected).toBe(false);

    await approvedReset(user, moderator, licenseId, new Date(t0.getTime() + 10_000));
    // The reset gives the quota back, but not a clean slate for the abuse check.
    const fourth = await download(user, licenseId, new Date(t0.getTime() + 30_000), "203.0.113.9");
    expect(fourth.ok).toBe(true);

    [license] = await db.select().from(licenses).where(eq(licenses.id, licenseId));
    expect(license!.abuseDetected).toBe(true);
    expect(license!.status).toBe("SUSPENDED");
    expect(license!.abuseReason).toContain("More than 3 different IP addresses");
    const flagged = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.entityId, licenseId), eq(auditLogs.action, "ABUSE_DETECTED")));
    expect(flagged).toHaveLength(1);
    const emails = await db
      .select()
      .from(emailOutbox)
      .where(
        and(eq(emailOutbox.toEmail, moderator.email), eq(emailOutbox.template, "license-abuse")),
      );
    expect(emails).toHaveLength(1);
    expect(emails[0]!.bodyText).toContain(licenseId);
    const [counted] = await db
      .select({ count: digitalProducts.downloadCount })
      .from(digitalProducts)
      .where(eq(digitalProducts.id, product.id));
    expect(counted!.count).toBe(4);

    // Suspended: refused in words.
    const refused = await grant(user, licenseId, new Date(t0.getTime() + 40_000));
    expect(refused).toMatchObject({ ok: false, reason: "LICENSE_SUSPENDED", kind: "forbidden" });

    // A moderator reinstates: the flag clears and earlier downloads no longer count as abuse.
    const reinstated = await setLicenseStatus(
      { db },
      {
        actor: { id: moderator.id, role: "MODERATOR" },
        licenseId,
        status: "ACTIVE",
        reason: "Customer explained: office, home and two laptops",
        now: new Date(t0.getTime() + 50_000),
        request: {},
      },
    );
    expect(reinstated.ok).toBe(true);
    [license] = await db.select().from(licenses).where(eq(licenses.id, licenseId));
    expect(license!.abuseDetected).toBe(false);
    const fifth = await download(user, licenseId, new Date(t0.getTime() + 60_000), "203.0.113.10");
    expect(fifth.ok).toBe(true);
    [license] = await db.select().from(licenses).where(eq(licenses.id, licenseId));
    expect(license!.status).toBe("ACTIVE");
  });
});

describe("abuse detection on a TEAM license", () => {
  it("allows 3 distinct IPs per seat: a 5-seat team downloads from 15, the 16th suspends it", async () => {
    const user = await owner();
    const moderator = await createUser(db, { role: "MODERATOR" });
    const { licenseId } = await licenseFor(user.id, { type: "TEAM" });
    const [seated] = await db.select().from(licenses).where(eq(licenses.id, licenseId));
    expect(seated!.maxUsers).toBe(5);
    const t0 = new Date("2032-03-01T10:00:00Z");
    const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

    for (let index = 0; index < 16; index++) {
      // Three downloads per 14 days: an approved reset gives the quota back every third one
      // (and, as the ADR says, does not hide the earlier IPs from the abuse check).
      if (index > 0 && index % 3 === 0) {
        await approvedReset(user, moderator, licenseId, at(index * 100 - 20));
      }
      expect(
        (await download(user, licenseId, at(index * 100), `198.51.100.${index + 10}`)).ok,
      ).toBe(true);
      const [license] = await db.select().from(licenses).where(eq(licenses.id, licenseId));
      // The 4th teammate (the old, seat-blind rule's limit) and up to the 15th IP: still fine.
      expect(license!.abuseDetected).toBe(index >= 15);
    }
    const [license] = await db.select().from(licenses).where(eq(licenses.id, licenseId));
    expect(license!.status).toBe("SUSPENDED");
    expect(license!.abuseReason).toBe(
      "More than 15 different IP addresses or devices downloaded this license within 14 days (3 for each of its 5 seats).",
    );
  });
});

describe("streaming", () => {
  it("hands R2's stream to the response instead of buffering the body", async () => {
    const user = await owner();
    const { licenseId, product } = await licenseFor(user.id);
    const now = new Date();
    const granted = await grant(user, licenseId, now);
    if (!granted.ok) throw new Error(granted.message);

    // A body that never ends: buffering it would hang; arrayBuffer()/text() throw outright.
    let pulls = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const uploaded = new Date();
    const fakeObject = {
      key: product.fileKey,
      size: 10 * 1024 * 1024 * 1024,
      httpEtag: '"endless"',
      uploaded,
      httpMetadata: { contentType: "application/octet-stream" },
      body: endless,
      arrayBuffer: () => Promise.reject(new Error("buffered!")),
      text: () => Promise.reject(new Error("buffered!")),
    };
    const files = {
      head: async () => fakeObject,
      get: async () => fakeObject,
    } as unknown as R2Bucket;

    const served = await openDownload(
      { db, env: appEnv, files },
      { user, token: granted.token, headers: NO_HEADERS, now, request: {} },
    );
    expect(served).toMatchObject({ ok: true, answer: { kind: "bytes", range: null } });
    if (!served.ok) return;
    expect(served.body).toBe(endless);
    const response = fileResponse(served);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Length")).toBe(String(10 * 1024 * 1024 * 1024));
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(first.value?.byteLength).toBe(64 * 1024);
    await reader.cancel();
    expect(pulls).toBeLessThan(10);
  });
});
