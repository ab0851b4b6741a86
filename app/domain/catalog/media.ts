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
