import { sql } from "drizzle-orm";
import type { Database } from "#db/client";

/**
 * The edge cache for anonymous pages (issue 17, docs/decisions/0011-edge-cache-for-anonymous-pages.md).
 *
 * A cookie-less GET of `/`, `/products` (any query), `/products/:slug` or `/pricing` is the same
 * page for everyone until staff change a product or a feature flag, so the worker keeps the
 * rendered page and answers the next such request from it: first from a small copy in this
 * isolate, then from the Cache API (`caches.default`, per data centre). Entries are keyed by
 * URL and the catalog version; a new version makes every old entry unreachable.
 *
 * The catalog version is read from D1 (`sum(updated_at)` and `count(*)` of products and flags:
 * every product and flag write sets `updated_at`, so any write changes the sum, even one whose
 * clock is behind another row's; `max` would miss that), once per isolate per
 * CATALOG_VERSION_REFRESH_MS, and at once after this isolate served any write request.
 *
 * The stored page never holds a usable CSP nonce: the nonce of the render is replaced by a
 * placeholder when stored, and every hit gets a fresh one (body and header).
 */
export const CATALOG_VERSION_REFRESH_MS = 2_000;
const MEMORY_ENTRIES = 100;
/** Stands in for the render's nonce in a stored page (same length: 32 characters). */
export const NONCE_PLACEHOLDER = "__page_cache_nonce_placeholder__";

const CACHEABLE_PATH = /^\/(?:products(?:\/[a-z0-9-]{1,120})?|pricing)?$/;

/** Whether the request may be answered from (and its response stored in) the page cache. */
export function isCacheablePageRequest(request: Request): boolean {
  if (request.method !== "GET") return false;
  // Any cookie at all (a session, a toast, a login challenge) means a personal page.
  if (request.headers.has("Cookie") || request.headers.has("Authorization")) return false;
  return CACHEABLE_PATH.test(new URL(request.url).pathname);
}

/** Whether a rendered response may be stored: a public, cookie-free, complete HTML page. */
export function isStorableResponse(response: Response): boolean {
  return (
    response.status === 200 &&
    !response.headers.has("Set-Cookie") &&
    /\bpublic\b/.test(response.headers.get("Cache-Control") ?? "") &&
    !/\b(?:private|no-store)\b/.test(response.headers.get("Cache-Control") ?? "") &&
    /^text\/html\b/i.test(response.headers.get("Content-Type") ?? "")
  );
}

// --- catalog version ------------------------------------------------------------------------

let versionCopy: { value: string; readAt: number } | null = null;

/** Forget this isolate's copy of the version (after a write, and in tests). */
export function forgetCatalogVersion(): void {
  versionCopy = null;
}

export async function readCatalogVersion(db: Database): Promise<string> {
  const row = await db.get<Record<"p" | "n" | "f" | "m", number | null>>(
    sql`select (select sum(updated_at) from digital_products) as p, (select count(*) from digital_products) as n, (select sum(updated_at) from feature_flags) as f, (select count(*) from feature_flags) as m`,
  );
  return [row?.p, row?.n, row?.f, row?.m].map((part) => String(part ?? 0)).join(".");
}

/**
 * How long an isolate trusts the version it read, per environment: tests write to D1 behind the
 * Worker's back, so there it is read on every request.
 */
export function catalogVersionRefreshMs(environment: string): number {
  return environment === "test" ? 0 : CATALOG_VERSION_REFRESH_MS;
}

export async function catalogVersion(
  db: Database,
  now: number,
  refreshMs = CATALOG_VERSION_REFRESH_MS,
): Promise<string> {
  if (versionCopy && now - versionCopy.readAt >= 0 && now - versionCopy.readAt < refreshMs) {
    return versionCopy.value;
  }
  const value = await readCatalogVersion(db);
  versionCopy = { value, readAt: now };
  return value;
}

// --- stored pages ---------------------------------------------------------------------------

export interface StoredPage {
  body: string;
  headers: [string, string][];
}

/** Per-request headers that are never stored: each response gets its own. */
const PER_REQUEST_HEADERS = new Set(["content-security-policy", "x-request-id", "set-cookie"]);

export function toStoredPage(body: string, headers: Headers, nonce: string): StoredPage {
  const kept: [string, string][] = [];
  headers.forEach((value, name) => {
    if (!PER_REQUEST_HEADERS.has(name.toLowerCase())) kept.push([name, value]);
  });
  return { body: body.replaceAll(nonce, NONCE_PLACEHOLDER), headers: kept };
}

