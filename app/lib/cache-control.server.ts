/**
 * Public pages are edge-cacheable for anonymous visitors only (docs/architecture.md §7). A logged-in
 * visitor's page carries their name in the header, so any response to a request with a
 * session cookie is made private, whatever the route asked for.
 */
const SESSION_COOKIE = /(?:^|;\s*)(?:__Host-)?session=/;
/** Responses that are the same for everyone (public product images) stay cacheable. */
const SHARED_PATHS = /^\/media\//;

export function privatizeForSessions(request: Request, response: Response): Response {
  const cacheControl = response.headers.get("Cache-Control");
  if (!cacheControl?.includes("public")) return response;
  if (SHARED_PATHS.test(new URL(request.url).pathname)) return response;
  if (!SESSION_COOKIE.test(request.headers.get("Cookie") ?? "")) {
    response.headers.append("Vary", "Cookie");
    return response;
  }
  response.headers.set("Cache-Control", "private, no-store");
  return response;
}
