import { describe, expect, it } from "vitest";
import { clampPageSize, decodeCursor, encodeCursor, paginate } from "~/domain/catalog/cursor";

describe("keyset cursors", () => {
  it("round-trips a sort key and id", () => {
    const cursor = { sortKey: 1_795_000_000_123, id: "ckx7f3a9b0000qz" };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it("treats anything it did not make as the first page", () => {
    expect(decodeCursor(null)).toBeNull();
    expect(decodeCursor("%%%")).toBeNull();
    expect(decodeCursor(btoa("1:ID-WITH-CAPS"))).toBeNull();
    expect(decodeCursor(btoa("not-a-number:abc"))).toBeNull();
    expect(decodeCursor(btoa("99999999999999999:abc"))).toBeNull();
    expect(decodeCursor("a".repeat(500))).toBeNull();
  });

  it("defaults to 25 rows and never serves more than 100", () => {
    expect(clampPageSize(undefined)).toBe(25);
    expect(clampPageSize(0)).toBe(25);
    expect(clampPageSize(7.9)).toBe(7);
    expect(clampPageSize(1_000)).toBe(100);
    expect(clampPageSize(-3)).toBe(1);
  });

  it("splits limit+1 rows into a page and the cursor of its last row", () => {
    const rows = [1, 2, 3].map((n) => ({ id: `id${n}`, at: n * 10 }));
    const page = paginate(rows, 2, (row) => ({ sortKey: row.at, id: row.id }));
    expect(page.items.map((row) => row.id)).toEqual(["id1", "id2"]);
    expect(decodeCursor(page.nextCursor)).toEqual({ sortKey: 20, id: "id2" });
    expect(
      paginate(rows.slice(0, 2), 2, (row) => ({ sortKey: row.at, id: row.id })).nextCursor,
    ).toBeNull();
  });
});
