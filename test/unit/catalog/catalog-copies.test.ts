import { beforeEach, describe, expect, it, vi } from "vitest";
import { forgetCatalogCopies, keptForCatalogVersion } from "~/services/catalog-copies.server";

/** docs/decisions/0019-catalog-reads-per-version.md */
describe("catalog reads kept per catalog version", () => {
  beforeEach(() => forgetCatalogCopies());

  it("reads once per key and version, and again at a new version", async () => {
    const read = vi.fn(async () => ({ price: "$29" }));
    const first = await keptForCatalogVersion("v1", "product:kit", read);
    expect(await keptForCatalogVersion("v1", "product:kit", read)).toBe(first);
    expect(read).toHaveBeenCalledTimes(1);

    await keptForCatalogVersion("v1", "product:other", read);
    expect(read).toHaveBeenCalledTimes(2);

    const newer = await keptForCatalogVersion("v2", "product:kit", read);
    expect(newer).not.toBe(first);
    expect(read).toHaveBeenCalledTimes(3);
    // The old version's copies are gone, not kept beside the new ones.
    await keptForCatalogVersion("v1", "product:kit", read);
    expect(read).toHaveBeenCalledTimes(4);
  });

  it("keeps a read that finished after the version moved out of the new version's copies", async () => {
    let finish!: (value: string) => void;
    const slow = keptForCatalogVersion(
      "v1",
      "catalog",
      () => new Promise<string>((resolve) => (finish = resolve)),
    );
    await keptForCatalogVersion("v2", "tags", async () => "v2 tags");
    finish("read at v1");
    expect(await slow).toBe("read at v1");
    const reread = vi.fn(async () => "read at v2");
    expect(await keptForCatalogVersion("v2", "catalog", reread)).toBe("read at v2");
    expect(reread).toHaveBeenCalledTimes(1);
  });

  it("keeps at most 200 entries, dropping the least recently used", async () => {
    for (let index = 0; index < 200; index++) {
      await keptForCatalogVersion("v1", `page:${index}`, async () => index);
    }
    // Touch the oldest, then add one more: the second oldest goes.
    await keptForCatalogVersion("v1", "page:0", async () => -1);
    await keptForCatalogVersion("v1", "page:200", async () => 200);
    const reread = vi.fn(async () => -1);
    expect(await keptForCatalogVersion("v1", "page:0", reread)).toBe(0);
    expect(await keptForCatalogVersion("v1", "page:1", reread)).toBe(-1);
    expect(reread).toHaveBeenCalledTimes(1);
  });

  it("does not keep a failed read", async () => {
    await expect(
      keptForCatalogVersion("v1", "broken", async () => {
        throw new Error("D1 is away");
      }),
    ).rejects.toThrow("D1 is away");
    expect(await keptForCatalogVersion("v1", "broken", async () => "fine")).toBe("fine");
  });
});
