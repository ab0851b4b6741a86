import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { createId } from "@paralleldrive/cuid2";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { createProduct, createUser } from "../../factories";
import { sessionCookieFor } from "../../helpers/session";

const ORIGIN = "https://store.example";
const SLUG = `request-test-${createId().slice(0, 8)}`;

beforeAll(async () => {
  await createProduct(
    { db: createDb(env.DB), files: env.FILES },
    {
      name: "Request Test Kit",
      slug: SLUG,
      featured: true,
      tagline: "A kit that only this test file knows about.",
      pricePersonalCents: 1234,
      priceCommercialCents: null,
      priceTeamCents: 9900,
      teamSeats: 7,
      documentation: "# Install\n\nRun <script>alert(1)</script> never.",
    },
  );
});

const get = (path: string, init?: RequestInit) => SELF.fetch(`${ORIGIN}${path}`, init);

describe("pages through the built Worker", () => {
  it("serves the home page with featured products and security headers", async () => {
    const response = await get("/");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toContain("text/html");
    const csp = response.headers.get("Content-Security-Policy")!;
    const nonce = /'nonce-([a-f0-9]+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(response.headers.get("X-Frame-Options")).toBe("DENY");
    expect(response.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
    const html = await response.text();
    expect(html).toContain("Featured products");
    expect(html).toContain("Request Test Kit");
    expect(html).toContain('href="/login"');
    // Every inline script carries this request's nonce.
    const inlineScripts = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)];
    expect(inlineScripts.length).toBeGreaterThan(0);
    for (const [, attributes] of inlineScripts) expect(attributes).toContain(`nonce="${nonce}"`);
  });

  it("serves the catalog with cache headers for anonymous visitors", async () => {
    const response = await get("/products?q=Request%20Test");
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toContain("public");
    const html = await response.text();
    expect(html).toContain(`/products/${SLUG}`);
  });

  it("shows the catalog's empty state when nothing matches", async () => {
    const html = await (await get("/products?q=zzzz-no-such-product")).text();
    expect(html).toContain("No products match these filters");
  });

  it("serves a product page with its license prices, escaping seller text", async () => {
    const response = await get(`/products/${SLUG}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("<h1>Request Test Kit</h1>");
    expect(html).toContain("$12.34");
    expect(html).toContain("$99.00");
    expect(html).toContain("up to 7 people");
    expect(html).not.toContain("Commercial</strong>");
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("renders seller Markdown without live markup", async () => {
    const html = await (await get(`/products/${SLUG}`)).text();
    expect(html).toContain("<h3>Install</h3>");
    expect(html).not.toMatch(/<script>alert/);
  });

  it("offers each license as a radio option; visitors are asked to log in to buy", async () => {
    const html = await (await get(`/products/${SLUG}`)).text();
    expect(html).toMatch(/<form method="post" action="\/checkout\/[a-z0-9-]+"/);
    expect(html).toContain("<legend>Choose a license</legend>");
    const radios = [...html.matchAll(/<input[^>]*type="radio"[^>]*>/g)].map(([tag]) => tag);
    expect(radios.every((tag) => tag.includes('name="licenseType"'))).toBe(true);
    expect(radios.map((tag) => /value="([A-Z]+)"/.exec(tag)?.[1])).toEqual(["PERSONAL", "TEAM"]);
    expect(html).toContain(`href="/login?redirectTo=%2Fproducts%2F${SLUG}"`);
    expect(html).toContain("Log in to buy");
    expect(html).not.toMatch(/<button type="submit"[^>]*>Buy<\/button>/);
  });

  it("gives logged-in visitors a Buy button that posts to checkout", async () => {
    const user = await createUser(createDb(env.DB));
    const response = await get(`/products/${SLUG}`, {
      headers: { Cookie: await sessionCookieFor(user.id) },
    });
    const html = await response.text();
    expect(html).toContain(`action="/checkout/${SLUG}"`);
    expect(html).toMatch(/<button type="submit"[^>]*>Buy<\/button>/);
    expect(html).not.toContain("Log in to buy");
  });

  it("answers an unknown product and an unknown URL with a friendly 404", async () => {
    const product = await get("/products/no-such-product");
    expect(product.status).toBe(404);
    expect(await product.text()).toContain("This product isn&#x27;t in the catalog");
    const page = await get("/this/does/not/exist");
    expect(page.status).toBe(404);
    expect(await page.text()).toContain("We couldn&#x27;t find that page");
  });

  it("reports health with D1 reachability", async () => {
    const response = await get("/healthz");
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(await response.json()).toEqual({ ok: true, db: "reachable" });
  });

  it("serves /privacy and /terms to anonymous visitors, cacheable, and links them from the footer", async () => {
    for (const [path, heading, words] of [
      [
        "/privacy",
        "<h1>Privacy</h1>",
        ["We do not sell it", "hashed IP", "180 days", "/account/privacy"],
      ],
      [
        "/terms",
        "<h1>Terms</h1>",
        ["3 times in any rolling 14 days", "For client work", "Refunds"],
      ],
    ] as const) {
      const response = await get(path);
      expect(response.status).toBe(200);
      expect(response.headers.get("Cache-Control")).toContain("public");
      const html = (await response.text()).replace(/<!-- -->/g, "");
      expect(html).toContain(heading);
      for (const text of words) expect(html).toContain(text);
    }
    // The footer is on every page, public and account alike.
    const user = await createUser(createDb(env.DB));
    for (const html of [
      await (await get("/")).text(),
      await (
        await get("/account", { headers: { Cookie: await sessionCookieFor(user.id) } })
      ).text(),
    ]) {
      const footer = html.slice(html.indexOf('<footer class="site-footer"'));
      for (const href of ["/products", "/pricing", "/account/projects/new", "/privacy", "/terms"]) {
        expect(footer).toContain(`href="${href}"`);
      }
      expect(footer).toMatch(/href="mailto:[^"]+@[^"]+"/);
    }
  });

  it("serves Remix data requests for client navigation", async () => {
    const response = await get(`/products/${SLUG}.data`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Request Test Kit");
  });
});
