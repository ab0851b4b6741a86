import { data, type HeadersFunction } from "@remix-run/cloudflare";
import { PUBLIC_PAGE_CACHE } from "~/lib/http";

/**
 * How pages may be cached (docs/architecture.md §7). Public pages (home, catalog, product)
 * are the same for every anonymous visitor: their loaders send `PUBLIC_PAGE_CACHE` and the
 * worker adds an ETag (and makes them private for logged-in visitors). Account pages carry
 * someone's licenses, keys and credits, and never sit in any cache.
 */

/** A public page's loader data, cacheable at the edge. */
export function publicPageData<T>(value: T) {
  return data(value, { headers: { "Cache-Control": PUBLIC_PAGE_CACHE } });
}

/** The loader's caching for the page; an error page (no loader headers) is never cached. */
export const publicPageHeaders: HeadersFunction = ({ loaderHeaders }) => ({
  "Cache-Control": loaderHeaders.get("Cache-Control") ?? "no-store",
});

export const PRIVATE_NO_STORE = { "Cache-Control": "private, no-store" } as const;

/** A user's own page (and the answer to its forms, a revealed key included). */
export const privatePageHeaders: HeadersFunction = () => PRIVATE_NO_STORE;