const encoder = new TextEncoder();
// Keyed by the stored object: the memory store hands out the same one on every hit, so the
// split and the encoding happen once per page per isolate instead of once per request.
const encodedParts = new WeakMap<StoredPage, Uint8Array[]>();

/** The body's UTF-8 bytes between nonce placeholders: a hit only copies them. */
function partsOf(page: StoredPage): Uint8Array[] {
  let parts = encodedParts.get(page);
  if (!parts) {
    parts = page.body.split(NONCE_PLACEHOLDER).map((part) => encoder.encode(part));
    encodedParts.set(page, parts);
  }
  return parts;
}

/**
 * The stored page as a response with a fresh nonce and the per-request headers (`fresh`, which
 * win over stored ones of the same name). The body is the stored bytes with the nonce's bytes
 * copied in between: no search of the page and no re-encoding of its text per hit.
 */
export function fromStoredPage(
  page: StoredPage,
  request: Request,
  fresh: { nonce: string; headers: ReadonlyArray<[string, string]> },
): Response {
  const headers = new Headers(page.headers);
  for (const [name, value] of fresh.headers) headers.set(name, value);
  headers.set("X-Page-Cache", "hit");
  const etag = headers.get("ETag");
  if (etag && request.headers.get("If-None-Match")?.includes(etag.replace(/^W\//, ""))) {
    headers.delete("Content-Type");
    headers.delete("Content-Length");
    return new Response(null, { status: 304, headers });
  }
  const parts = partsOf(page);
  const nonce = encoder.encode(fresh.nonce);
  let length = nonce.length * (parts.length - 1);
  for (const part of parts) length += part.length;
  const body = new Uint8Array(length);
  let at = 0;
  parts.forEach((part, index) => {
    if (index > 0) {
      body.set(nonce, at);
      at += nonce.length;
    }
    body.set(part, at);
    at += part.length;
  });
  return new Response(body, { status: 200, headers });
}

export interface PageStore {
  get(key: string): Promise<StoredPage | null>;
  put(key: string, page: StoredPage): Promise<void>;
}

/** A bounded copy in this isolate (oldest out first). */
export function memoryPageStore(limit = MEMORY_ENTRIES): PageStore & { size(): number } {
  const pages = new Map<string, StoredPage>();
  return {
    size: () => pages.size,
    get: (key) => Promise.resolve(pages.get(key) ?? null),
    put(key, page) {
      pages.delete(key);
      pages.set(key, page);
      while (pages.size > limit) pages.delete(pages.keys().next().value!);
      return Promise.resolve();
    },
  };
}

/** The Cache API (`caches.default`): shared by the isolates of one data centre. */
export function cacheApiPageStore(cache: Cache): PageStore {
  return {
    async get(key) {
      const found = await cache.match(key);
      if (!found) return null;
      const headers: [string, string][] = JSON.parse(found.headers.get("X-Stored-Headers") ?? "[]");
      return { body: await found.text(), headers };
    },
    async put(key, page) {
      await cache.put(
        key,
        new Response(page.body, {
          headers: {
            "Content-Type": "text/html; charset=utf-8",
            // How long the Cache API keeps it; the version in the key is what makes it stale.
            "Cache-Control": "public, max-age=86400",
            "X-Stored-Headers": JSON.stringify(page.headers),
          },
        }),
      );
    },
  };
}

/** Memory first, then the Cache API; a Cache API hit is copied into memory. */
export function layeredPageStore(memory: PageStore, shared: PageStore | null): PageStore {
  return {
    async get(key) {
      const local = await memory.get(key);
      if (local || !shared) return local;
      const found = await shared.get(key);
      if (found) await memory.put(key, found);
      return found;
    },
    async put(key, page) {
      await memory.put(key, page);
      if (shared) await shared.put(key, page);
    },
  };
}

/** The cache key: the page's URL and the catalog version (an https URL, as the Cache API wants). */
export function pageCacheKey(request: Request, version: string): string {
  const url = new URL(request.url);
  return `https://page-cache.internal/${encodeURIComponent(version)}${url.pathname}${url.search}`;
}

/**
 * The ETag of a cacheable page: a hash of its cache key (URL and catalog version) and the build.
 * The page is a function of those three, so the tag is known before rendering: a matching
 * `If-None-Match` is answered 304 without a render or a store read, and bots and browsers get
 * the same tag (docs/decisions/0012-memoised-route-matching.md, "ETags").
 */
export async function pageCacheTag(cacheKey: string, buildVersion: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(`${buildVersion}\n${cacheKey}`),
  );
  const hex = [...new Uint8Array(digest).slice(0, 16)]
    .map((byte) => byte.toString(16).padStart(2, "0"))
    .join("");
  return `W/"${hex}"`;
}
