import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { FLAG_REFRESH_MS, flagEnvironment } from "~/domain/flags/flags";
import {
  isFeatureEnabled,
  readFeatureFlags,
  resetFeatureFlagCache,
  setFlag,
} from "~/services/feature-flags.server";
import { createUser } from "../factories";

/**
 * The flags' per-isolate copy (issue 12 §3: "reading flags must not add a D1 query to every
 * page"): one read per refresh interval, whatever the number of requests, and a change made
 * through the service visible at once. The clock is passed in.
 */

/** D1 with its statements counted. */
function countingDb() {
  const counter = { statements: 0 };
  const d1 = new Proxy(env.DB, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property === "prepare") {
        return (query: string) => {
          counter.statements += 1;
          return target.prepare(query);
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db: createDb(d1), counter };
}

const environment = flagEnvironment("test");
const T0 = Date.UTC(2031, 0, 1);
const at = (ms: number) => new Date(T0 + ms);

beforeEach(() => resetFeatureFlagCache());

describe("readFeatureFlags", () => {
  it("maps the test environment to development", () => {
    expect(environment).toBe("development");
    expect(flagEnvironment("production")).toBe("production");
  });

  it("is all on with an empty table", async () => {
    const { db } = countingDb();
    expect(await readFeatureFlags(db, { environment, now: at(0) })).toEqual({
      signup: true,
      checkout: true,
      downloads: true,
      studio: true,
      "license-api": true,
    });
  });

  it("reads D1 once per refresh interval, however many requests ask", async () => {
    const { db, counter } = countingDb();
    // 1,000 requests over three intervals: one read at the start of each.
    for (let request = 0; request < 1000; request++) {
      const now = at(Math.floor((request * 3 * FLAG_REFRESH_MS) / 1000));
      await isFeatureEnabled(db, { flag: "downloads", environment, now });
    }
    expect(counter.statements).toBe(3);
  });

  it("shares one read between requests that arrive together", async () => {
    const { db, counter } = countingDb();
    await Promise.all(
      Array.from({ length: 20 }, () => readFeatureFlags(db, { environment, now: at(0) })),
    );
    expect(counter.statements).toBe(1);
  });

  it("sees a change made through the service at once, and another isolate's within the interval", async () => {
    const { db, counter } = countingDb();
    const admin = await createUser(db, { role: "ADMIN" });
    expect(await isFeatureEnabled(db, { flag: "checkout", environment, now: at(0) })).toBe(true);

    const changed = await setFlag(
      { db },
      {
        name: "checkout",
        environment,
        enabled: false,
        reason: "Payment provider incident",
        actor: { id: admin.id, role: admin.role },
        request: {},
        now: at(1),
      },
    );
    expect(changed).toEqual({ ok: true, changed: true });
    expect(await isFeatureEnabled(db, { flag: "checkout", environment, now: at(2) })).toBe(false);

    // Another isolate's change (written straight to D1): this copy holds until it is stale.
    await env.DB.prepare(
      "UPDATE feature_flags SET enabled = 1 WHERE key = 'checkout' AND environment = ?",
    )
      .bind(environment)
      .run();
    const reads = counter.statements;
    expect(await isFeatureEnabled(db, { flag: "checkout", environment, now: at(3) })).toBe(false);
    expect(counter.statements).toBe(reads);
    const later = at(2 + FLAG_REFRESH_MS);
    expect(await isFeatureEnabled(db, { flag: "checkout", environment, now: later })).toBe(true);
    expect(counter.statements).toBe(reads + 1);
  });

  it("refuses an unknown flag and a missing reason", async () => {
    const { db } = countingDb();
    const base = {
      environment,
      enabled: false,
      actor: { id: "nobody", role: "ADMIN" as const },
      request: {},
      now: at(0),
    };
    expect(await setFlag({ db }, { ...base, name: "teleport", reason: "Because" })).toMatchObject({
      ok: false,
      kind: "invalid",
      reason: "unknown-flag",
    });
    expect(await setFlag({ db }, { ...base, name: "signup", reason: " a " })).toMatchObject({
      ok: false,
      reason: "reason-required",
      field: "reason",
    });
  });
});
