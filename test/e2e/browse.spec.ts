/**
 * Anonymous browsing journeys over the demo data (db/demo-data.ts): home → catalog →
 * product page, the friendly 404s, and a phone-sized layout check.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  assertNoBrowserIssues,
  noteKnownIssue,
  openTrackedPage,
  PHONE,
  screenshot,
  visit,
  type E2EContext,
} from "./browser";
import { createSuite } from "./runner";

const suite = createSuite<E2EContext>();
export const browseTests = suite.tests;
const test = suite.test;

/** The published demo products; the catalog must list every one of them. */
const SEEDED_PRODUCTS = [
  "Northwind Portfolio Template",
  "Ledger UI Kit",
  "Quiet Theme",
  "Form Patterns Snippets",
  "Brand Guidelines Handbook",
  "Isometric Icon Set",
];

/** Wait until React has hydrated the document, so clicks are client-side navigations. */
async function waitForHydration(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const main = document.querySelector("main");
    return main !== null && Object.keys(main).some((key) => key.startsWith("__reactFiber"));
  });
}

async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => Object.assign(window, { __e2eSameDocument: true }));
}

async function isSameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => "__e2eSameDocument" in window);
}

async function headingText(page: Page): Promise<string> {
  return (await page.locator("h1").first().innerText()).trim();
}

test("home page shows the hero, featured products and security headers", async (context) => {
  const tracked = await openTrackedPage(context);
  try {
    const { page } = tracked;
    const response = await visit(page, "/");
    assert.equal(response.status(), 200);
    const headers = response.headers();
    assert.match(headers["content-type"] ?? "", /^text\/html/);
    assert.match(headers["content-security-policy"] ?? "", /script-src 'self' 'nonce-[0-9a-f]+'/);
    assert.match(headers["content-security-policy"] ?? "", /frame-ancestors 'none'/);
    assert.equal(headers["x-content-type-options"], "nosniff");

    assert.match(await headingText(page), /^Design assets you can ship/);
    assert.match(await page.title(), /Studio Store/);
    const featured = await page.locator(".product-card__title a").allInnerTexts();
    assert.ok(featured.length > 0, "the home page features at least one product");
    for (const name of featured)
      assert.ok(SEEDED_PRODUCTS.includes(name.trim()), `unexpected featured product "${name}"`);

    await waitForHydration(page);
    await screenshot(context, page, "home");
    assertNoBrowserIssues(tracked);
  } finally {
    await tracked.close();
  }
});

test("static files carry security headers (nosniff, no framing, a script-free CSP for SVG)", async (context) => {
  for (const path of ["/favicon.svg", "/favicon.ico", "/robots.txt"]) {
    const response = await fetch(new URL(path, context.baseURL));
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get("x-content-type-options"), "nosniff", path);
    assert.equal(response.headers.get("x-frame-options"), "DENY", path);
    const csp = response.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'none'/, path);
    assert.doesNotMatch(csp, /script-src/, path);
  }
});

