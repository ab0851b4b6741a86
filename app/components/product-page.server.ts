import { CATEGORY_LABELS } from "~/domain/catalog/labels";
import { licenseOptions } from "~/domain/catalog/license-options";
import {
  mediaUrl,
  resizedImageUrl,
  responsiveImage,
  type ImageResizer,
} from "~/domain/catalog/media";
import { renderMarkdown } from "~/domain/content/markdown";
import { DOWNLOADS_PER_WINDOW } from "~/domain/downloads/quota";
import { formatMoney } from "~/domain/money";
import type { getPublishedProduct } from "~/services/catalog.server";

/**
 * For the product page's loader: everything the page shows in words (category, license prices,
 * the download allowance), its images' URLs and its Markdown as HTML. A `.server` module, so the label table, the
 * license rules, the download quota module, the money formatter and the Markdown parser never
 * reach the browser (a module a route imports stays in its chunks even when only the loader
 * uses it; a `.server` one is replaced by an empty module). It re-exports the other server
 * functions the route needs, so the browser build sees one empty module instead of several.
 */
export { featureRefusal } from "~/request/feature-gate.server";
export { keptCatalogRead, publicPageData, publicPageHeaders } from "~/request/page-cache.server";
export { getPublishedProduct } from "~/services/catalog.server";

type PublishedProduct = NonNullable<Awaited<ReturnType<typeof getPublishedProduct>>>;

/** The cover first, then the previews; keys `/media/*` would not serve are left out. */
/** How wide the gallery draws its large picture (the page's main column) and its thumbnails. */
const GALLERY_IMAGE_SIZES = "(max-width: 48rem) 100vw, 50rem";
const GALLERY_THUMB_WIDTH = 400;

function galleryImages(product: PublishedProduct, resizer: ImageResizer) {
  const cover = mediaUrl(product.thumbnailKey);
  const previews = product.previewKeys
    .map((key) => mediaUrl(key))
    .filter((url): url is string => url !== null && url !== cover);
  return [
    ...(cover ? [{ src: cover, alt: `${product.name}, cover` }] : []),
    ...previews.map((src, index) => ({
      src,
      alt: `${product.name}, preview ${index + 1} of ${previews.length}`,
    })),
  ].map((image) => ({
    ...image,
    sizing: responsiveImage(image.src, GALLERY_IMAGE_SIZES, resizer),
    thumb: resizedImageUrl(image.src, GALLERY_THUMB_WIDTH, resizer),
  }));
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The license panel's facts, in words: version, the file, the download allowance, the term. */
function productFacts(found: PublishedProduct): { label: string; value: string }[] {
  return [
    { label: "Version", value: found.version },
    ...(found.fileSizeBytes === null
      ? []
      : [{ label: "Download", value: `${found.fileName} · ${formatBytes(found.fileSizeBytes)}` }]),
    { label: "Downloads", value: `${DOWNLOADS_PER_WINDOW} per license in any 14 days` },
    {
      label: "License term",
      value: found.licenseDurationMonths ? `${found.licenseDurationMonths} months` : "Perpetual",
    },
  ];
}

export function productPageView(found: PublishedProduct, resizer: ImageResizer) {
  // The seller's Markdown becomes HTML here, on the server: the parser never ships to the
  // browser (issue 17), and the page data carries the HTML instead of the source.
  const { description, documentation, changelog } = found;
  const prose = [
    { id: "about", title: "About", html: description ? renderMarkdown(description) : null },
    {
      id: "docs",
      title: "Documentation",
      html: documentation ? renderMarkdown(documentation) : null,
    },
    { id: "changelog", title: "Changelog", html: changelog ? renderMarkdown(changelog) : null },
  ];
  const licenses = licenseOptions(found).map(({ type, label, summary, priceCents }) => ({
    type,
    label,
    summary,
    price: formatMoney(priceCents, found.currency),
  }));
  // What the page shows and nothing more: the page data is serialised into every render.
  return {
    product: {
      slug: found.slug,
      name: found.name,
      tagline: found.tagline,
      category: found.category,
      categoryLabel: CATEGORY_LABELS[found.category],
      tags: found.tags,
      imageUrl: mediaUrl(found.thumbnailKey),
    },
    facts: productFacts(found),
    gallery: galleryImages(found, resizer),
    prose,
    licenses,
  };
}
