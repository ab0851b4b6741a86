import { describe, expect, it } from "vitest";
import {
  BOOKMARK_MAX_AGE_S,
  bookmarkCookieName,
  bookmarkSetCookie,
  readBookmark,
  sessionConstraint,
} from "~/lib/d1-session.server";

const BOOKMARK = "0000002a-0000000f-00004f6d-8e61117bf38d7adb71b934ebbf891683";
const request = (method: string, cookie?: string) =>
  new Request("https://store.example/products", {
    method,
    headers: cookie ? { Cookie: cookie } : {},
  });

describe("sessionConstraint", () => {
  it("sends a cookie-less read to the nearest replica", () => {
    expect(sessionConstraint("GET", null)).toBe("first-unconstrained");
    expect(sessionConstraint("HEAD", null)).toBe("first-unconstrained");
  });

  it("starts a read that carries a bookmark from it (read-your-writes)", () => {
    expect(sessionConstraint("GET", BOOKMARK)).toBe(BOOKMARK);
  });

  it("starts every write request on the primary, bookmark or not", () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      expect(sessionConstraint(method, null)).toBe("first-primary");
      expect(sessionConstraint(method, BOOKMARK)).toBe("first-primary");
    }
  });
});

describe("readBookmark", () => {
  it("reads the environment's cookie among others", () => {
    expect(readBookmark(request("GET", `toast=x; d1b=${BOOKMARK}; session=y`), "test")).toBe(
      BOOKMARK,
    );
    expect(readBookmark(request("GET", `__Host-d1b=${BOOKMARK}`), "production")).toBe(BOOKMARK);
    // The other environment's name is not ours.
    expect(readBookmark(request("GET", `d1b=${BOOKMARK}`), "production")).toBeNull();
    expect(readBookmark(request("GET", `xd1b=${BOOKMARK}`), "test")).toBeNull();
  });

  it("ignores a missing or malformed bookmark", () => {
    expect(readBookmark(request("GET"), "test")).toBeNull();
    for (const value of ["", "garbage!", "ffff,0000", "a".repeat(300), "00-zz", "first-primary"]) {
      expect(readBookmark(request("GET", `d1b=${value}`), "test"), value).toBeNull();
    }
  });
});

describe("bookmarkSetCookie", () => {
  const outcome = { method: "POST", wrote: true, bookmark: BOOKMARK, keepsCookies: true };

  it("hands the bookmark back after a write, HttpOnly, Lax, short-lived", () => {
    expect(bookmarkSetCookie(outcome, "test")).toBe(
      `d1b=${BOOKMARK}; Path=/; Max-Age=${BOOKMARK_MAX_AGE_S}; HttpOnly; SameSite=Lax`,
    );
    expect(bookmarkSetCookie(outcome, "production")).toBe(
      `__Host-d1b=${BOOKMARK}; Path=/; Max-Age=${BOOKMARK_MAX_AGE_S}; HttpOnly; Secure; SameSite=Lax`,
    );
    expect(BOOKMARK_MAX_AGE_S).toBeLessThanOrEqual(3600);
    expect(bookmarkCookieName("staging")).toBe("__Host-d1b");
    expect(bookmarkCookieName("development")).toBe("d1b");
  });

  it("counts every write request, and a read only when it wrote", () => {
    expect(bookmarkSetCookie({ ...outcome, wrote: false }, "test")).not.toBeNull();
    expect(bookmarkSetCookie({ ...outcome, method: "GET", wrote: true }, "test")).not.toBeNull();
    expect(bookmarkSetCookie({ ...outcome, method: "GET", wrote: false }, "test")).toBeNull();
    expect(bookmarkSetCookie({ ...outcome, method: "HEAD", wrote: false }, "test")).toBeNull();
  });

  it("sets nothing for a cookie-less exchange or without a bookmark", () => {
    expect(bookmarkSetCookie({ ...outcome, keepsCookies: false }, "test")).toBeNull();
    expect(bookmarkSetCookie({ ...outcome, bookmark: null }, "test")).toBeNull();
    expect(bookmarkSetCookie({ ...outcome, bookmark: "x;y" }, "test")).toBeNull();
  });
});
