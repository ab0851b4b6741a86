/**
 * Keyboard-only use: the phone header menu opens, is tabbed through and closes with Escape
 * (focus back on its button), works without JavaScript, and every control on a form page
 * shows where the focus is.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { assertNoBrowserIssues, DESKTOP, openTrackedPage, visit, type E2EContext } from "./browser";
import { createSuite } from "./runner";

const suite = createSuite<E2EContext>();
export const keyboardTests = suite.tests;
const test = suite.test;

const SMALL_PHONE = { width: 360, height: 740 };

async function waitForHydration(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const main = document.querySelector("main");
    return main !== null && Object.keys(main).some((key) => key.startsWith("__reactFiber"));
  });
}

interface Focused {
  description: string;
  focusVisible: boolean;
  indicator: boolean;
  inMenu: boolean;
}

/** The focused element, and whether it matches :focus-visible with an outline or a ring. */
async function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) {
      return { description: "body", focusVisible: false, indicator: false, inMenu: false };
    }
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
    const ring = style.boxShadow !== "none";
    const text = (element.textContent ?? "").replace(/\s+/g, " ").trim().slice(0, 30);
    const name = element.getAttribute("aria-label") || text || element.getAttribute("name") || "";
    return {
      description: `<${element.tagName.toLowerCase()}> "${name}"`,
      focusVisible: element.matches(":focus-visible"),
      indicator: outline || ring,
      inMenu: element.closest(".site-menu") !== null,
    };
  });
}

async function tabTo(page: Page, until: (element: Focused) => boolean, limit = 20) {
  const passed: Focused[] = [];
  for (let step = 0; step < limit; step += 1) {
    await page.keyboard.press("Tab");
    const element = await focused(page);
    passed.push(element);
    if (until(element)) return passed;
  }
  throw new Error(`Tab never reached the element; passed ${passed.map((f) => f.description)}`);
}

function assertFocusShown(elements: Focused[]): void {
  for (const element of elements) {
    assert.ok(element.focusVisible, `${element.description} matches :focus-visible`);
    assert.ok(element.indicator, `${element.description} shows an outline or ring when focused`);
  }
}

test("keyboard: the phone header menu opens, is tabbed through and Escape returns focus", async (context) => {
  const tracked = await openTrackedPage(context, SMALL_PHONE);
  try {
    const { page } = tracked;
    await visit(page, "/products");
    await waitForHydration(page);

    // The bug: at 390 px the links stacked on top of the Log in button. Now one row, with a menu.
    const header = await page.locator(".site-header").boundingBox();
    assert.ok(header && header.height <= 80, `the header is one row (${header?.height}px tall)`);
    assert.equal(
      await page.getByRole("link", { name: "Log in" }).count(),
      0,
      "Log in is in the menu",
    );
    const menuButton = page.locator(".site-menu summary");
    assert.equal(await menuButton.getAttribute("aria-expanded"), "false");
    assert.equal(await menuButton.getAttribute("aria-controls"), "site-menu-panel");

    const toMenu = await tabTo(page, (element) => element.inMenu);
    assertFocusShown(toMenu);
    await page.keyboard.press("Enter");
    await page.locator('.site-menu summary[aria-expanded="true"]').waitFor();
    const panel = page.locator("#site-menu-panel");
    await panel.getByRole("link", { name: "Log in" }).waitFor();

    const inside = await tabTo(page, (element) => element.description.includes("Sign up"));
    assertFocusShown(inside);
    assert.ok(
      inside.every((element) => element.inMenu),
      `Tab moves through the open menu: ${inside.map((element) => element.description)}`,
    );
    assert.ok(inside.some((element) => element.description.includes("Products")));

    await page.keyboard.press("Escape");
    await page.locator('.site-menu summary[aria-expanded="false"]').waitFor();
    assert.ok(await panel.isHidden(), "Escape closes the menu");
    const back = await focused(page);
    assert.ok(back.inMenu && back.description.includes("Menu"), `focus is back on the button`);

    // Following a link from the menu lands on a page with the menu closed.
    await page.keyboard.press("Enter");
    await panel.getByRole("link", { name: "Pricing" }).click();
    await page.waitForURL("**/pricing");
    await panel.waitFor({ state: "hidden", timeout: 3_000 });
    assert.equal(await menuButton.getAttribute("aria-expanded"), "false");
    assertNoBrowserIssues(tracked);
  } finally {
    await tracked.close();
  }
});

test("keyboard: the phone header menu works without JavaScript", async (context) => {
  const browserContext = await context.browser.newContext({
    baseURL: context.baseURL,
    viewport: SMALL_PHONE,
    javaScriptEnabled: false,
  });
  try {
    const page = await browserContext.newPage();
    await visit(page, "/");
    const panel = page.locator("#site-menu-panel");
    assert.ok(await panel.isHidden());
    await page.locator(".site-menu summary").click();
    await panel.getByRole("link", { name: "Sign up" }).waitFor();
    await panel.getByRole("link", { name: "Products" }).click();
    await page.waitForURL("**/products");
  } finally {
    await browserContext.close();
  }
});

test("keyboard: every control of a form page shows its focus", async (context) => {
  const tracked = await openTrackedPage(context, DESKTOP);
  try {
    const { page } = tracked;
    await visit(page, "/login");
    await waitForHydration(page);
    const passed = await tabTo(
      page,
      (element) =>
        element.description.startsWith("<button>") && element.description.includes("Log in"),
      30,
    );
    assertFocusShown(passed);
    const kinds = passed.map((element) => element.description);
    assert.ok(
      kinds.some((kind) => kind.startsWith("<input>")),
      `inputs were reached: ${kinds}`,
    );
    assertNoBrowserIssues(tracked);
  } finally {
    await tracked.close();
  }
});
