import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { createId } from "@paralleldrive/cuid2";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { DEFAULT_PAGE_SIZE } from "~/domain/catalog/cursor";
import { createProduct } from "../../factories";
import { ORIGIN } from "../../helpers/session";

// Tags of this file's own keep the counts independent of other files' products.
const TAG = `shop-${createId().slice(0, 8)}`;
const OTHER_TAG = `other-${createId().slice(0, 8)}`;
const MANY = `many-${createId().slice(0, 8)}`;
const HOUR = 3_600_000;
const MANY_COUNT = DEFAULT_PAGE_SIZE * 2 + 3;

/** name, category, personal price in cents, completed purchases; listed newest first. */
const PRODUCTS = [
  ["Aurora Theme", "THEME", 4900, 3],
  ["Basalt Kit", "UI_KIT", 1500, 12],
  ["Cirrus Template", "TEMPLATE", 9900, 0],
  ["Dune Icons", "ASSET", 2500, 7],
  ["Ember Theme", "THEME", 2500, 7],
] as const;

beforeAll(async () => {
  const deps = { db: createDb(env.DB), files: env.FILES };
  const base = Date.now();
  for (const [index, [name, category, price, purchases]] of PRODUCTS.entries()) {
    await createProduct(deps, {
      name,
      category,
      pricePersonalCents: price,
      purchaseCount: purchases,
      tags: index === 0 ? [TAG, OTHER_TAG] : [TAG],
      publishedAt: new Date(base - index * HOUR),
    });
  }
  for (let index = 0; index < MANY_COUNT; index++) {
    await createProduct(deps, {
      name: `Paged Item ${String(index).padStart(2, "0")}`,
      tags: [MANY],
      // Ties on the sort key: the id breaks them, so no page repeats or skips a product.
      pricePersonalCents: 1000 + (index % 4) * 100,
      publishedAt: new Date(base - 100 * HOUR - Math.floor(index / 3) * HOUR),
    });
  }
});

const get = (path: string) => SELF.fetch(`${ORIGIN}${path}`);

async function page(path: string) {
  const response = await get(path);
  const html = await response.text();
  const names = [...html.matchAll(/<h3 class="product-card__title"><a [^>]*>([^<]+)<\/a>/g)].map(
    (match) => match[1]!,
  );
  const link = (rel: string) => {
    const tag = new RegExp(`<a [^>]*rel="${rel}"[^>]*>`).exec(html)?.[0];
    return tag && /href="([^"]+)"/.exec(tag)?.[1]?.replaceAll("&amp;", "&");
  };
  const next = link("next");
  const previous = link("prev");
  const count = /<p class="catalog-count" role="status"><strong>([^<]+)<\/strong>/.exec(html)?.[1];
  return { response, html, names, next, previous, count };
}

const tagged = (query = "") => `/products?tag=${TAG}${query}`;

describe("catalog filters", () => {
  it("offers the tags of published products in a tag control and filters on the chosen one", async () => {
    const { response, html, names, count } = await page(`/products?tag=${OTHER_TAG}`);
    expect(response.status).toBe(200);
    expect(html).toMatch(/<label for="[^"]+">Tag<\/label><select[^>]*name="tag"/);
    expect(html).toContain(`<option value="${TAG}">${TAG}</option>`);
    expect(html).toMatch(new RegExp(`<option value="${OTHER_TAG}" selected="">`));
    expect(names).toEqual(["Aurora Theme"]);
    expect(count).toBe("1 product");
  });

  it("shows the number of matching products", async () => {
    const { names, count } = await page(tagged());
    expect(names).toHaveLength(5);
    expect(count).toBe("5 products");
  });

  it("filters by category and by search text", async () => {
    expect((await page(tagged("&category=THEME"))).names).toEqual(["Aurora Theme", "Ember Theme"]);
    expect((await page(tagged("&q=kit"))).names).toEqual(["Basalt Kit"]);
  });

  it("filters on a minimum and a maximum personal price, in whole units, inclusive", async () => {
    expect((await page(tagged("&minPrice=25"))).names).toEqual([
      "Aurora Theme",
      "Cirrus Template",
      "Dune Icons",
      "Ember Theme",
    ]);
    expect((await page(tagged("&maxPrice=25"))).names).toEqual([
      "Basalt Kit",
      "Dune Icons",
      "Ember Theme",
    ]);
    const range = await page(tagged("&minPrice=20&maxPrice=49"));
    expect(range.names).toEqual(["Aurora Theme", "Dune Icons", "Ember Theme"]);
    expect(range.count).toBe("3 products");
    expect((await page(tagged("&minPrice=25&maxPrice=25"))).names).toEqual([
      "Dune Icons",
      "Ember Theme",
    ]);
  });

  it("offers a link that clears every filter and keeps the sort", async () => {
    const { html } = await page(tagged("&category=THEME&q=a&minPrice=1&sort=price-asc"));
    expect(html).toMatch(/<a [^>]*href="\/products\?sort=price-asc"[^>]*>Clear all filters<\/a>/);
    const plain = await page(tagged("&maxPrice=30"));
    expect(plain.html).toMatch(/<a [^>]*href="\/products"[^>]*>Clear all filters<\/a>/);
    expect((await page("/products")).html).not.toContain("Clear all filters");
  });
});

