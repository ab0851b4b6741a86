import { describe, expect, it } from "vitest";
import { etagMatches } from "~/lib/etag";
import { notModified, weakEtag, withEtag, withKnownEtag } from "~/lib/etag.server";
import { pageCacheKey, pageCacheTag } from "~/services/page-cache.server";

const page = (nonce: string) =>
  `<html><script nonce="${nonce}">window.x = 1</script><p>Ledger UI Kit</p></html>`;
const publicHtml = (body: string) =>
  new Response(body, {
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "public, max-age=60" },
  });
/** Single fetch data (`/products.data`): small, public, still hashed after rendering. */
const publicData = (body: string) =>
  new Response(body, {
    headers: { "Content-Type": "text/x-script", "Cache-Control": "public, max-age=60" },
  });

describe("weakEtag", () => {
  it("ignores the per-request nonce but not the content", async () => {
    const first = await weakEtag(page("aaaa1111"), { volatile: ["aaaa1111"] });
    const second = await weakEtag(page("bbbb2222"), { volatile: ["bbbb2222"] });
    expect(first).toMatch(/^W\/"[0-9a-f]{32}"$/);
    expect(second).toBe(first);
    const changed = await weakEtag(page("cccc").replace("Ledger", "Quiet"), {
      volatile: ["cccc"],
    });
    expect(changed).not.toBe(first);
  });
});

describe("etagMatches", () => {
  it("compares weakly, accepts lists and *", () => {
    expect(etagMatches('W/"abc"', 'W/"abc"')).toBe(true);
    expect(etagMatches('"abc"', 'W/"abc"')).toBe(true);
    expect(etagMatches('"x", W/"abc"', 'W/"abc"')).toBe(true);
    expect(etagMatches("*", 'W/"abc"')).toBe(true);
    expect(etagMatches('"abcd"', 'W/"abc"')).toBe(false);
    expect(etagMatches(null, 'W/"abc"')).toBe(false);
  });
});

describe("withEtag", () => {
  const request = (headers: Record<string, string> = {}, method = "GET") =>
    new Request("https://store.example/products", { method, headers });

  it("tags a small public body and answers a match with an empty 304", async () => {
    const tagged = await withEtag(request(), publicData(page("n1")), { volatile: ["n1"] });
    const etag = tagged.headers.get("ETag")!;
    expect(etag).toMatch(/^W\/"[0-9a-f]{32}"$/);
    expect(await tagged.text()).toBe(page("n1"));
    const again = await withEtag(request({ "If-None-Match": etag }), publicData(page("n2")), {
      volatile: ["n2"],
    });
    expect(again.status).toBe(304);
    expect(again.headers.get("ETag")).toBe(etag);
    expect(again.body).toBeNull();
  });

  it("leaves private, non-200, non-GET and binary responses alone", async () => {
    const options = { volatile: [] };
    const privatePage = new Response("x", {
      headers: { "Content-Type": "text/html", "Cache-Control": "private, no-store" },
    });
    expect((await withEtag(request(), privatePage, options)).headers.get("ETag")).toBeNull();
    const notFound = new Response("x", {
      status: 404,
      headers: { "Content-Type": "text/html", "Cache-Control": "public" },
    });
    expect((await withEtag(request(), notFound, options)).headers.get("ETag")).toBeNull();
    const post = await withEtag(request({}, "POST"), publicData("x"), options);
    expect(post.headers.get("ETag")).toBeNull();
    const image = new Response(new Uint8Array([1]), {
      headers: { "Content-Type": "image/png", "Cache-Control": "public" },
    });
    expect((await withEtag(request(), image, options)).headers.get("ETag")).toBeNull();
  });

  it("does not hash HTML documents: cacheable pages get their tag before rendering", async () => {
    const html = await withEtag(request(), publicHtml(page("n1")), { volatile: ["n1"] });
    expect(html.headers.get("ETag")).toBeNull();
    expect(await html.text()).toBe(page("n1"));
  });
});

describe("tags decided before rendering", () => {
  it("go on public 200s only", () => {
    const tag = 'W/"abc"';
    expect(withKnownEtag(publicHtml("x"), tag).headers.get("ETag")).toBe(tag);
    const notFound = new Response("x", { status: 404, headers: { "Cache-Control": "public" } });
    expect(withKnownEtag(notFound, tag).headers.get("ETag")).toBeNull();
    const privatePage = new Response("x", { headers: { "Cache-Control": "private, no-store" } });
    expect(withKnownEtag(privatePage, tag).headers.get("ETag")).toBeNull();
  });

  it("answer a match with an empty 304 that keeps the caching headers", () => {
    const response = notModified('W/"abc"', "public, max-age=60");
    expect(response.status).toBe(304);
    expect(response.body).toBeNull();
    expect(response.headers.get("ETag")).toBe('W/"abc"');
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=60");
  });
});

describe("pageCacheTag", () => {
  it("follows the cache key (URL and catalog version) and the build", async () => {
    const key = (path: string, version: string) =>
      pageCacheKey(new Request(`https://store.example${path}`), version);
    const tag = await pageCacheTag(key("/products/a", "1.2.3.4"), "build1");
    expect(tag).toMatch(/^W\/"[0-9a-f]{32}"$/);
    expect(await pageCacheTag(key("/products/a", "1.2.3.4"), "build1")).toBe(tag);
    expect(await pageCacheTag(key("/products/b", "1.2.3.4"), "build1")).not.toBe(tag);
    expect(await pageCacheTag(key("/products/a?x=1", "1.2.3.4"), "build1")).not.toBe(tag);
    expect(await pageCacheTag(key("/products/a", "1.2.3.5"), "build1")).not.toBe(tag);
    expect(await pageCacheTag(key("/products/a", "1.2.3.4"), "build2")).not.toBe(tag);
  });
});
