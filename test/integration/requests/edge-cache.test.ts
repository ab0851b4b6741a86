import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { createId } from "@paralleldrive/cuid2";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import {
  fromStoredPage,
  isCacheablePageRequest,
  isStorableResponse,
  NONCE_PLACEHOLDER,
  toStoredPage,
} from "~/services/page-cache.server";
import { createProduct, createUser } from "../../factories";
import { ORIGIN, sessionCookieFor } from "../../helpers/session";

/**
 * The page cache for anonymous pages (issue 17, docs/decisions/0011). These go through the
 * built worker: the first cookie-less GET of a page renders and stores it ("miss"), the next
 * ones are answered from the store ("hit") with a fresh CSP nonce.
 */
const SLUG = `edge-cache-${createId().slice(0, 8)}`;
let productId: string;

beforeAll(async () => {
  const product = await createProduct(
    { db: createDb(env.DB), files: env.FILES },
    { name: "Edge Cache Kit", slug: SLUG, featured: true, description: "# Cached\n\nWords." },
  );
  productId = product.id;
});

const get = (path: string, headers: Record<string, string> = {}) =>
  SELF.fetch(`${ORIGIN}${path}`, { headers });

function nonceOf(response: Response): string {
  const nonce = /'nonce-([^']+)'/.exec(response.headers.get("Content-Security-Policy") ?? "")?.[1];
  expect(nonce).toMatch(/^[0-9a-f]{32}$/);
  return nonce!;
}

async function read(path: string, headers: Record<string, string> = {}) {
  const response = await get(path, headers);
  const body = await response.text();
  return { response, body, cache: response.headers.get("X-Page-Cache") };
}

/** A URL no other test has rendered (a query the catalog ignores). */
const fresh = (path: string) => `${path}${path.includes("?") ? "&" : "?"}t=${createId()}`;

