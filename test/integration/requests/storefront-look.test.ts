import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { digitalProductPurchases, licenses } from "#db/schema";
import { TIER_ORDER, TIERS } from "~/domain/memberships/tiers";
import { formatMoney } from "~/domain/money";
import { createProduct, createUser } from "../../factories";
import { ORIGIN, postForm, sessionCookieFor } from "../../helpers/session";

/**
 * Issue 16, "Looks like a studio": product imagery on cards and the product page's gallery,
 * the home page's offer, the test checkout's order summary, purchases linked to their
 * licenses, the footer, the favicon.
 */

const db = createDb(env.DB);

const get = (path: string, cookie?: string) =>
  SELF.fetch(`${ORIGIN}${path}`, {
    redirect: "manual",
    headers: cookie ? { Cookie: cookie } : {},
  });

/** The page's text without React's `<!-- -->` separators between adjacent text nodes. */
const text = async (response: Response) => (await response.text()).replaceAll("<!-- -->", "");

async function productWithImages(name: string, featured = false) {
  const id = `img${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
  const thumbnailKey = `thumbnails/${id}/cover.png`;
  const previewKeys = [`previews/${id}/preview-1.png`, `previews/${id}/preview-2.png`];
  for (const key of [thumbnailKey, ...previewKeys]) {
    await env.FILES.put(key, new Uint8Array([137, 80, 78, 71]), {
      httpMetadata: { contentType: "image/png" },
    });
  }
  const product = await createProduct(
    { db, files: env.FILES },
    { id, name, featured, thumbnailKey, previewKeys, publishedAt: new Date(Date.now() + 60_000) },
  );
  return { product, thumbnailKey, previewKeys };
}

/** The home page's "Request a project" link, as an opening tag. */
const ctaTag = (html: string) => html.match(/<a [^>]*data-testid="home-cta"[^>]*>/)?.[0] ?? "";

async function buyer() {
  const user = await createUser(db);
  return { user, cookie: await sessionCookieFor(user.id) };
}

async function submit(path: string, fields: Record<string, string>, cookie: string) {
  const request = postForm(path, fields, { cookie });
  return SELF.fetch(`${ORIGIN}${request.path}`, request.init);
}

describe("product imagery", () => {
  it("cards show the cover with its size, lazy loading and alt text; a product without one keeps its tile", async () => {
    const { product, thumbnailKey } = await productWithImages("Harbour Icons", true);
    const plain = await createProduct(
      { db, files: env.FILES },
      { name: "Plain Kit", featured: true, publishedAt: new Date(Date.now() + 30_000) },
    );
    const html = await text(await get("/"));
    const card = html.match(new RegExp(`<img[^>]*src="/media/${thumbnailKey}"[^>]*>`))?.[0];
    expect(card).toBeDefined();
    expect(card).toContain('width="1280"');
    expect(card).toContain('height="720"');
    expect(card).toContain('loading="lazy"');
    expect(card).toContain(`alt="Cover of ${product.name}"`);
    // The gradient tile with the initial stays for a product without a cover.
    expect(html).toMatch(
      /<div class="product-card__art" aria-hidden="true" data-category="TEMPLATE"><span>P<\/span><\/div>/,
    );
    expect(html).toContain(plain.name);

    const catalog = await text(await get("/products"));
    expect(catalog).toContain(`src="/media/${thumbnailKey}"`);
  });

  it("the product page has a gallery: a large view, thumbnails linking to each image, the shown one aria-current", async () => {
    const { product, thumbnailKey, previewKeys } = await productWithImages("Quiet Serif Theme");
    const html = await text(await get(`/products/${product.slug}`));
    const start = html.indexOf('<section class="gallery"');
    const gallery = html.slice(start, html.indexOf("</section>", start));
    expect(gallery).toContain('data-testid="product-gallery"');
    expect(gallery).toContain(`aria-label="Pictures of ${product.name}"`);
    // Large view: the cover first, a link to the full image (works without JavaScript).
    expect(gallery).toMatch(
      new RegExp(
        `<a href="/media/${thumbnailKey}" class="gallery__main-link"><img class="gallery__main" src="/media/${thumbnailKey}" alt="${product.name}, cover"`,
      ),
    );
    expect(gallery).toContain("Image 1 of 3");
    // Thumbnails: plain links to every image, the first marked current.
    const thumbs = [...gallery.matchAll(/<a href="([^"]+)" class="gallery__thumb"([^>]*)>/g)];
    expect(thumbs.map((match) => match[1])).toEqual(
      [thumbnailKey, ...previewKeys].map((key) => `/media/${key}`),
    );
    expect(thumbs[0]![2]).toContain('aria-current="true"');
    expect(thumbs[1]![2]).not.toContain("aria-current");
    expect(gallery).toContain(`alt="${product.name}, preview 2 of 2"`);
    // The step buttons need JavaScript, so the server does not render them.
    expect(gallery).not.toContain("Next image");
  });

  it("a product without images shows its tile and no gallery", async () => {
    const product = await createProduct({ db, files: env.FILES }, { name: "No Pictures Pack" });
    const html = await text(await get(`/products/${product.slug}`));
    expect(html).not.toContain('data-testid="product-gallery"');
    expect(html).toContain("product-page__art");
  });
});

describe("home page", () => {
  it("shows the services, every membership tier with its price, and a project request for visitors via log-in", async () => {
    const html = await text(await get("/"));
    expect(html).toContain('id="studio"');
    for (const service of ["Web design", "Web development", "Mobile app", "Maintenance"]) {
      expect(html).toContain(service);
    }
    const tiers = html.slice(html.indexOf('data-testid="home-memberships"'));
    for (const tier of TIER_ORDER) {
      const { name, priceCents, currency, creditsPerPeriod } = TIERS[tier];
      expect(tiers).toContain(`<h3>${name}</h3>`);
      expect(tiers).toContain(formatMoney(priceCents, currency));
      expect(tiers).toContain(`${creditsPerPeriod} credits a period`);
    }
    expect(tiers).toContain('href="/pricing"');
    expect(ctaTag(html)).toContain('href="/login?redirectTo=%2Faccount%2Fprojects%2Fnew"');
  });

  it("sends a signed-in visitor straight to the project request form", async () => {
    const { cookie } = await buyer();
    const html = await text(await get("/", cookie));
    expect(ctaTag(html)).toContain('href="/account/projects/new"');
  });

  it("the footer links Products, Pricing, Studio, Privacy, Terms and an email", async () => {
    const html = await text(await get("/products"));
    const footer = html.slice(html.indexOf('<footer class="site-footer"'));
    for (const href of [
      "/products",
      "/pricing",
      "/#studio",
      "/account/projects/new",
      "/privacy",
      "/terms",
    ]) {
      expect(footer).toContain(`href="${href}"`);
    }
    expect(footer).toMatch(/href="mailto:[^"]+@[^"]+"/);
    // Studio is a section of the home page, never marked as the current page there.
    const home = await text(await get("/"));
    const homeFooter = home.slice(home.indexOf('<footer class="site-footer"'));
    expect(homeFooter).not.toContain('aria-current="page"');
  });

  it("marks the current page's links in the header and footer, and a page below it in the header", async () => {
    const currentLinks = (html: string) =>
      [...html.matchAll(/<a [^>]*aria-current="page"[^>]*>/g)].map((match) => match[0]);
    const catalog = currentLinks(await text(await get("/products")));
    // The wide header, the phone menu and the footer each mark Products, with the CSS's class.
    expect(catalog).toHaveLength(3);
    for (const link of catalog) {
      expect(link).toContain('href="/products"');
      expect(link).toContain('class="active"');
    }
    const product = await createProduct({ db, files: env.FILES }, { name: "Current Page Kit" });
    const below = currentLinks(await text(await get(`/products/${product.slug}`)));
    expect(below.length).toBeGreaterThanOrEqual(2);
    for (const link of below) expect(link).toContain('href="/products"');
    expect(currentLinks(await text(await get("/pricing"))).join()).not.toContain('"/products"');
  });

  it("links the favicon in every page's head", async () => {
    const html = await text(await get("/"));
    expect(html).toMatch(/<link rel="icon" href="\/favicon\.ico"/);
    expect(html).toMatch(/<link rel="icon" href="\/favicon\.svg" type="image\/svg\+xml"/);
  });
});

describe("test checkout: an order summary", () => {
  it("shows the product with its image, the license and its terms with seats, the price and what happens next", async () => {
    const { user, cookie } = await buyer();
    const { product, thumbnailKey } = await productWithImages("Team Dashboard Kit");
    const started = await submit(`/checkout/${product.slug}`, { licenseType: "TEAM" }, cookie);
    const location = started.headers.get("Location")!;
    expect(location).toMatch(/^\/checkout\/test\//);

    const html = await text(await get(location, cookie));
    const summary = html.slice(html.indexOf('data-testid="order-summary"'));
    expect(summary).toContain(`src="/media/${thumbnailKey}"`);
    expect(summary).toContain(`href="/products/${product.slug}"`);
    expect(summary).toContain("Team license · 5 seats");
    expect(summary).toContain("Up to 5 people (seats) under one key");
    expect(summary).toContain("3 downloads in any 14 days");
    expect(summary).toMatch(/data-testid="order-total">\$199\.00</);
    expect(html).toContain("What happens next");
    expect(html).toContain("license key is ready at once");
    expect(html).toContain("Download the files 3 times in any 14 days");
    expect(html).toContain("Pay (test)");
    expect(html).toMatch(new RegExp(`<a[^>]*href="/products/${product.slug}"[^>]*>Cancel</a>`));

    const [purchase] = await db
      .select()
      .from(digitalProductPurchases)
      .where(eq(digitalProductPurchases.userId, user.id));
    expect(purchase).toMatchObject({ status: "PENDING", licenseType: "TEAM" });
  });

  it("says what a personal license does not allow", async () => {
    const { cookie } = await buyer();
    const product = await createProduct({ db, files: env.FILES }, { name: "Solo Theme" });
    const started = await submit(`/checkout/${product.slug}`, { licenseType: "PERSONAL" }, cookie);
    const html = await text(await get(started.headers.get("Location")!, cookie));
    expect(html).toContain("Personal license");
    expect(html).toContain("Not for client work or products you sell");
    expect(html).not.toContain("seats for your team");
    expect(html).not.toMatch(/Personal license · \d+ seats/);
  });
});

describe("/account/purchases", () => {
  it("links a paid purchase to its license, and a pending one to its payment instead", async () => {
    const { user, cookie } = await buyer();
    const paidProduct = await createProduct({ db, files: env.FILES }, { name: "Paid Kit" });
    const pendingProduct = await createProduct({ db, files: env.FILES }, { name: "Pending Kit" });

    const paid = await submit(`/checkout/${paidProduct.slug}`, { licenseType: "PERSONAL" }, cookie);
    await submit(paid.headers.get("Location")!, { outcome: "succeed" }, cookie);
    const pending = await submit(
      `/checkout/${pendingProduct.slug}`,
      { licenseType: "PERSONAL" },
      cookie,
    );
    const [license] = await db.select().from(licenses).where(eq(licenses.userId, user.id));
    expect(license).toBeDefined();

    const html = await text(await get("/account/purchases", cookie));
    expect(html).toContain('data-testid="purchase-list"');
    const rows = html.split("<tr ").slice(1);
    const paidRow = rows.find((row) => row.includes("Paid Kit"))!;
    const pendingRow = rows.find((row) => row.includes("Pending Kit"))!;
    expect(paidRow).toContain(`href="/account/licenses/${license!.id}"`);
    expect(paidRow).toContain("View license");
    expect(paidRow).toContain('data-label="License"');
    expect(pendingRow).not.toContain("/account/licenses/");
    expect(pendingRow).toContain(`href="${pending.headers.get("Location")}"`);
  });
});
