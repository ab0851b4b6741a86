import { etagMatches } from "./etag";

/**
 * ETags for public pages (docs/architecture.md §7: anonymous catalog pages send `Cache-Control` and
 * `ETag`, 304 on match).
 *
 * The tag is a hash of the response body as sent, so it covers everything on the page (root
 * and route data, markup, asset URLs of the current build), and a deploy or an edited product
 * changes it. One part of the body differs on every request: the CSP nonce in the inline
 * scripts. The worker knows that nonce, so it is removed before hashing; the bodies of two
 * responses with the same tag then differ only in the nonce, which is what a weak tag (`W/`)
 * promises. Hashing loader data instead would miss the root loader, the markup and the build.
 *
 * Only public responses get a tag: `privatizeForSessions` has already turned responses to
 * logged-in visitors into `private, no-store`, and those are left alone (no tag, no 304).
 */
const TAGGABLE_CONTENT_TYPE = /^(?:text\/|application\/(?:json|javascript))/i;

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
 * Adds a weak ETag to a public text response and answers a matching `If-None-Match` with
 * 304 and no body. Buffers the body, which is fine for pages of a few dozen KB.
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
