import { describe, expect, it } from "vitest";
import { isPublicImageType, isPublicMediaKey, mediaUrl } from "~/domain/catalog/media";

describe("public media keys", () => {
  it("accepts thumbnails and previews only", () => {
    expect(isPublicMediaKey("previews/abc123/shot-1.png")).toBe(true);
    expect(isPublicMediaKey("thumbnails/abc123/cover.webp")).toBe(true);
    expect(isPublicMediaKey("products/abc123/kit.zip")).toBe(false);
    expect(isPublicMediaKey("previews/../products/abc123/kit.zip")).toBe(false);
    expect(isPublicMediaKey("previews//x.png")).toBe(false);
    expect(isPublicMediaKey("previews/")).toBe(false);
    expect(isPublicMediaKey("previews/a b.png")).toBe(false);
  });

  it("builds URLs only for keys that would be served", () => {
    expect(mediaUrl("thumbnails/p1/a.png")).toBe("/media/thumbnails/p1/a.png");
    expect(mediaUrl("products/p1/a.png")).toBeNull();
    expect(mediaUrl(null)).toBeNull();
  });

  it("serves raster images, never SVG or HTML", () => {
    expect(isPublicImageType("image/png")).toBe(true);
    expect(isPublicImageType("IMAGE/JPEG; charset=binary")).toBe(true);
    expect(isPublicImageType("image/svg+xml")).toBe(false);
    expect(isPublicImageType("text/html")).toBe(false);
    expect(isPublicImageType(undefined)).toBe(false);
  });
});
