import type { AppLoadContext } from "@remix-run/cloudflare";
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createDb, dbFor, requestDbFor } from "#db/client";
import { parseEnv } from "~/lib/env.server";
import { getCurrentUser } from "~/request/auth.server";
import { loader as rootLoader } from "~/root";
import { loader as accountLoader } from "~/routes/account";
import { loader as overviewLoader } from "~/routes/account._index";
import { sessionAccountOverview } from "~/services/account-overview.server";
import { findSession, newSessionStatement, SESSION_TTL_MS } from "~/services/sessions.server";
import { createUser } from "../factories";
import { sessionCookieFor } from "../helpers/session";

/**
 * The session lookup every logged-in request makes is a query prepared once per isolate
 * (issue 17). Its placeholders bypass Drizzle's column encoders, so the expiry comparison and
 * the token are checked here against what the cookie may and may not open.
 */
describe("findSession", () => {
  it("finds a live session, not an expired one, nor another token", async () => {
    const db = requestDbFor(env.DB);
    const user = await createUser(dbFor(env.DB), { name: "Session Finder" });
    const created = new Date("2026-11-01T10:00:00Z");
    const { token, statement } = await newSessionStatement(db, {
      userId: user.id,
      deviceSessionId: null,
      twoFactorVerified: false,
      now: created,
    });
    await statement;

    const live = await findSession(db, token, new Date(created.getTime() + 60_000));
    expect(live?.user.id).toBe(user.id);
    expect(live?.twoFactorVerified).toBe(false);
    // A second lookup with another token reuses the prepared query with new values.
    expect(await findSession(db, "-".repeat(token.length), created)).toBeNull();
    const expiry = created.getTime() + SESSION_TTL_MS;
    expect(await findSession(db, token, new Date(expiry - 1))).not.toBeNull();
    expect(await findSession(db, token, new Date(expiry))).toBeNull();
  });
});

/** The binding with every D1 round trip counted: a statement run alone, or a batch. */
function roundTripCounting(database: D1Database, counter: { trips: number }): D1Database {
  const real = new WeakMap<object, D1PreparedStatement>();
  const counted = (statement: D1PreparedStatement): D1PreparedStatement => {
    const wrapper = new Proxy(statement, {
      get(target, property) {
        if (property === "bind") {
          return (...values: unknown[]) => counted(target.bind(...values));
        }
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (["first", "all", "run", "raw"].includes(String(property))) counter.trips += 1;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    real.set(wrapper, statement);
    return wrapper;
  };
  return new Proxy(database, {
    get(target, property) {
      if (property === "prepare") return (query: string) => counted(target.prepare(query));
      if (property === "batch") {
        return (statements: D1PreparedStatement[]) => {
          counter.trips += 1;
          return target.batch(statements.map((statement) => real.get(statement) ?? statement));
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as () => unknown).bind(target) : value;
    },
  });
}

describe("the session lookup shares its D1 batch with the page's reads", () => {
  async function accountRequest(name: string) {
    const user = await createUser(dbFor(env.DB), { name });
    const cookie = await sessionCookieFor(user.id);
    const counter = { trips: 0 };
    const context: AppLoadContext = {
      cloudflare: { env, ctx: { waitUntil: () => {} } } as unknown as AppLoadContext["cloudflare"],
      env: parseEnv(env),
      db: createDb(roundTripCounting(env.DB, counter)),
      requestId: "test",
      cspNonce: "test",
    };
    const request = new Request("https://store.example/account", { headers: { Cookie: cookie } });
    return { user, counter, args: { request, context, params: {} } };
  }

  it("renders /account's loaders (root, layout, overview) in one round trip", async () => {
    const { user, counter, args } = await accountRequest("One Trip");
    const [root, , overview] = await Promise.all([
      rootLoader(args),
      accountLoader(args),
      overviewLoader(args),
    ]);
    expect(counter.trips).toBe(1);
    expect(overview.profile).toEqual({ name: "One Trip", email: user.email });
    expect(JSON.stringify(root)).toContain("One Trip");
  });

  it("sends the page's reads on their own when the session was already read", async () => {
    const { user, counter, args } = await accountRequest("Late Reads");
    expect((await getCurrentUser(args.request, args.context))?.id).toBe(user.id);
    const overview = await overviewLoader(args);
    expect(counter.trips).toBe(2);
    expect(overview.profile.name).toBe("Late Reads");
  });

  it("finds no rows for a session that is not live, and sends the visitor to log in", async () => {
    const { user, args } = await accountRequest("Logged Out");
    await env.DB.prepare("delete from sessions where user_id = ?").bind(user.id).run();
    const refusal = await overviewLoader(args).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(refusal).toBeInstanceOf(Response);
    expect((refusal as Response).headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
    // The overview's reads, sent with a token of no live session, select nobody's rows.
    const reads = sessionAccountOverview(createDb(env.DB))("0".repeat(64), new Date());
    const results = await env.DB.batch(reads.statements);
    // The account row (with its membership and counts), newest licenses, downloads, projects.
    expect(results).toHaveLength(4);
    for (const result of results) expect(result.results).toEqual([]);
    expect(reads.map(results)).toBeNull();
  });
});