describe("the page cache for anonymous pages", () => {
  it.each(["/", "/products", `/products/${SLUG}`, "/pricing"])(
    "answers %s from the cache, identical to the fresh render except for the nonce",
    async (path) => {
      const url = path === "/products" ? fresh(path) : path;
      const first = await read(url);
      expect(first.response.status).toBe(200);
      const second = await read(url);
      const third = await read(url);
      expect(second.cache).toBe("hit");
      expect(third.cache).toBe("hit");

      const nonces = [first, second, third].map(({ response }) => nonceOf(response));
      expect(new Set(nonces).size).toBe(3);
      for (const [index, { body }] of [first, second, third].entries()) {
        // The page's scripts carry the nonce its own CSP header allows, and no other.
        expect(body).toContain(`nonce="${nonces[index]}"`);
        expect(body).not.toContain(NONCE_PLACEHOLDER);
      }
      const normalized = [first, second, third].map(({ body }, index) =>
        body.replaceAll(nonces[index]!, "NONCE"),
      );
      expect(normalized[1]).toBe(normalized[0]);
      expect(normalized[2]).toBe(normalized[0]);
      for (const name of ["Cache-Control", "Vary", "ETag", "Content-Type"]) {
        expect(second.response.headers.get(name)).toBe(first.response.headers.get(name));
      }
      expect(second.response.headers.get("Vary")).toContain("Cookie");
      expect(second.response.headers.get("X-Request-Id")).not.toBe(
        third.response.headers.get("X-Request-Id"),
      );
      expect(second.response.headers.has("Set-Cookie")).toBe(false);
    },
  );

  it("shows a new price on the product page and in the catalog right after an edit", async () => {
    const catalog = `/products?q=${encodeURIComponent("Edge Cache Kit")}`;
    for (const path of [`/products/${SLUG}`, catalog]) {
      await read(path);
      const cached = await read(path);
      expect(cached.cache).toBe("hit");
      expect(cached.body).toContain("$29");
    }
    // What the product service writes on a re-price: the price and updated_at.
    await env.DB.prepare(
      "update digital_products set price_personal_cents = ?, updated_at = ? where id = ?",
    )
      .bind(4700, Date.now(), productId)
      .run();
    for (const path of [`/products/${SLUG}`, catalog]) {
      const after = await read(path);
      expect(after.cache).toBe("miss");
      expect(after.body).toContain("$47");
      expect(after.body).not.toContain("$29");
    }
  });

  it("shows a logged-in visitor a new price right after an edit (no catalog read kept across versions)", async () => {
    const user = await createUser(createDb(env.DB), { name: "Price Watcher" });
    const cookie = await sessionCookieFor(user.id);
    const price = (await env.DB.prepare(
      "select price_personal_cents as cents from digital_products where id = ?",
    )
      .bind(productId)
      .first<{ cents: number }>())!.cents;
    const catalog = `/products?q=${encodeURIComponent("Edge Cache Kit")}`;
    const home = "/";
    for (const path of [`/products/${SLUG}`, catalog, home]) {
      // Twice: the second render reads the catalog copy the first one kept.
      for (const _ of [1, 2]) {
        const page = await read(path, { Cookie: cookie });
        expect(page.cache).toBeNull();
        expect(page.body).toContain("Price Watcher");
        expect(page.body).toContain(`$${price / 100}`);
      }
    }
    const next = price === 5300 ? 6100 : 5300;
    await env.DB.prepare(
      "update digital_products set price_personal_cents = ?, updated_at = ? where id = ?",
    )
      .bind(next, Date.now(), productId)
      .run();
    for (const path of [`/products/${SLUG}`, catalog, home]) {
      const after = await read(path, { Cookie: cookie });
      expect(after.body).toContain(`$${next / 100}`);
      expect(after.body).not.toContain(`$${price / 100}`);
    }
  });

  it("never answers a request with a session cookie from the cache, nor stores its page", async () => {
    const user = await createUser(createDb(env.DB), { name: "Cookie Person" });
    const cookie = await sessionCookieFor(user.id);
    const path = `/products/${SLUG}`;
    await read(path);
    expect((await read(path)).cache).toBe("hit");

    const loggedIn = await read(path, { Cookie: cookie });
    expect(loggedIn.cache).toBeNull();
    expect(loggedIn.response.headers.get("Cache-Control")).toBe("private, no-store");
    expect(loggedIn.body).toContain("Cookie Person");

    // A page first rendered for a logged-in visitor is not stored: the next anonymous visitor
    // gets a render of their own, without the name.
    const url = fresh("/products");
    expect((await read(url, { Cookie: cookie })).cache).toBeNull();
    const anonymous = await read(url);
    expect(anonymous.cache).toBe("miss");
    expect(anonymous.body).not.toContain("Cookie Person");
  });

  it("never caches a request with any cookie, and never sends Set-Cookie from the cache", async () => {
    const url = fresh("/products");
    const withToast = await read(url, { Cookie: "toast=anything" });
    expect(withToast.cache).toBeNull();
    expect((await read(url)).cache).toBe("miss");
    const hit = await read(url);
    expect(hit.cache).toBe("hit");
    expect(hit.response.headers.has("Set-Cookie")).toBe(false);
  });

  it("answers If-None-Match with 304 before any rendering or store read", async () => {
    const path = `/products/${SLUG}`;
    await read(path);
    const hit = await read(path);
    const etag = hit.response.headers.get("ETag")!;
    expect(etag).toMatch(/^W\//);
    const revalidated = await get(path, { "If-None-Match": etag });
    expect(revalidated.status).toBe(304);
    // "not-modified": decided from the tag alone, before the page store is asked ("hit").
    expect(revalidated.headers.get("X-Page-Cache")).toBe("not-modified");
    expect(revalidated.headers.get("ETag")).toBe(etag);
    expect(revalidated.headers.get("Cache-Control")).toBe(
      hit.response.headers.get("Cache-Control"),
    );
    expect(revalidated.headers.get("Vary")).toContain("Cookie");
    expect(await revalidated.text()).toBe("");
  });

  it("gives bots and browsers the same tag, and answers a bot's revalidation with 304 too", async () => {
    const path = fresh("/products");
    // The bot's request renders the page (buffered, not streamed); the browser's is a hit.
    const bot = await read(path, {
      "User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)",
    });
    const browser = await read(path, {
      "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
    });
    expect([bot.cache, browser.cache]).toEqual(["miss", "hit"]);
    const etag = browser.response.headers.get("ETag");
    expect(etag).toMatch(/^W\/"[0-9a-f]{32}"$/);
    expect(bot.response.headers.get("ETag")).toBe(etag);
    const revalidated = await get(path, {
      "User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)",
      "If-None-Match": etag!,
    });
    expect(revalidated.status).toBe(304);
  });

  it("leaves account and admin pages, and POSTs, out of the cache", async () => {
    for (const path of ["/account", "/admin", "/account/licenses", "/login"]) {
      expect((await read(path)).cache).toBeNull();
    }
  });
});

describe("which requests and responses the page cache takes", () => {
  const request = (path: string, init: RequestInit = {}) => new Request(`${ORIGIN}${path}`, init);

  it("takes cookie-less GETs of the four public pages only", () => {
    for (const path of [
      "/",
      "/products",
      "/products?q=kit&sort=newest",
      "/products/a-kit",
      "/pricing",
    ]) {
      expect(isCacheablePageRequest(request(path))).toBe(true);
    }
    for (const path of [
      "/account",
      "/account/licenses",
      "/admin",
      "/admin/products",
      "/login",
      "/products/a/b",
      "/products.data",
    ]) {
      expect(isCacheablePageRequest(request(path))).toBe(false);
    }
    expect(isCacheablePageRequest(request("/", { method: "POST" }))).toBe(false);
    expect(isCacheablePageRequest(request("/", { method: "HEAD" }))).toBe(false);
    expect(isCacheablePageRequest(request("/", { headers: { Cookie: "session=x" } }))).toBe(false);
    expect(isCacheablePageRequest(request("/", { headers: { Cookie: "other=1" } }))).toBe(false);
  });

  it("stores only public, cookie-free HTML 200s", () => {
    const html = {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "public, max-age=60",
    };
    expect(isStorableResponse(new Response("x", { headers: html }))).toBe(true);
    expect(
      isStorableResponse(new Response("x", { headers: { ...html, "Set-Cookie": "a=1" } })),
    ).toBe(false);
    expect(
      isStorableResponse(
        new Response("x", { headers: { ...html, "Cache-Control": "private, no-store" } }),
      ),
    ).toBe(false);
    expect(isStorableResponse(new Response("x", { status: 404, headers: html }))).toBe(false);
    expect(
      isStorableResponse(
        new Response("{}", { headers: { ...html, "Content-Type": "application/json" } }),
      ),
    ).toBe(false);
  });

  it("stores no nonce and no per-request header, and fills in a fresh nonce on every hit", async () => {
    const nonce = "0123456789abcdef0123456789abcdef";
    const stored = toStoredPage(
      `<script nonce="${nonce}">1</script><script nonce="${nonce}">2</script>`,
      new Headers({
        "Content-Security-Policy": `script-src 'nonce-${nonce}'`,
        "X-Request-Id": "r1",
        "Set-Cookie": "a=1",
        "Cache-Control": "public, max-age=60",
      }),
      nonce,
    );
    expect(stored.body).not.toContain(nonce);
    expect(JSON.stringify(stored.headers)).not.toMatch(/nonce|r1|Set-Cookie/i);
    const hit = (next: string) =>
      fromStoredPage(stored, request("/"), {
        nonce: next,
        headers: [["Content-Security-Policy", `script-src 'nonce-${next}'`]],
      });
    const a = hit("a".repeat(32));
    const b = hit("b".repeat(32));
    expect(await a.text()).toBe(
      `<script nonce="${"a".repeat(32)}">1</script><script nonce="${"a".repeat(32)}">2</script>`,
    );
    expect(await b.text()).toContain(`nonce="${"b".repeat(32)}"`);
    expect(a.headers.has("Set-Cookie")).toBe(false);
    expect(a.headers.get("Cache-Control")).toBe("public, max-age=60");
  });

  it("serves the stored bytes exactly, text beyond ASCII included, with fresh headers winning", async () => {
    const nonce = "0123456789abcdef0123456789abcdef";
    const page = `<p>Café — €19 · 日本</p><script nonce="${nonce}">x</script><p>end</p>`;
    const stored = toStoredPage(
      page,
      new Headers({ "X-Frame-Options": "SAMEORIGIN", "Content-Type": "text/html; charset=utf-8" }),
      nonce,
    );
    const next = "f".repeat(32);
    const fresh: [string, string][] = [
      ["X-Frame-Options", "DENY"],
      ["X-Request-Id", "r2"],
    ];
    // Twice: the second hit uses what the first prepared for this stored page.
    for (const _ of [1, 2]) {
      const hit = fromStoredPage(stored, request("/"), { nonce: next, headers: fresh });
      const bytes = new Uint8Array(await hit.arrayBuffer());
      expect(new TextDecoder().decode(bytes)).toBe(page.replace(nonce, next));
      expect(bytes.byteLength).toBe(new TextEncoder().encode(page).byteLength);
      expect(hit.headers.get("X-Frame-Options")).toBe("DENY");
      expect(hit.headers.get("X-Request-Id")).toBe("r2");
      expect(hit.headers.get("X-Page-Cache")).toBe("hit");
    }
  });
});
