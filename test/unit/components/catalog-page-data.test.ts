import { describe, expect, it } from "vitest";
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
      version: "1.2.0",
      fileName: "ledger.zip",
      fileSizeBytes: 2048,
      licenseDurationMonths: null,
      imageUrl: "/media/thumbnails/p1/cover.png",
    });
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