test("visitor goes from home to the catalog to a product page", async (context) => {
  const tracked = await openTrackedPage(context);
  try {
    const { page } = tracked;
    await visit(page, "/");
    await waitForHydration(page);
    await markDocument(page);

    await page.getByRole("link", { name: "Browse the catalog" }).click();
    await page.waitForURL((url) => url.pathname === "/products");
    await page.locator("h1", { hasText: "Products" }).waitFor();
    assert.equal(await headingText(page), "Products");
    assert.ok(await isSameDocument(page), "the catalog opened as a client-side navigation");

    const titles = page.locator(".product-card__title a");
    const names = (await titles.allInnerTexts()).map((name) => name.trim());
    for (const name of SEEDED_PRODUCTS) assert.ok(names.includes(name), `catalog lists "${name}"`);
    const hrefs = await titles.evaluateAll((links) =>
      links.map((link) => link.getAttribute("href") ?? ""),
    );
    for (const href of hrefs) assert.match(href, /^\/products\/[a-z0-9-]+$/);
    assert.equal(
      await page.getByRole("link", { name: /Next page/ }).count(),
      0,
      "six products fit on one page",
    );
    await page.waitForLoadState("networkidle");
    await screenshot(context, page, "catalog");

    await page.locator(".product-card__title a", { hasText: "Ledger UI Kit" }).click();
    await page.waitForURL((url) => url.pathname === "/products/ledger-ui-kit");
    await page.locator("h1", { hasText: "Ledger UI Kit" }).waitFor();
    assert.equal(await headingText(page), "Ledger UI Kit");
    assert.ok(await isSameDocument(page), "the product page opened as a client-side navigation");
    assert.equal(await page.title(), "Ledger UI Kit — Studio Store");

    const panel = page.locator(".license-panel");
    assert.ok(await panel.isVisible(), "the license panel is visible");
    const prices = (await panel.locator(".license-option__price").allInnerTexts()).map((p) =>
      p.trim(),
    );
    assert.deepEqual(prices, ["$59.00", "$149.00", "$349.00"]);
    await page.waitForLoadState("networkidle");
    await screenshot(context, page, "product");
    assertNoBrowserIssues(tracked);
  } finally {
    await tracked.close();
  }
});

test("a product page loads directly with only the licenses it offers", async (context) => {
  const tracked = await openTrackedPage(context);
  try {
    const { page } = tracked;
    const response = await visit(page, "/products/quiet-theme");
    assert.equal(response.status(), 200);
    assert.match(response.headers()["cache-control"] ?? "", /public/);
    assert.equal(await headingText(page), "Quiet Theme");

    const options = page.locator(".license-panel .license-option");
    const labels = (await options.locator("strong").allInnerTexts()).map((label) => label.trim());
    assert.deepEqual(labels, ["Personal", "Commercial"], "no team license when it has no price");
    const prices = (await options.locator(".license-option__price").allInnerTexts()).map((p) =>
      p.trim(),
    );
    assert.deepEqual(prices, ["$29.00", "$69.00"]);

    await page.getByRole("link", { name: "Products", exact: true }).first().click();
    await page.waitForURL((url) => url.pathname === "/products");
    assertNoBrowserIssues(tracked);
  } finally {
    await tracked.close();
  }
});

test("an unknown product shows the friendly 404 with status 404", async (context) => {
  const tracked = await openTrackedPage(context);
  try {
    const { page } = tracked;
    const response = await visit(page, "/products/no-such-product");
    assert.equal(response.status(), 404);
    assert.equal(await headingText(page), "This product isn't in the catalog");
    assert.equal((await page.locator(".error-panel__status").innerText()).trim(), "404");
    assert.match(await page.locator(".error-panel").innerText(), /no-such-product/);
    assert.ok(await page.getByRole("link", { name: "Browse products" }).isVisible());
    assert.doesNotMatch(
      await page.content(),
      /at\s+\S+\s+\(.*:\d+:\d+\)/,
      "no stack trace on the page",
    );
    await waitForHydration(page);
    await screenshot(context, page, "product-not-found");
    assertNoBrowserIssues(tracked, [/no-such-product/, /Failed to load resource.*404/]);
  } finally {
    await tracked.close();
  }
});

test("an unknown page shows the general 404 with status 404", async (context) => {
  const tracked = await openTrackedPage(context);
  try {
    const { page } = tracked;
    const response = await visit(page, "/this/page/does-not-exist");
    assert.equal(response.status(), 404);
    assert.equal(await headingText(page), "We couldn't find that page");
    assertNoBrowserIssues(tracked, [/does-not-exist/, /Failed to load resource.*404/]);
  } finally {
    await tracked.close();
  }
});

/**
 * Layout bugs already known and owned elsewhere: elements inside these selectors may stick
 * out on a phone, with a warning each run. Remove an entry once its CSS fix lands.
 */
const KNOWN_OVERFLOWS: Array<{ selector: string; why: string }> = [];

