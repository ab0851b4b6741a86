import { data, type AppLoadContext, type HeadersFunction } from "@remix-run/cloudflare";
import { PUBLIC_PAGE_CACHE } from "~/lib/http";
import { keptForCatalogVersion } from "~/services/catalog-copies.server";
import { catalogVersion, catalogVersionRefreshMs } from "~/services/page-cache.server";

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

const requestVersions = new WeakMap<AppLoadContext, Promise<string>>();

/** The catalog version this request reads at, once per request (the isolate's copy is 2 s). */
export function requestCatalogVersion(context: AppLoadContext): Promise<string> {
  let version = requestVersions.get(context);
  if (!version) {
    const refreshMs = catalogVersionRefreshMs(context.env.environment);
    version = catalogVersion(context.db, Date.now(), refreshMs);
    requestVersions.set(context, version);
  }
  return version;
}

/**
 * A public page's catalog read (and the view made of it), made once per catalog version in this
 * isolate (services/catalog-copies.server.ts): a visitor with a cookie gets the page rendered,
 * without reading what another request already read at this version.
 */
export async function keptCatalogRead<T>(
  context: AppLoadContext,
  key: string,
  read: () => Promise<T>,
): Promise<T> {
  return keptForCatalogVersion(await requestCatalogVersion(context), key, read);
}
