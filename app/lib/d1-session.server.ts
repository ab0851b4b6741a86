import type { Environment } from "./env.server";

/**
 * Which D1 session a request runs on, and the cookie that carries its bookmark to the next
 * request (docs/decisions/0013-d1-read-replicas-and-bookmarks.md).
 *
 * - A write request (anything but GET and HEAD) starts on the primary ("first-primary"): its
 *   permission checks and conditional statements see the latest data.
 * - A read request that carries a bookmark starts from it: the replica it reads from has at
 *   least the writes that bookmark names (the sender's own, read-your-writes).
 * - Any other read ("first-unconstrained") goes to the nearest replica.
 *
 * After a request that wrote, the response carries the session's bookmark in a short-lived
 * cookie, for a browser that keeps our cookies: one that sent a cookie or is being given one
 * (a log-in, a toast). A GET that wrote nothing sets nothing, so an anonymous page stays
 * storable; a cookie-less exchange (sign-up, a webhook, the license API) stays cookie-less, so
 * the sign-up answer for a taken address stays identical to the one for a new address.
 */

/** How long a bookmark is worth carrying: far longer than any replica lags behind. */
export const BOOKMARK_MAX_AGE_S = 60 * 60;

/** D1 bookmarks are hex groups joined by dashes; anything else is ignored. */
const BOOKMARK = /^[0-9a-f]{1,64}(?:-[0-9a-f]{1,64}){0,7}$/i;

const secureEnvironment = (environment: Environment) =>
  environment === "production" || environment === "staging";

/** `__Host-` prefixed wherever the site is served over HTTPS, like the session cookie. */
export function bookmarkCookieName(environment: Environment): string {
  return secureEnvironment(environment) ? "__Host-d1b" : "d1b";
}

/** The bookmark the request carries, or null when it has none (or one that is not a bookmark). */
export function readBookmark(request: Request, environment: Environment): string | null {
  const header = request.headers.get("Cookie");
  if (!header) return null;
  const name = `${bookmarkCookieName(environment)}=`;
  for (const part of header.split(";")) {
    const pair = part.trim();
    if (!pair.startsWith(name)) continue;
    const value = pair.slice(name.length);
    return value.length <= 200 && BOOKMARK.test(value) ? value : null;
  }
  return null;
}

const isRead = (method: string) => method === "GET" || method === "HEAD";

/** Where the request's first query goes: see the module comment. */
export function sessionConstraint(
  method: string,
  bookmark: string | null,
): D1SessionConstraint | D1SessionBookmark {
  if (!isRead(method)) return "first-primary";
  return bookmark ?? "first-unconstrained";
}

export interface SessionOutcome {
  method: string;
  /** Whether a statement that writes ran on the request's session. */
  wrote: boolean;
  /** The session's bookmark after the request (null if no query ran). */
  bookmark: string | null;
  /** Whether the request sent a cookie or its response sets one. */
  keepsCookies: boolean;
}

/**
 * The `Set-Cookie` value that hands the session's bookmark to the next request, or null: only
 * after a request that wrote (every write request counts, whatever its statements did), only
 * to a client that keeps our cookies, and only when the session has a bookmark to give.
 */
export function bookmarkSetCookie(
  outcome: SessionOutcome,
  environment: Environment,
): string | null {
  if (outcome.bookmark === null || !BOOKMARK.test(outcome.bookmark)) return null;
  if (isRead(outcome.method) && !outcome.wrote) return null;
  if (!outcome.keepsCookies) return null;
  const secure = secureEnvironment(environment) ? "; Secure" : "";
  return `${bookmarkCookieName(environment)}=${outcome.bookmark}; Path=/; Max-Age=${BOOKMARK_MAX_AGE_S}; HttpOnly${secure}; SameSite=Lax`;
}
