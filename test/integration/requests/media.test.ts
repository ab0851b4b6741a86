import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { createId } from "@paralleldrive/cuid2";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { createProduct } from "../../factories";
import { ORIGIN } from "../../helpers/session";

const ID = createId();
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
const KEYS = {
  preview: `previews/${ID}/one.png`,
  secondPreview: `previews/${ID}/two.webp`,
  thumbnail: `thumbnails/${ID}/thumb.jpg`,
  productFile: `products/${ID}/kit.zip`,
  productFileAsImage: `products/${ID}/cover.png`,
  svg: `previews/${ID}/vector.svg`,
  html: `previews/${ID}/page.html`,
  untyped: `previews/${ID}/untyped.png`,
};
const SLUG = `media-test-${ID.slice(0, 8)}`;
const PLAIN_SLUG = `media-plain-${ID.slice(0, 8)}`;

beforeAll(async () => {
  const put = (key: string, contentType?: string, body: Uint8Array | string = PNG) =>
    env.FILES.put(key, body, contentType ? { httpMetadata: { contentType } } : undefined);
  await put(KEYS.preview, "image/png");
  await put(KEYS.secondPreview, "image/webp");
  await put(KEYS.thumbnail, "image/jpeg");
  await put(KEYS.productFile, "application/zip");
  await put(KEYS.productFileAsImage, "image/png");
  await put(KEYS.svg, "image/svg+xml", "<svg onload='alert(1)'/>");
  await put(KEYS.html, "text/html", "<script>alert(1)</script>");
  await put(KEYS.untyped);

  const db = createDb(env.DB);
  await createProduct(
    { db, files: env.FILES },
    {
      name: "Media Test Kit",
      slug: SLUG,
      thumbnailKey: KEYS.thumbnail,
      previewKeys: [KEYS.preview, KEYS.secondPreview],
    },
  );
  await createProduct({ db, files: env.FILES }, { name: "Plain Media Kit", slug: PLAIN_SLUG });
});

const get = (path: string, headers: Record<string, string> = {}) =>
  SELF.fetch(`${ORIGIN}${path}`, { headers });

describe("/media/<key>", () => {
  it("streams a preview with its type, long-lived cache headers and R2's ETag", async () => {
    const response = await get(`/media/${KEYS.preview}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("image/png");
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=86400, immutable");
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    const object = await env.FILES.head(KEYS.preview);
    expect(response.headers.get("ETag")).toBe(object!.httpEtag);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(PNG);
  });

  it("stays publicly cacheable for a logged-in visitor: images are the same for everyone", async () => {
    const response = await get(`/media/${KEYS.preview}`, { Cookie: "session=abc.def" });
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=86400, immutable");
    await response.arrayBuffer();
  });

  it("serves thumbnails too", async () => {
    const response = await get(`/media/${KEYS.thumbnail}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("image/jpeg");
    await response.arrayBuffer();
  });

  it("answers a matching If-None-Match with 304 and no body", async () => {
    const first = await get(`/media/${KEYS.preview}`);
    await first.arrayBuffer();
    const etag = first.headers.get("ETag")!;
    const response = await get(`/media/${KEYS.preview}`, { "If-None-Match": etag });
    expect(response.status).toBe(304);
    expect(response.headers.get("ETag")).toBe(etag);
    expect(await response.text()).toBe("");
    const other = await get(`/media/${KEYS.preview}`, { "If-None-Match": '"not-it"' });
    expect(other.status).toBe(200);
    await other.arrayBuffer();
  });

  it.each([
    ["a product file", KEYS.productFile],
    ["an image stored under products/", KEYS.productFileAsImage],
    ["an SVG (it could run script on our origin)", KEYS.svg],
    ["an HTML page under previews/", KEYS.html],
    ["an object without a content type", KEYS.untyped],
    ["a key that does not exist", `previews/${ID}/missing.png`],
    ["a path outside the bucket's public prefixes", "users/secret.png"],
    ["an encoded path traversal", `previews/%2e%2e/products/${ID}/cover.png`],
    ["an encoded slash traversal", `previews%2F..%2Fproducts%2F${ID}%2Fcover.png`],
    ["the prefix alone", "previews/"],
  ])("refuses %s with a 404", async (_name, key) => {
    const response = await get(`/media/${key}`);
    expect(response.status).toBe(404);
    expect(response.headers.get("Content-Type")).not.toMatch(/^image\//);
    expect(await response.text()).not.toContain("alert(1)");
  });
});

describe("product images on pages", () => {
  it("shows the thumbnail and previews on the product page", async () => {
    const html = await (await get(`/products/${SLUG}`)).text();
    expect(html).toContain(`src="/media/${KEYS.thumbnail}"`);
    expect(html).toContain(`src="/media/${KEYS.preview}"`);
    expect(html).toContain(`src="/media/${KEYS.secondPreview}"`);
    expect(html).toContain('alt="Media Test Kit, preview 1 of 2"');
  });

  it("shows the thumbnail on the catalog card", async () => {
    const html = await (await get(`/products?q=Media%20Test%20Kit`)).text();
    expect(html).toContain(`src="/media/${KEYS.thumbnail}"`);
  });

  it("falls back to the gradient initial without a thumbnail", async () => {
    const html = await (await get(`/products/${PLAIN_SLUG}`)).text();
    expect(html).not.toContain('src="/media/');
    expect(html).toMatch(/<div class="product-card__art product-page__art"[^>]*><span>P<\/span>/);
  });
});