test("pages fit a phone screen without sideways scrolling", async (context) => {
  const tracked = await openTrackedPage(context, PHONE);
  try {
    const { page } = tracked;
    for (const [path, name] of [
      ["/", "home-phone"],
      ["/products", "catalog-phone"],
      ["/products/ledger-ui-kit", "product-phone"],
    ] as const) {
      const response = await visit(page, path);
      assert.equal(response.status(), 200, `${path} answers 200`);
      await screenshot(context, page, name);

      const known = KNOWN_OVERFLOWS.map((entry) => entry.selector);
      const { overflow, sticking } = await page.evaluate((knownSelectors) => {
        const width = document.documentElement.clientWidth;
        const sticking = [...document.querySelectorAll("body *")]
          .filter((element) => element.getBoundingClientRect().right > width + 0.5)
          .map((element) => {
            const classes = [...element.classList].map((name) => `.${name}`).join("");
            const right = Math.round(element.getBoundingClientRect().right);
            return {
              description: `<${element.tagName.toLowerCase()}${classes}> ends at ${right}px`,
              knownAs: knownSelectors.find((selector) => element.closest(selector) !== null),
            };
          });
        return { overflow: document.documentElement.scrollWidth - width, sticking };
      }, known);
      if (overflow <= 0) continue;

      const unexplained = sticking.filter((element) => element.knownAs === undefined);
      assert.ok(
        unexplained.length === 0 && sticking.length > 0,
        `${path} is ${overflow}px wider than the phone screen (${PHONE.width}px); sticking out: ` +
          (unexplained
            .map((element) => element.description)
            .slice(0, 5)
            .join(", ") || "nothing measurable"),
      );
      for (const entry of KNOWN_OVERFLOWS) {
        if (sticking.some((element) => element.knownAs === entry.selector)) {
          noteKnownIssue(`${entry.selector} sticks out on phones: ${entry.why} (${path})`);
        }
      }
    }
    assertNoBrowserIssues(tracked);
  } finally {
    await tracked.close();
  }
});

test("/healthz reports a reachable database", async (context) => {
  const response = await fetch(`${context.baseURL}/healthz`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("cache-control"), "no-store");
  assert.deepEqual(await response.json(), { ok: true, db: "reachable" });
});

test("catalog filters (issue 16): labels on one line, a tag control, an inline price error, clear all", async (context) => {
  const tracked = await openTrackedPage(context);
  try {
    const { page } = tracked;
    await visit(page, "/products");
    await waitForHydration(page);

    // "Max price" used to sit higher than the other labels (its hint pushed its box up).
    const tops = await page
      .locator(".catalog-filters label")
      .evaluateAll((labels) =>
        labels.slice(0, 5).map((label) => Math.round(label.getBoundingClientRect().top)),
      );
    assert.equal(new Set(tops).size, 1, `label tops ${tops.join(", ")}`);

    await page.getByLabel("Tag").selectOption("dashboard");
    await page.getByLabel("Sort by").selectOption("price-desc");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL((url) => url.searchParams.get("tag") === "dashboard");
    await page
      .getByRole("status")
      .filter({ hasText: /^\d+ products?/ })
      .waitFor();

    await page.getByLabel("Max price").fill("ten");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.getByText("Enter a whole number, like 50.").waitFor();
    assert.equal(await page.getByLabel("Max price").getAttribute("aria-invalid"), "true");

    await page.getByRole("link", { name: "Clear all filters" }).click();
    await page.waitForURL((url) => url.pathname === "/products" && !url.searchParams.has("tag"));
    // The URL changes a moment before React renders the new page: wait for that render (the
    // link only shows while a filter is on) before reading the fields.
    await page.getByRole("link", { name: "Clear all filters" }).waitFor({ state: "detached" });
    assert.equal(await page.getByLabel("Tag").inputValue(), "");
    assert.equal(await page.getByLabel("Max price").inputValue(), "");
    assert.equal(await page.getByLabel("Sort by").inputValue(), "price-desc");
    assertNoBrowserIssues(tracked, [/HTTP 400: GET .*\/products/, /status of 400/]);
  } finally {
    await tracked.close();
  }
});
