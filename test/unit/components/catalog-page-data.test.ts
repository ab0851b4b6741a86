import { describe, expect, it } from "vitest";
import { catalogFormView, catalogPageHref } from "~/components/catalog-page.server";
import { productCardView } from "~/components/product-card.server";
import { productPageView } from "~/components/product-page.server";
import { productCardRow } from "../../factories";

/**
 * Issue 17: a page's loader data is what the page shows and nothing else. Every field a page
 * sends is serialised into the document and parsed again by the browser; the catalog sends a
 * card per product, so a storage key, a tag list or a date no card shows costs every render.
 */
const card = productCardRow({ tags: ["figma", "tables"] });

describe("productCardView", () => {
  it("sends what the card shows, formatted, and no storage key, tag list, raw price or date", () => {
    expect(productCardView(card, null)).toEqual({
      id: "p1",
      slug: "ledger-ui-kit",
      name: "Ledger UI Kit",
      tagline: "Tables and forms",
      category: "UI_KIT",
      categoryLabel: "UI kits",
      price: "$29.00",
      imageUrl: "/media/thumbnails/p1/cover.png",
      imageSizing: null,
    });
  });
});

describe("productPageView", () => {
  it("sends the product's words, file facts and license prices, and no storage key or date", () => {
    const found = {
      ...card,
      description: "**Built** by the studio.",
      documentation: "",
      changelog: "",
      priceCommercialCents: 9900,
      priceTeamCents: null,
      teamSeats: 5,
      licenseDurationMonths: null,
      version: "1.2.0",
      fileName: "ledger.zip",
      fileSizeBytes: 2048,
      previewKeys: ["previews/p1/one.png"],
      updatedAt: new Date("2026-11-02T00:00:00Z"),
    };
    const view = productPageView(found, null);
    expect(view.product).toEqual({
      slug: "ledger-ui-kit",
      name: "Ledger UI Kit",
      tagline: "Tables and forms",
      category: "UI_KIT",
      categoryLabel: "UI kits",
      tags: ["figma", "tables"],
      imageUrl: "/media/thumbnails/p1/cover.png",
    });
    expect(view.facts).toEqual([
      { label: "Version", value: "1.2.0" },
      { label: "Download", value: "ledger.zip · 2.0 KB" },
      { label: "Downloads", value: "3 per license in any 14 days" },
      { label: "License term", value: "Perpetual" },
    ]);
    expect(view.licenses).toEqual([
      { type: "PERSONAL", label: "Personal", summary: expect.any(String), price: "$29.00" },
      { type: "COMMERCIAL", label: "Commercial", summary: expect.any(String), price: "$99.00" },
    ]);
    expect(view.prose[0]).toEqual({
      id: "about",
      title: "About",
      html: "<p><strong>Built</strong> by the studio.</p>\n",
    });
    expect(JSON.stringify(view)).not.toMatch(/"thumbnails\/|"previews\/|2026-11/);
  });
});

describe("the catalog page's form and pages", () => {
  it("offers the categories, sorts and tags in words, and a tag from the URL nobody has", () => {
    const view = catalogFormView({
      query: { q: undefined, sort: "newest", tag: "retired" },
      tags: ["figma", "icons"],
      total: 1024,
      invalid: false,
    });
    expect(view.categoryOptions[0]).toEqual({ value: "", label: "All categories" });
    expect(view.sortOptions.map((option) => option.label)).toContain("Price: low to high");
    expect(view.tagOptions.map((option) => option.value)).toEqual([
      "",
      "retired",
      "figma",
      "icons",
    ]);
    expect(view.filtering).toBe(true);
    expect(view.countText).toBe("1,024 products");
    const plain = catalogFormView({ query: { q: undefined }, tags: [], total: 1, invalid: false });
    expect(plain.filtering).toBe(false);
    expect(plain.countText).toBe("1 product");
    expect(
      catalogFormView({ query: { q: undefined }, tags: [], total: 0, invalid: true }).filtering,
    ).toBe(true);
  });

  it("moves the cursor and keeps the filters and sort in the page links", () => {
    const url = new URL("https://shop.test/products?q=kit&sort=price-asc&cursor=old");
    expect(catalogPageHref(url, "next")).toBe("/products?q=kit&sort=price-asc&cursor=next");
    expect(catalogPageHref(url, null)).toBe("/products?q=kit&sort=price-asc");
    expect(catalogPageHref(new URL("https://shop.test/products?cursor=x"), null)).toBe("/products");
  });
});
