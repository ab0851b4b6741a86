/**
 * Public pages are edge-cacheable for anonymous visitors only (docs/architecture.md §7). A logged-in
 * visitor's page carries their name in the header, so any response to a request with a
 * session cookie is made private, whatever the route asked for; and a response for a session
 * (or one that sets a cookie) with no Cache-Control of its own is `private, no-store`, so pages
 * showing secrets or personal data never sit in a browser's or a proxy's cache by default.
 */
const SESSION_COOKIE = /(?:^|;\s*)(?:__Host-)?session=/;
/** Responses that are the same for everyone (public product images) stay cacheable. */
const SHARED_PATHS = /^\/media\//;

export function privatizeForSessions(request: Request, response: Response): Response {
  const cacheControl = response.headers.get("Cache-Control");
  const personal =
    SESSION_COOKIE.test(request.headers.get("Cookie") ?? "") || response.headers.has("Set-Cookie");
  if (SHARED_PATHS.test(new URL(request.url).pathname) && !response.headers.has("Set-Cookie")) {
    return response;
  }
  if (personal && (cacheControl === null || cacheControl.includes("public"))) {
    response.headers.set("Cache-Control", "private, no-store");
  } else if (!personal && cacheControl?.includes("public")) {
    response.headers.append("Vary", "Cookie");
  }
  return response;
}
