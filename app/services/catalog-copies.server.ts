/**
 * Catalog reads kept per catalog version in this isolate
 * (docs/decisions/0019-catalog-reads-per-version.md).
 *
 * What the public pages show of the catalog (featured products, a catalog page, a product page,
 * the tag list) is the same for every visitor until staff change a product or a feature flag,
 * which changes the catalog version (services/page-cache.server.ts). The page cache answers
 * cookie-less visitors with the stored HTML; a visitor with a cookie (a customer browsing while
 * logged in) gets the page rendered, and its catalog reads come from here when this isolate has
 * already made them at the current version. A new version drops every copy at once.
 *
 * Values, not promises: workerd does not let one request wait on another's I/O. The values are
 * shared by the requests of the isolate and must not be mutated by their users.
 */
const MAX_ENTRIES = 200;

let copies: { version: string; entries: Map<string, unknown> } | null = null;

/** The value `read` gives, reused for `key` while the catalog version stays `version`. */
export async function keptForCatalogVersion<T>(
  version: string,
  key: string,
  read: () => Promise<T>,
): Promise<T> {
  if (copies?.version !== version) copies = { version, entries: new Map() };
  const entries = copies.entries;
  if (entries.has(key)) {
    const value = entries.get(key) as T;
    // Most recently used last: the oldest goes first when the map is full.
    entries.delete(key);
    entries.set(key, value);
    return value;
  }
  const value = await read();
  // The version may have moved while this read ran: then the value belongs to no copy.
  if (copies?.version === version) {
    copies.entries.set(key, value);
    while (copies.entries.size > MAX_ENTRIES) {
      copies.entries.delete(copies.entries.keys().next().value!);
    }
  }
  return value;
}

/** Drop every copy (tests). */
export function forgetCatalogCopies(): void {
  copies = null;
}
