/**
 * Issue 16, "Looks like a studio", in the browser: the seeded product artwork loads, the
 * product gallery works with the keyboard, and /favicon.ico exists (its 404 was a console
 * error on every page).
 */
import assert from "node:assert/strict";
import {
  assertNoBrowserIssues,
  openTrackedPage,
  PHONE,
  screenshot,
  visit,
  type E2EContext,
} from "./browser";
import { createSuite } from "./runner";

const suite = createSuite<E2EContext>();
export const storefrontTests = suite.tests;
const test = suite.test;

test("storefront: /favicon.ico is a real icon and the home page loads without a console error", async (context) => {
  const icon = await fetch(new URL("/favicon.ico", context.baseURL));
  assert.equal(icon.status, 200);
  const bytes = new Uint8Array(await icon.arrayBuffer());
  // ICONDIR: reserved 0, type 1 (icon), then at least one image.
  assert.deepEqual([...bytes.slice(0, 4)], [0, 0, 1, 0]);
  assert.ok(bytes[4]! >= 1, "the icon holds at least one image");

  const tracked = await openTrackedPage(context);
  try {
    const { page } = tracked;
    await visit(page, "/");
    await page.waitForLoadState("networkidle");
    // Every featured card shows its cover, and the browser could decode each one.
    const covers = page.locator(".product-card img");
    assert.ok((await covers.count()) > 0, "featured products show their covers");
    const broken = await covers.evaluateAll((images) =>
      (images as HTMLImageElement[])
        .map((image) => {
          image.loading = "eager";
          return image;
        })
        .filter((image) => image.complete && image.naturalWidth === 0)
        .map((image) => image.src),
    );
    assert.deepEqual(broken, []);
    assertNoBrowserIssues(tracked);
  } finally {
    await tracked.close();
  }
});

test("storefront: the product gallery steps with arrow keys and buttons, marking the shown image", async (context) => {
  for (const viewport of [undefined, PHONE]) {
    const tracked = await openTrackedPage(context, viewport);
    try {
      const { page } = tracked;
      await visit(page, "/products/northwind-portfolio-template");
      await page.waitForLoadState("networkidle");
      const gallery = page.getByTestId("product-gallery");
      const main = gallery.locator(".gallery__main");
      const thumbs = gallery.locator(".gallery__thumb");
      assert.equal(await thumbs.count(), 3, "cover and two previews");
      // The Previous/Next buttons appear once the page is interactive.
      await gallery.getByRole("button", { name: "Next image" }).waitFor();
      const src = () => main.getAttribute("src");
      const current = () => gallery.locator('.gallery__thumb[aria-current="true"]').count();
      assert.equal(await current(), 1);

      await thumbs.first().focus();
      await page.keyboard.press("ArrowRight");
      assert.equal(await thumbs.nth(1).getAttribute("aria-current"), "true");
      assert.equal(await src(), await thumbs.nth(1).getAttribute("href"));
      assert.ok(
        await thumbs.nth(1).evaluate((element) => element === document.activeElement),
        "focus follows the arrow key",
      );
      assert.ok(
        await thumbs.nth(1).evaluate((element) => element.matches(":focus-visible")),
        "the focused thumbnail shows focus",
      );
      await page.keyboard.press("End");
      assert.equal(await src(), await thumbs.nth(2).getAttribute("href"));
      await page.keyboard.press("ArrowRight");
      assert.equal(await src(), await thumbs.first().getAttribute("href"), "wraps around");

      await gallery.getByRole("button", { name: "Previous image" }).click();
      assert.equal(await src(), await thumbs.nth(2).getAttribute("href"));
      assert.equal(await gallery.getByText("Image 3 of 3").count(), 1);

      await thumbs.nth(1).click();
      assert.equal(await src(), await thumbs.nth(1).getAttribute("href"));
      assert.equal(new URL(page.url()).pathname, "/products/northwind-portfolio-template");
      assert.equal(await current(), 1);

      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px too wide)`);
      await screenshot(context, page, `product-gallery-${viewport ? "390" : "1280"}`);
      assertNoBrowserIssues(tracked);
    } finally {
      await tracked.close();
    }
  }
});
