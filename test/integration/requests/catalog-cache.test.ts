import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { createId } from "@paralleldrive/cuid2";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { createProduct, createUser } from "../../factories";
import { ORIGIN, sessionCookieFor } from "../../helpers/session";

const SLUG = `etag-test-${createId().slice(0, 8)}`;
let productId: string;

beforeAll(async () => {
  const product = await createProduct(
    { db: createDb(env.DB), files: env.FILES },
    { name: "ETag Test Kit", slug: SLUG, featured: true, description: "# Hello\n\nFirst words." },
  );
  productId = product.id;
});

const get = (path: string, headers: Record<string, string> = {}) =>
  SELF.fetch(`${ORIGIN}${path}`, { headers });

async function etagOf(path: string): Promise<string> {
  const response = await get(path);
  expect(response.status).toBe(200);
  expect(response.headers.get("Cache-Control")).toContain("public");
  await response.arrayBuffer();
  const etag = response.headers.get("ETag");
  expect(etag).toMatch(/^W\/"[0-9a-f]{32}"$/);
  return etag!;
}

describe("ETags on public pages", () => {
  it.each(["/", "/products", `/products/${SLUG}`])(
    "gives %s the same ETag on every request, although each has its own CSP nonce",
    async (path) => {
      const first = await get(path);
      const second = await get(path);
      expect(first.headers.get("Content-Security-Policy")).not.toBe(
        second.headers.get("Content-Security-Policy"),
      );
      await Promise.all([first.arrayBuffer(), second.arrayBuffer()]);
      expect(first.headers.get("ETag")).toBeTruthy();
      expect(first.headers.get("ETag")).toBe(second.headers.get("ETag"));
    },
  );

  it("answers a matching If-None-Match with 304 and no body", async () => {
    const etag = await etagOf(`/products/${SLUG}`);
    const response = await get(`/products/${SLUG}`, { "If-None-Match": etag });
    expect(response.status).toBe(304);
    expect(await response.text()).toBe("");
    expect(response.headers.get("ETag")).toBe(etag);
    expect(response.headers.get("Cache-Control")).toContain("public");

    // A strong spelling of the same tag, and a list containing it, match too (weak comparison).
    const strong = etag.replace(/^W\//, "");
    expect((await get(`/products/${SLUG}`, { "If-None-Match": strong })).status).toBe(304);
    const list = `"something-else", ${etag}`;
    expect((await get(`/products/${SLUG}`, { "If-None-Match": list })).status).toBe(304);
  });

  it("sends the page when If-None-Match names another version", async () => {
    const response = await get(`/products/${SLUG}`, { "If-None-Match": 'W/"0000"' });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("ETag Test Kit");
  });

  it("changes the ETag when the product changes", async () => {
    const before = await etagOf(`/products/${SLUG}`);
    const catalogBefore = await etagOf("/products");
    // As the product service writes an edit: the field and updated_at (the page cache's version).
    await env.DB.prepare("update digital_products set tagline = ?, updated_at = ? where id = ?")
      .bind("Now with more components.", Date.now(), productId)
      .run();
    const after = await etagOf(`/products/${SLUG}`);
    expect(after).not.toBe(before);
    expect(await etagOf("/products")).not.toBe(catalogBefore);
    const stale = await get(`/products/${SLUG}`, { "If-None-Match": before });
    expect(stale.status).toBe(200);
    expect(await stale.text()).toContain("Now with more components.");
  });

  it("gives different pages different ETags", async () => {
    expect(await etagOf("/products")).not.toBe(await etagOf("/products?maxPrice=1"));
  });

  it("keeps logged-in pages private: no ETag, no 304", async () => {
    const user = await createUser(createDb(env.DB));
    const cookie = await sessionCookieFor(user.id);
    const etag = await etagOf(`/products/${SLUG}`);
    const response = await get(`/products/${SLUG}`, { Cookie: cookie, "If-None-Match": etag });
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("private, no-store");
    expect(response.headers.get("ETag")).toBeNull();
    expect(await response.text()).toContain("ETag Test Kit");
  });

  it("does not tag error pages", async () => {
    const response = await get("/products/no-such-product-here");
    expect(response.status).toBe(404);
    expect(response.headers.get("ETag")).toBeNull();
  });
});
