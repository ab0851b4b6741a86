import { createId } from "@paralleldrive/cuid2";
import { env } from "cloudflare:test";
import { SELF } from "../helpers/worker";
import { and, eq, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import {
  auditLogs,
  digitalProductPurchases,
  licenseActivations,
  licenses,
  rateLimits,
  users,
  type LicenseType,
} from "#db/schema";
import { parseEnv } from "~/lib/env.server";
import { LICENSE_API_LIMITS } from "~/services/license-api.server";
import { issueLicenseStatement, setLicenseStatus } from "~/services/licenses.server";
import { consumeRateLimit, pruneExpiredRateLimits } from "~/services/rate-limit.server";
import { createProduct, createUser } from "../factories";

const db = createDb(env.DB);
const appEnv = parseEnv(env);
const ORIGIN = "https://store.example";

/** A completed purchase and its license, the way fulfilment issues one. */
async function licensed(
  options: { type?: LicenseType; teamSeats?: number; durationMonths?: number | null } = {},
) {
  const user = await createUser(db);
  const product = await createProduct({ db, files: env.FILES });
  const type = options.type ?? "PERSONAL";
  const purchaseId = createId();
  await db.insert(digitalProductPurchases).values({
    id: purchaseId,
    userId: user.id,
    productId: product.id,
    licenseType: type,
    amountCents: 2900,
    currency: "USD",
    status: "COMPLETED",
    provider: "TEST",
    completedAt: new Date(),
  });
  const { licenseId, key, statement } = await issueLicenseStatement(db, appEnv, {
    purchaseId,
    userId: user.id,
    productId: product.id,
    licenseType: type,
    teamSeats: options.teamSeats ?? 2,
    durationMonths: options.durationMonths ?? null,
    now: new Date(),
  });
  await statement;
  return { user, product, licenseId, key };
}

/** Each test calls from its own address, so the per-IP limit of one test never hits another. */
const randomIp = () =>
  `198.51.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;

function call(
  endpoint: string,
  body: unknown,
  options: { ip?: string; raw?: boolean; headers?: Record<string, string> } = {},
) {
  return SELF.fetch(`${ORIGIN}/api/licenses/${endpoint}`, {
    method: "POST",
    body: options.raw ? (body as string) : JSON.stringify(body),
    headers: {
      "Content-Type": "application/json",
      "CF-Connecting-IP": options.ip ?? randomIp(),
      ...options.headers,
    },
  });
}

/** Limits use fixed one-minute windows; a burst that straddles two windows would be split. */
/**
 * Wait out the last 10 s of a fixed rate-limit window so a burst can't straddle two windows.
 * Tests that call it need a timeout above 10 s.
 */
async function awayFromWindowEdge() {
  const left = LICENSE_API_LIMITS.windowMs - (Date.now() % LICENSE_API_LIMITS.windowMs);
  if (left < 10_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

type Answer = {
  valid: boolean;
  code: string;
  detail: string;
  license: {
    status: string;
    type: string;
    expiresAt: string | null;
    seats: { used: number; max: number };
  } | null;
  activated?: boolean;
};

async function answer(response: Response): Promise<Answer> {
  return (await response.json()) as Answer;
}

const currentUsers = async (licenseId: string) =>
  (
    await db
      .select({ currentUsers: licenses.currentUsers })
      .from(licenses)
      .where(eq(licenses.id, licenseId))
  )[0]!.currentUsers;

describe("POST /api/licenses/validate", () => {
  it("answers VALID for a good key, with the license's facts and CORS headers", async () => {
    const { key } = await licensed({ type: "COMMERCIAL" });
    const response = await call("validate", { key });
    expect(response.status).toBe(200);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const body = await answer(response);
    expect(body).toMatchObject({
      valid: true,
      code: "VALID",
      license: {
        status: "ACTIVE",
        type: "COMMERCIAL",
        expiresAt: null,
        seats: { used: 0, max: 1 },
      },
    });
    expect(body.detail).toMatch(/valid/i);
  });

  it("accepts the key in lower case, without dashes or with spaces", async () => {
    const { key } = await licensed();
    for (const variant of [key.toLowerCase(), key.replaceAll("-", ""), ` ${key} `]) {
      const body = await answer(await call("validate", { key: variant }));
      expect(body.code, variant).toBe("VALID");
    }
  });

  it("answers NOT_FOUND for an unknown key and for text that cannot be a key", async () => {
    for (const key of ["AAAAA-BBBBB-CCCCC-DDDDD-EEEEE", "not a key"]) {
      const response = await call("validate", { key });
      expect(response.status).toBe(200);
      expect(await answer(response)).toMatchObject({
        valid: false,
        code: "NOT_FOUND",
        license: null,
      });
    }
  });

  it("answers EXPIRED once the expiry date has passed", async () => {
    const { key, licenseId } = await licensed({ durationMonths: 12 });
    await db
      .update(licenses)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(licenses.id, licenseId));
    const body = await answer(await call("validate", { key }));
    expect(body).toMatchObject({ valid: false, code: "EXPIRED", license: { status: "EXPIRED" } });
  });

  it("answers SUSPENDED and REVOKED from the license's status", async () => {
    for (const status of ["SUSPENDED", "REVOKED"] as const) {
      const { key, licenseId } = await licensed();
      await db.update(licenses).set({ status }).where(eq(licenses.id, licenseId));
      const body = await answer(await call("validate", { key }));
      expect(body).toMatchObject({ valid: false, code: status, license: { status } });
    }
  });

  it("answers OWNER_BANNED when the owner is banned, before any other status", async () => {
    const { key, licenseId, user } = await licensed();
    await db.update(licenses).set({ status: "SUSPENDED" }).where(eq(licenses.id, licenseId));
    await db.update(users).set({ accountStatus: "BANNED" }).where(eq(users.id, user.id));
    const body = await answer(await call("validate", { key }));
    expect(body).toMatchObject({ valid: false, code: "OWNER_BANNED" });
  });

  it("says whether a named instance holds a seat", async () => {
    const { key } = await licensed({ type: "TEAM", teamSeats: 2 });
    expect(await answer(await call("validate", { key, instance: "laptop" }))).toMatchObject({
      valid: true,
      activated: false,
    });
    await call("activate", { key, instance: "laptop" });
    expect(await answer(await call("validate", { key, instance: "laptop" }))).toMatchObject({
      valid: true,
      activated: true,
    });
  });
});

describe("POST /api/licenses/activate and /deactivate", () => {
  it("never fills more seats than a TEAM license has, even in parallel", async () => {
    const { key, licenseId } = await licensed({ type: "TEAM", teamSeats: 2 });
    const instances = Array.from({ length: 6 }, (_, i) => `machine-${i}`);
    const responses = await Promise.all(
      instances.map((instance) => call("activate", { key, instance })),
    );
    const bodies = await Promise.all(responses.map(answer));
    expect(responses.every((response) => response.status === 200)).toBe(true);
    expect(bodies.filter((body) => body.code === "VALID")).toHaveLength(2);
    expect(bodies.filter((body) => body.code === "TOO_MANY_USERS")).toHaveLength(4);
    expect(await currentUsers(licenseId)).toBe(2);
    const activations = await db
      .select()
      .from(licenseActivations)
      .where(eq(licenseActivations.licenseId, licenseId));
    expect(activations).toHaveLength(2);
    const audited = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.entityId, licenseId), eq(auditLogs.action, "LICENSE_ACTIVATED")));
    expect(audited).toHaveLength(2);
  });

  it("is idempotent for an instance that is already active, also in parallel", async () => {
    const { key, licenseId } = await licensed({ type: "TEAM", teamSeats: 3 });
    const first = await answer(await call("activate", { key, instance: "studio-mac" }));
    expect(first).toMatchObject({ valid: true, code: "VALID", activated: true });
    const again = await Promise.all(
      [1, 2, 3].map(() => call("activate", { key, instance: "studio-mac" }).then(answer)),
    );
    for (const body of again) {
      expect(body).toMatchObject({ valid: true, code: "VALID", activated: true });
      expect(body.license!.seats).toEqual({ used: 1, max: 3 });
    }
    expect(await currentUsers(licenseId)).toBe(1);
  });

  it("frees a seat on deactivation, so another instance can take it", async () => {
    const { key, licenseId } = await licensed({ type: "PERSONAL" });
    expect((await answer(await call("activate", { key, instance: "a" }))).code).toBe("VALID");
    expect((await answer(await call("activate", { key, instance: "b" }))).code).toBe(
      "TOO_MANY_USERS",
    );
    const freed = await answer(await call("deactivate", { key, instance: "a" }));
    expect(freed).toMatchObject({ valid: true, activated: false, license: { seats: { used: 0 } } });
    expect(await currentUsers(licenseId)).toBe(0);
    expect((await answer(await call("activate", { key, instance: "b" }))).code).toBe("VALID");
    // Deactivating twice changes nothing and writes one audit row only.
    await call("deactivate", { key, instance: "a" });
    const audited = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.entityId, licenseId), eq(auditLogs.action, "LICENSE_DEACTIVATED")));
    expect(audited).toHaveLength(1);
    expect(audited[0]!.metadata).toMatchObject({ instance: "a" });
  });

  it("refuses to activate a license that is not valid", async () => {
    const { key, licenseId } = await licensed({ type: "TEAM" });
    await db.update(licenses).set({ status: "REVOKED" }).where(eq(licenses.id, licenseId));
    const body = await answer(await call("activate", { key, instance: "x" }));
    expect(body).toMatchObject({ valid: false, code: "REVOKED", activated: false });
    expect(await currentUsers(licenseId)).toBe(0);
  });

  it("needs an instance to activate or deactivate", async () => {
    const { key } = await licensed();
    for (const endpoint of ["activate", "deactivate"]) {
      const response = await call(endpoint, { key });
      expect(response.status).toBe(400);
      expect(await answer(response)).toMatchObject({ valid: false, code: "BAD_REQUEST" });
    }
  });
});

describe("the license API's HTTP contract", () => {
  it("answers a CORS preflight", async () => {
    const response = await SELF.fetch(`${ORIGIN}/api/licenses/activate`, {
      method: "OPTIONS",
      headers: {
        Origin: "https://buyer-app.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(response.headers.get("Access-Control-Allow-Methods")).toBe("POST, OPTIONS");
    expect(response.headers.get("Access-Control-Allow-Headers")).toBe("Content-Type");
  });

  it("accepts a cross-origin POST (the key is the credential)", async () => {
    const { key } = await licensed();
    const response = await call(
      "validate",
      { key },
      { headers: { Origin: "https://buyer.example" } },
    );
    expect(response.status).toBe(200);
    expect((await answer(response)).code).toBe("VALID");
  });

  it("answers 400 BAD_REQUEST to malformed JSON and a missing key", async () => {
    const malformed = await call("validate", "{ not json", { raw: true });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(await answer(malformed)).toMatchObject({ valid: false, code: "BAD_REQUEST" });
    const missing = await call("validate", { instance: "x" });
    expect(missing.status).toBe(400);
    const huge = await call("validate", { key: "x".repeat(10_000) });
    expect(huge.status).toBe(413);
  });

  it("answers 404 for an unknown endpoint and 405 for GET", async () => {
    const unknown = await call("revoke", { key: "x" }, { headers: { Origin: ORIGIN } });
    expect(unknown.status).toBe(404);
    const get = await SELF.fetch(`${ORIGIN}/api/licenses/validate`);
    expect(get.status).toBe(405);
  });

  it("rate-limits per key with a 429 and Retry-After", async () => {
    const { key } = await licensed();
    await awayFromWindowEdge();
    // Spread over many addresses so only the per-key limit can refuse.
    const responses = await Promise.all(
      Array.from({ length: LICENSE_API_LIMITS.perKey + 1 }, () => call("validate", { key })),
    );
    const limited = responses.filter((response) => response.status === 429);
    expect(limited).toHaveLength(1);
    const retryAfter = Number(limited[0]!.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await answer(limited[0]!)).toMatchObject({ valid: false, code: "RATE_LIMITED" });
    expect(limited[0]!.headers.get("Access-Control-Allow-Origin")).toBe("*");
  }, 30_000);

  it("rate-limits per IP address across keys", async () => {
    const ip = randomIp();
    await awayFromWindowEdge();
    const responses = await Promise.all(
      Array.from({ length: LICENSE_API_LIMITS.perIp + 1 }, () =>
        call("validate", { key: `not-a-key-${Math.random()}` }, { ip }),
      ),
    );
    expect(responses.filter((response) => response.status === 429)).toHaveLength(1);
  }, 30_000);
});

describe("staff status changes (setLicenseStatus)", () => {
  const request = { ipHash: null, userAgent: "test", requestId: "test" };

  it("lets a moderator suspend, reinstate and revoke, audited, and the API follows", async () => {
    const moderator = await createUser(db, { role: "MODERATOR" });
    const actor = { id: moderator.id, role: moderator.role };
    const { key, licenseId } = await licensed();
    const change = (status: "SUSPENDED" | "REVOKED" | "ACTIVE") =>
      setLicenseStatus(
        { db },
        { actor, licenseId, status, reason: "Review", now: new Date(), request },
      );

    expect(await change("SUSPENDED")).toMatchObject({ ok: true, from: "ACTIVE", to: "SUSPENDED" });
    expect((await answer(await call("validate", { key }))).code).toBe("SUSPENDED");
    expect(await change("SUSPENDED")).toMatchObject({ ok: false, reason: "unchanged" });
    expect(await change("ACTIVE")).toMatchObject({ ok: true, to: "ACTIVE" });
    expect((await answer(await call("validate", { key }))).code).toBe("VALID");
    expect(await change("REVOKED")).toMatchObject({ ok: true, to: "REVOKED" });
    expect((await answer(await call("validate", { key }))).code).toBe("REVOKED");

    const trail = await db
      .select({
        action: auditLogs.action,
        actorId: auditLogs.actorId,
        metadata: auditLogs.metadata,
      })
      .from(auditLogs)
      .where(eq(auditLogs.entityId, licenseId));
    expect(trail.map((row) => row.action).sort()).toEqual([
      "LICENSE_REINSTATED",
      "LICENSE_REVOKED",
      "LICENSE_SUSPENDED",
    ]);
    expect(trail.every((row) => row.actorId === moderator.id)).toBe(true);
    expect(trail[0]!.metadata).toMatchObject({ reason: "Review" });
  });

  it("refuses roles without licenses:moderate and changes nothing", async () => {
    const editor = await createUser(db, { role: "EDITOR" });
    const { licenseId, key } = await licensed();
    const result = await setLicenseStatus(
      { db },
      {
        actor: { id: editor.id, role: editor.role },
        licenseId,
        status: "REVOKED",
        reason: "No",
        now: new Date(),
        request,
      },
    );
    expect(result).toMatchObject({ ok: false, reason: "forbidden" });
    expect((await answer(await call("validate", { key }))).code).toBe("VALID");
  });

  it("makes one change and one audit row when two moderators act at once", async () => {
    const moderator = await createUser(db, { role: "ADMIN" });
    const { licenseId } = await licensed();
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        setLicenseStatus(
          { db },
          {
            actor: { id: moderator.id, role: moderator.role },
            licenseId,
            status: "SUSPENDED",
            reason: "Chargeback",
            now: new Date(),
            request,
          },
        ),
      ),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    const audited = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.entityId, licenseId), eq(auditLogs.action, "LICENSE_SUSPENDED")));
    expect(audited).toHaveLength(1);
  });
});

describe("rate-limit windows", () => {
  it("count atomically in parallel and are pruned once their window ends", async () => {
    const now = new Date("2030-01-01T00:00:30Z");
    const rule = { scope: "test-scope", subject: createId(), limit: 3, windowMs: 60_000 };
    const decisions = await Promise.all(
      Array.from({ length: 5 }, () => consumeRateLimit(db, { ...rule, now })),
    );
    expect(decisions.map((decision) => decision.count).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(3);
    expect(decisions.find((decision) => !decision.allowed)!.retryAfterSeconds).toBe(30);
    // A new window starts from zero.
    const next = await consumeRateLimit(db, { ...rule, now: new Date("2030-01-01T00:01:00Z") });
    expect(next).toMatchObject({ allowed: true, count: 1 });

    const remaining = () =>
      db
        .select()
        .from(rateLimits)
        .where(like(rateLimits.key, `test-scope:${rule.subject}:%`));
    expect(await remaining()).toHaveLength(2);
    expect(
      await pruneExpiredRateLimits(db, new Date("2030-01-01T00:01:00Z")),
    ).toBeGreaterThanOrEqual(1);
    expect(await remaining()).toHaveLength(1);
  });
});
