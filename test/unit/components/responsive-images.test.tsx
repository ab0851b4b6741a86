import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ProductArt } from "~/components/product-card";
import { productCardView } from "~/components/product-card.server";
import { ProductGallery } from "~/components/product-gallery";
import { productPageView } from "~/components/product-page.server";
import { productCardRow } from "../../factories";

/**
 * Issue 17: product images sized for phones. With IMAGE_RESIZING=cloudflare the cards and the
 * gallery offer `srcset` candidates a phone picks a small one from; without it, `src` alone.
 */
const card = productCardRow();

describe("responsive product images", () => {
  it("gives a card's cover a srcset and sizes when images are resized, and src alone otherwise", () => {
    const resized = productCardView(card, "cloudflare");
    const html = renderToString(<ProductArt product={resized} />);
    expect(html).toContain('src="/media/thumbnails/p1/cover.png"');
    expect(html).toContain(
      'srcSet="/cdn-cgi/image/width=400,fit=scale-down,format=auto/media/thumbnails/p1/cover.png 400w',
    );
    expect(html).toContain('sizes="(max-width: 34rem) 100vw, 24rem"');

    const plain = productCardView(card, null);
    expect(plain.imageSizing).toBeNull();
    const plainHtml = renderToString(<ProductArt product={plain} />);
    expect(plainHtml).toContain('src="/media/thumbnails/p1/cover.png"');
    expect(plainHtml).not.toMatch(/srcSet|sizes=/);
  });

  it("gives the gallery's large picture a srcset and its thumbnails a small picture", () => {
    const found = {
      ...card,
      previewKeys: ["previews/p1/one.png", "previews/p1/two.png"],
      description: "",
      documentation: "",
      changelog: "",
      pricePersonalCents: 2900,
      priceCommercialCents: null,
      priceTeamCents: null,
      teamSeats: 5,
      licenseDurationMonths: null,
    } as unknown as Parameters<typeof productPageView>[0];
    const { gallery } = productPageView(found, "cloudflare");
    expect(gallery.map((image) => image.sizing?.srcSet.split(", ").length)).toEqual([4, 4, 4]);
    const html = renderToString(<ProductGallery images={gallery} label="Pictures" />);
    // The large view: every size, drawn as wide as the page's main column.
    expect(html.match(/srcSet="/g)).toHaveLength(1);
    expect(html).toContain('sizes="(max-width: 48rem) 100vw, 50rem"');
    // Each thumbnail: the 400 px version only.
    for (const key of ["thumbnails/p1/cover.png", "previews/p1/one.png", "previews/p1/two.png"]) {
      expect(html).toContain(
        `src="/cdn-cgi/image/width=400,fit=scale-down,format=auto/media/${key}"`,
      );
    }
    const plain = productPageView(found, null).gallery;
    expect(plain.every((image) => image.sizing === null && image.thumb === image.src)).toBe(true);
  });
});
