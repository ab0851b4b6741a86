/**
 * The store journey (issue 4): a customer browses to a product, buys a license through the
 * test payment provider and finds the license, with its key, in their account.
 */
import assert from "node:assert/strict";
import { LICENSE_KEY_PATTERN } from "~/domain/licenses/key";
import {
  assertNoBrowserIssues,
  openTrackedPage,
  screenshot,
  visit,
  type E2EContext,
} from "./browser";
import { createSuite } from "./runner";

const suite = createSuite<E2EContext>();
export const storeTests = suite.tests;
const test = suite.test;

test("a customer buys a commercial license with the test provider and sees it in the account", async (context) => {
  const tracked = await openTrackedPage(context);
  const { page } = tracked;
  try {
    await visit(page, "/login");
    await page.getByLabel("Email").fill("user@demo.test");
    await page.getByLabel("Password").fill("demo-password-user");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL("**/account");

    await visit(page, "/products");
    await page.getByRole("link", { name: "Ledger UI Kit" }).click();
    await page.waitForURL("**/products/ledger-ui-kit");
    await page.getByRole("radio", { name: /^Commercial/ }).check();
    await page.getByRole("button", { name: "Buy" }).click();

    await page.waitForURL("**/checkout/test/**");
    await page.getByText("$149.00").first().waitFor();
    await screenshot(context, page, "test-checkout");
    await page.getByRole("button", { name: "Pay (test)" }).click();

    await page.waitForURL("**/account/purchases**");
    const purchase = page.locator("tr", { hasText: "Ledger UI Kit" }).first();
    await purchase.getByText("completed").waitFor();
    await purchase.getByText("$149.00").waitFor();

    await visit(page, "/account/licenses");
    const row = page.locator("tr", { hasText: "Ledger UI Kit" }).first();
    await row.getByText("COMMERCIAL").waitFor();
    assert.match(
      (await row.locator("code").textContent()) ?? "",
      /^•••••-•••••-•••••-•••••-[A-Z0-9]{5}$/,
    );
    await row.getByRole("link", { name: "Ledger UI Kit" }).click();
    await page.getByRole("button", { name: "Reveal key" }).click();
    await page.waitForFunction(
      (pattern) => new RegExp(pattern).test(document.body.innerText),
      LICENSE_KEY_PATTERN.source.replace(/^\^|\$$/g, ""),
    );
    await screenshot(context, page, "license-revealed");
    assertNoBrowserIssues(tracked);
  } finally {
    await tracked.close();
  }
});
