import { etagMatches } from "./etag";

/**
 * ETags for public responses (docs/architecture.md §7: anonymous catalog pages send
 * `Cache-Control` and `ETag`, 304 on match).
 *
 * Cacheable anonymous pages (`/`, `/products`, `/products/:slug`, `/pricing`) get a tag derived
 * from their page-cache key and the build, known before rendering (`pageCacheTag` in
 * services/page-cache.server.ts): the worker answers a matching `If-None-Match` with
 * `notModified` and renders nothing. Those pages never reach `withEtag`.
 *
 * `withEtag` hashes the body after rendering, so it costs a buffer and a SHA-256 of the whole
 * body, and a 304 costs as much as a 200. It is kept for the small public bodies only: single
 * fetch data (`*.data`, a few KB) and other non-HTML text. Public HTML documents outside the
 * page cache (e.g. `/terms`, or a public page asked for with a cookie) get no tag: their bodies
 * are tens of KB and hashing them was measured at several percent of a request
 * (docs/decisions/0012-memoised-route-matching.md).
 *
 * The per-request CSP nonce in a body is removed before hashing; the bodies of two responses
 * with the same tag then differ only in the nonce, which is what a weak tag (`W/`) promises.
 * Only public responses get a tag: `privatizeForSessions` has already turned responses to
 * logged-in visitors into `private, no-store`, and those are left alone (no tag, no 304).
 */
/** Small public bodies only: HTML documents are not hashed (see above). */
const TAGGABLE_CONTENT_TYPE = /^(?:text\/(?!html)|application\/(?:json|javascript))/i;

export interface EtagOptions {
  /** Per-request text in the body (the CSP nonce) that must not change the tag. */
  volatile: string[];
}

function isTaggable(request: Request, response: Response): boolean {
  return (
    (request.method === "GET" || request.method === "HEAD") &&
    response.status === 200 &&
    response.body !== null &&
    !response.headers.has("ETag") &&
    /\bpublic\b/.test(response.headers.get("Cache-Control") ?? "") &&
    TAGGABLE_CONTENT_TYPE.test(response.headers.get("Content-Type") ?? "")
  );
}

export async function weakEtag(body: string, options: EtagOptions): Promise<string> {
  let stable = body;
  for (const text of options.volatile) if (text) stable = stable.replaceAll(text, "");
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(stable));
  const hex = [...new Uint8Array(digest).slice(0, 16)]
    .map((byte) => byte.toString(16).padStart(2, "0"))
    .join("");
  return `W/"${hex}"`;
}

/**
 * Adds a weak ETag to a small public text response (not HTML) and answers a matching
 * `If-None-Match` with 304 and no body. Buffers the body.
 */
export async function withEtag(
  request: Request,
  response: Response,
  options: EtagOptions,
): Promise<Response> {
  if (!isTaggable(request, response)) return response;
  const body = await response.text();
  const etag = await weakEtag(body, options);
  const headers = new Headers(response.headers);
  headers.set("ETag", etag);
  if (etagMatches(request.headers.get("If-None-Match"), etag)) {
    headers.delete("Content-Length");
    headers.delete("Content-Type");
    return new Response(null, { status: 304, headers });
  }
  return new Response(request.method === "HEAD" ? null : body, { status: 200, headers });
}

/** Whether a rendered response may carry the tag decided before rendering: a public 200. */
export function isTaggablePage(response: Response): boolean {
  const cacheControl = response.headers.get("Cache-Control") ?? "";
  return (
    response.status === 200 && /\bpublic\b/.test(cacheControl) && !/\bprivate\b/.test(cacheControl)
  );
}

/** Sets a tag decided before rendering on a public 200 (`isTaggablePage`); others are left alone. */
export function withKnownEtag(response: Response, etag: string): Response {
  if (isTaggablePage(response)) response.headers.set("ETag", etag);
  return response;
}

/**
 * The 304 for a cacheable page whose tag matched before rendering: the headers its 200 would
 * carry that matter to a cache (`Cache-Control`, `ETag`; the worker adds `Vary` and the
 * security headers), no body.
 */
export function notModified(etag: string, cacheControl: string): Response {
  return new Response(null, {
    status: 304,
    headers: { ETag: etag, "Cache-Control": cacheControl },
  });
}
