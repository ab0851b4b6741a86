/**
 * Public product images (docs/architecture.md §7): thumbnails and previews live in R2 under
 * `thumbnails/` and `previews/` and are served by `/media/<key>`. Product files
 * (`products/…`) never have a public URL, so only these two prefixes are public.
 */
const PUBLIC_PREFIXES = ["previews/", "thumbnails/"] as const;

/** Raster formats only: an SVG served from our origin could run script when opened directly. */
export const PUBLIC_IMAGE_TYPES = new Set([
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "image/avif",
]);

const SAFE_SEGMENT = /^[A-Za-z0-9._-]{1,200}$/;

/** True for keys like `previews/<productId>/<name>.png`; no `..`, no empty segments. */
export function isPublicMediaKey(key: string): boolean {
  if (key.length > 512 || !PUBLIC_PREFIXES.some((prefix) => key.startsWith(prefix))) return false;
  const segments = key.split("/");
  return (
    segments.length >= 2 &&
    segments.every((segment) => SAFE_SEGMENT.test(segment) && segment !== "." && segment !== "..")
  );
}

export function isPublicImageType(contentType: string | undefined): boolean {
  const essence = contentType?.split(";")[0]?.trim().toLowerCase();
  return essence !== undefined && PUBLIC_IMAGE_TYPES.has(essence);
}

/** The URL of a public image, or null for a key that would not be served. */
export function mediaUrl(key: string | null | undefined): string | null {
  return key && isPublicMediaKey(key) ? `/media/${key}` : null;
}

/** The widths a product image is offered at in `srcset` (its stored size is the fallback). */
export const RESPONSIVE_IMAGE_WIDTHS = [400, 640, 960, 1280] as const;

/** Who makes smaller sizes of images: Cloudflare's Images transformations, or nobody. */
export type ImageResizer = "cloudflare" | null;

/**
 * A public image at most `width` pixels wide, made on the fly by Cloudflare's Images
 * transformations (`/cdn-cgi/image/<options>/<path>`, same origin, cached at the edge).
 * `scale-down` never enlarges a smaller original; `format=auto` sends AVIF or WebP to browsers
 * that take them. Without a resizer (development, a zone without transformations): the image.
 */
export function resizedImageUrl(url: string, width: number, resizer: ImageResizer): string {
  if (resizer !== "cloudflare" || !url.startsWith("/media/")) return url;
  return `/cdn-cgi/image/width=${width},fit=scale-down,format=auto${url}`;
}

/**
 * `srcset` and `sizes` for an `<img>` drawn `sizes` wide, so a phone fetches a 400 or 640 px
 * picture instead of the stored one; null without a resizer or an image (`src` alone). The
 * loader sends both ready, so the browser code only spreads them onto the element.
 */
export function responsiveImage(
  url: string | null,
  sizes: string,
  resizer: ImageResizer,
): { srcSet: string; sizes: string } | null {
  if (!url || resizer !== "cloudflare" || !url.startsWith("/media/")) return null;
  const srcSet = RESPONSIVE_IMAGE_WIDTHS.map(
    (width) => `${resizedImageUrl(url, width, resizer)} ${width}w`,
  ).join(", ");
  return { srcSet, sizes };
}
