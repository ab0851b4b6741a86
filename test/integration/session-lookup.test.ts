import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { dbFor, requestDbFor } from "#db/client";
import { findSession, newSessionStatement, SESSION_TTL_MS } from "~/services/sessions.server";
import { createUser } from "../factories";

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