describe("catalog sort orders", () => {
  it("lists newest first by default and for sort=newest", async () => {
    const newest = ["Aurora Theme", "Basalt Kit", "Cirrus Template", "Dune Icons", "Ember Theme"];
    expect((await page(tagged())).names).toEqual(newest);
    expect((await page(tagged("&sort=newest"))).names).toEqual(newest);
  });

  it("sorts by price, low to high and high to low, ties by id in the same direction", async () => {
    const ascending = (await page(tagged("&sort=price-asc"))).names;
    expect(ascending[0]).toBe("Basalt Kit");
    expect(ascending.slice(1, 3).sort()).toEqual(["Dune Icons", "Ember Theme"]);
    expect(ascending.slice(3)).toEqual(["Aurora Theme", "Cirrus Template"]);
    const descending = (await page(tagged("&sort=price-desc"))).names;
    expect(descending).toEqual([...ascending].reverse());
  });

  it("sorts by purchase count, most popular first", async () => {
    const popular = (await page(tagged("&sort=popular"))).names;
    expect(popular[0]).toBe("Basalt Kit");
    expect(popular.slice(1, 3).sort()).toEqual(["Dune Icons", "Ember Theme"]);
    expect(popular.slice(3)).toEqual(["Aurora Theme", "Cirrus Template"]);
  });

  it("marks the chosen sort in the sort control", async () => {
    const { html } = await page(tagged("&sort=popular"));
    expect(html).toMatch(/<option value="popular" selected="">Most popular<\/option>/);
  });
});

describe("bad prices", () => {
  it.each([
    ["minPrice", "cheap", "Enter a whole number, like 50."],
    ["maxPrice", "-5", "A price can&#x27;t be negative."],
    ["minPrice", "12.5", "Use whole units without cents, like 50."],
    ["maxPrice", "100001", "Enter at most 100,000."],
  ])("shows %s=%s as an error on the form with status 400", async (field, value, message) => {
    const { response, html, names } = await page(tagged(`&${field}=${value}`));
    expect(response.status).toBe(400);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const input = new RegExp(`<input[^>]*name="${field}"[^>]*>`).exec(html)?.[0] ?? "";
    expect(input).toContain('aria-invalid="true"');
    expect(input).toContain(`value="${value}"`);
    expect(html).toContain(`<p id="${/id="([^"]+)"/.exec(input)?.[1]}-error" class="field__error"`);
    expect(html).toContain(message);
    // The other filters still apply: the page lists what they match.
    expect(names).toHaveLength(5);
  });

  it("refuses a minimum above the maximum on the maximum's field", async () => {
    const { response, html } = await page(tagged("&minPrice=50&maxPrice=10"));
    expect(response.status).toBe(400);
    expect(html).toContain("The maximum price must be at least the minimum price.");
    expect(/<input[^>]*name="maxPrice"[^>]*>/.exec(html)?.[0]).toContain('aria-invalid="true"');
  });
});

describe("catalog pages", () => {
  it.each(["newest", "price-asc", "price-desc", "popular"])(
    "walks every page of sort=%s forward and back without repeats or gaps",
    async (sort) => {
      const seen: string[] = [];
      const pages: string[] = [];
      let path: string | undefined = `/products?tag=${MANY}&sort=${sort}`;
      while (path) {
        const current = await page(path);
        expect(current.response.status).toBe(200);
        expect(current.count).toBe(`${MANY_COUNT} products`);
        const from = seen.length + 1;
        expect(current.html).toContain(`showing ${from}–${from + current.names.length - 1}`);
        if (pages.length > 0) {
          // "Previous page" leads back to exactly the page before.
          const back = await page(current.previous!);
          expect(back.names).toEqual(seen.slice(-DEFAULT_PAGE_SIZE));
        } else {
          expect(current.previous).toBeUndefined();
        }
        seen.push(...current.names);
        pages.push(path);
        path = current.next;
      }
      expect(pages).toHaveLength(3);
      expect(seen).toHaveLength(MANY_COUNT);
      expect(new Set(seen).size).toBe(MANY_COUNT);
    },
  );

  it("ignores ?page= and a tampered cursor (both show page one)", async () => {
    const first = await page(`/products?tag=${MANY}`);
    expect((await page(`/products?tag=${MANY}&page=2`)).names).toEqual(first.names);
    expect((await page(`/products?tag=${MANY}&cursor=nonsense`)).names).toEqual(first.names);
  });
});
