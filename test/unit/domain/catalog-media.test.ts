import { describe, expect, it } from "vitest";
import {
  isPublicImageType,
  isPublicMediaKey,
  mediaUrl,
  resizedImageUrl,
  responsiveImage,
} from "~/domain/catalog/media";

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

describe("responsive product images", () => {
  const url = "/media/thumbnails/p1/a.png";

  it("offers 400–1280 px sizes through Cloudflare's transformations when they are on", () => {
    expect(responsiveImage(url, "50vw", "cloudflare")).toEqual({
      srcSet: [400, 640, 960, 1280]
        .map(
          (width) =>
            `/cdn-cgi/image/width=${width},fit=scale-down,format=auto/media/thumbnails/p1/a.png ${width}w`,
        )
        .join(", "),
      sizes: "50vw",
    });
    expect(resizedImageUrl(url, 400, "cloudflare")).toBe(
      "/cdn-cgi/image/width=400,fit=scale-down,format=auto/media/thumbnails/p1/a.png",
    );
  });

  it("offers none without a resizer, without an image, or for a URL that is not ours", () => {
    expect(responsiveImage(url, "50vw", null)).toBeNull();
    expect(responsiveImage(null, "50vw", "cloudflare")).toBeNull();
    expect(responsiveImage("https://elsewhere.example/a.png", "50vw", "cloudflare")).toBeNull();
    expect(resizedImageUrl(url, 400, null)).toBe(url);
    expect(resizedImageUrl("https://elsewhere.example/a.png", 400, "cloudflare")).toBe(
      "https://elsewhere.example/a.png",
    );
  });
});
