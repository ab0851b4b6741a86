import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { sessions } from "#db/schema";
import { createUser } from "../../factories";
import { ORIGIN, postForm, sessionCookieFor } from "../../helpers/session";

/**
 * D1's Sessions API through the built worker (docs/decisions/0013): a request that wrote hands
 * its session's bookmark back in the `d1b` cookie, and the next request that carries it starts
 * its session from that bookmark, so it reads its own writes. Locally there is one copy of the
 * database (no replicas), but workerd and miniflare keep real bookmarks, so the round trip is
 * the one production makes.
 */
const db = createDb(env.DB);
const BOOKMARK_COOKIE = /^d1b=([0-9a-f-]+); Path=\/; Max-Age=3600; HttpOnly; SameSite=Lax$/;

const send = ({ path, init }: ReturnType<typeof postForm>) => SELF.fetch(`${ORIGIN}${path}`, init);

function bookmarkOf(response: Response): string | null {
  const set = response.headers.getSetCookie().find((cookie) => cookie.startsWith("d1b="));
  if (!set) return null;
  expect(set).toMatch(BOOKMARK_COOKIE);
  return BOOKMARK_COOKIE.exec(set)![1]!;
}

describe("D1 sessions and the bookmark cookie", () => {
  it("reads its own write: a profile change, then the next page with the bookmark it got", async () => {
    const user = await createUser(db, { name: "Before Rename" });
    const session = await sessionCookieFor(user.id);
    const response = await send(
      postForm("/account?index", { intent: "profile", name: "After Rename" }, { cookie: session }),
    );
    expect(response.status).toBe(302);
    const bookmark = bookmarkOf(response);
    expect(bookmark).not.toBeNull();
    // The write's response is personal: never stored by a shared cache.
    expect(response.headers.get("Cache-Control")).toBe("private, no-store");

    const page = await SELF.fetch(`${ORIGIN}/account`, {
      headers: { Cookie: `${session}; d1b=${bookmark}` },
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Hello, After Rename");
    // A read that wrote nothing hands nothing back.
    expect(bookmarkOf(page)).toBeNull();
  });

  it("starts a read from the bookmark it carries", async () => {
    const user = await createUser(db);
    const session = await sessionCookieFor(user.id);
    // An old last-seen time makes the session lookup write (and so hand a bookmark back).
    await db
      .update(sessions)
      .set({ lastSeenAt: new Date(Date.now() - 60 * 60 * 1000) })
      .where(eq(sessions.userId, user.id));
    // A bookmark far ahead of the local database: a session opened from it keeps it as its
    // latest, so the bookmark that comes back shows where the session started.
    const ahead = "00000000-7fffffff-00000000-00000000000000000000000000000000";
    const page = await SELF.fetch(`${ORIGIN}/account`, {
      headers: { Cookie: `${session}; d1b=${ahead}` },
    });
    expect(page.status).toBe(200);
    expect(bookmarkOf(page)).toBe(ahead);
  });

  it("hands a new bookmark to a log-in, whose first page then finds the new session", async () => {
    const password = "a long enough password 123";
    const user = await createUser(db, { password });
    const response = await send(
      postForm("/login", { email: user.email, password, redirectTo: "/account" }),
    );
    expect(response.status).toBe(302);
    const cookies = response.headers.getSetCookie();
    expect(cookies[0]).toMatch(/^session=/);
    const bookmark = bookmarkOf(response);
    expect(bookmark).not.toBeNull();
    const page = await SELF.fetch(`${ORIGIN}/account`, {
      headers: { Cookie: `${cookies[0]!.split(";")[0]}; d1b=${bookmark}` },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(user.name);
  });

  it("sets no cookie on an anonymous cacheable page, rendered or from the cache", async () => {
    const path = `/products?q=d1-sessions-${Date.now()}`;
    for (const expected of ["miss", "hit"]) {
      const response = await SELF.fetch(`${ORIGIN}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("X-Page-Cache")).toBe(expected);
      expect(response.headers.has("Set-Cookie")).toBe(false);
      await response.text();
    }
  });

  it("renders a page for a visitor who carries only a bookmark, and ignores a forged one", async () => {
    for (const value of ["0000002a-0000000f-00000000-00000000000000000000000000000000", "x!"]) {
      const response = await SELF.fetch(`${ORIGIN}/products`, {
        headers: { Cookie: `d1b=${value}` },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("X-Page-Cache")).toBeNull();
      expect(response.headers.has("Set-Cookie")).toBe(false);
      await response.text();
    }
  });
});
