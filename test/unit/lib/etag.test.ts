import { describe, expect, it } from "vitest";
import { etagMatches } from "~/lib/etag";
import { weakEtag, withEtag } from "~/lib/etag.server";

const page = (nonce: string) =>
  `<html><script nonce="${nonce}">window.x = 1</script><p>Ledger UI Kit</p></html>`;
const publicHtml = (body: string) =>
  new Response(body, {
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "public, max-age=60" },
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

  it("tags a public page and answers a match with an empty 304", async () => {
    const tagged = await withEtag(request(), publicHtml(page("n1")), { volatile: ["n1"] });
    const etag = tagged.headers.get("ETag")!;
    expect(await tagged.text()).toBe(page("n1"));
    const again = await withEtag(request({ "If-None-Match": etag }), publicHtml(page("n2")), {
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
    const post = await withEtag(request({}, "POST"), publicHtml("x"), options);
    expect(post.headers.get("ETag")).toBeNull();
    const image = new Response(new Uint8Array([1]), {
      headers: { "Content-Type": "image/png", "Cache-Control": "public" },
    });
    expect((await withEtag(request(), image, options)).headers.get("ETag")).toBeNull();
  });
});
