/**
 * Keyset pagination cursors (docs/architecture.md §2): a cursor names the last row of a page by its
 * sort key and id, so pages stay stable while rows are added.
 */
export interface Cursor {
  sortKey: number;
  id: string;
}

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

export function encodeCursor(cursor: Cursor): string {
  return btoa(`${cursor.sortKey}:${cursor.id}`)
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** Returns null for anything that is not a cursor we made (a tampered URL is just page one). */
export function decodeCursor(value: string | null | undefined): Cursor | null {
  if (!value || value.length > 200) return null;
  let text: string;
  try {
    text = atob(value.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    return null;
  }
  const match = /^(\d{1,16}):([a-z0-9]{1,64})$/.exec(text);
  if (!match) return null;
  const sortKey = Number(match[1]);
  return Number.isSafeInteger(sortKey) ? { sortKey, id: match[2]! } : null;
}

export function clampPageSize(requested: number | null | undefined): number {
  if (!requested || !Number.isFinite(requested)) return DEFAULT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(requested)));
}

/** Split a fetched page of `limit + 1` rows into the page and the next cursor. */
export function paginate<T>(rows: T[], limit: number, cursorOf: (row: T) => Cursor) {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  const last = items.at(-1);
  return { items, nextCursor: hasMore && last ? encodeCursor(cursorOf(last)) : null };
}
