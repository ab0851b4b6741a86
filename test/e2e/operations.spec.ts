/**
 * Operations (issue 12): an admin (with 2FA) takes a manual backup, sees it completed with its
 * size and runs a restore dry run; switches downloads off with a reason, and a customer sees
 * the sentence where the Download button was; switched on again, the download works.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { DEMO_PRODUCTS } from "#db/demo-data";
import { FEATURE_FLAG_DEFINITIONS } from "~/domain/flags/flags";
import {
  assertNoBrowserIssues,
  openTrackedPage,
  screenshot,
  visit,
  type E2EContext,
} from "./browser";
import { logInAsStaff } from "./outbox";
import { createSuite } from "./runner";

const suite = createSuite<E2EContext>();
export const operationsTests = suite.tests;
const test = suite.test;

// A product no other journey buys: the demo customer owns no license until this test.
const PRODUCT = DEMO_PRODUCTS.find((product) => product.name === "Form Patterns Snippets")!;
const SLUG = PRODUCT.name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
const DOWNLOADS_PAUSED = FEATURE_FLAG_DEFINITIONS.downloads.offMessage;

async function logIn(page: Page, email: string, password: string) {
  await visit(page, "/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

/** Switch a flag on /admin/flags with a reason; waits for its card to show the new state. */
async function switchDownloads(page: Page, to: "on" | "off", reason: string) {
  await visit(page, "/admin/flags");
  const card = page.locator("form", { has: page.getByTestId("flag-downloads") });
  await card.getByLabel(/^Reason/).fill(reason);
  await card.getByRole("button", { name: `Switch downloads ${to}` }).click();
  await page.locator(`[data-testid="flag-downloads"][data-enabled="${to}"]`).waitFor();
}

test("an admin backs up, dry-runs a restore, and pauses downloads for a customer", async (context) => {
  const admin = await openTrackedPage(context);
  const customer = await openTrackedPage(context);
  const page = customer.page;
  const staff = admin.page;
  try {
    // The customer buys a license first, while everything is on.
    await logIn(page, "user@demo.test", "demo-password-user");
    await visit(page, `/products/${SLUG}`);
    await page.getByRole("radio", { name: /^Personal/ }).check();
    await page.getByRole("button", { name: "Buy" }).click();
    await page.waitForURL("**/checkout/test/**");
    await page.getByRole("button", { name: "Pay (test)" }).click();
    await page.waitForURL("**/account/purchases**");
    await visit(page, "/account/licenses");
    await page.locator("tr", { hasText: PRODUCT.name }).getByRole("link").first().click();
    await page.waitForURL("**/account/licenses/**");
    const licenseUrl = page.url();

    // A manual backup, taken step by step until it is complete.
    // Another journey may have used this step's code: logInAsStaff takes the next one then.
    await logInAsStaff(staff, "admin@demo.test", "demo-password-admin");
    await visit(staff, "/admin/backups");
    await staff.getByRole("button", { name: "Back up now" }).click();
    for (let step = 0; step < 50; step++) {
      await staff.waitForLoadState("networkidle");
      const next = staff.getByRole("button", { name: "Take the next step" });
      if ((await next.count()) === 0) break;
      await next.click();
    }
    const row = staff.getByTestId("backups").locator("tbody tr").first();
    await row.getByText("completed").waitFor();
    const size = (await row.locator("td").nth(3).textContent()) ?? "";
    assert.match(size, /^\d+(\.\d+)? (B|KB|MB|GB)$/, `the backup's size, got "${size}"`);
    await screenshot(context, staff, "backup-completed");

    await row.getByRole("button", { name: "Restore dry run" }).click();
    const report = staff.getByTestId("dry-run");
    await report.waitFor();
    assert.match(
      (await report.getByRole("status").textContent()) ?? "",
      /All \d+ objects match their SHA-256\./,
    );
    await screenshot(context, staff, "backup-dry-run");

    // Downloads off: the customer reads why, and no link is issued.
    await switchDownloads(staff, "off", "Storage maintenance (e2e)");
    await screenshot(context, staff, "flags-downloads-off");
    await visit(page, licenseUrl);
    await page.getByTestId("feature-paused").getByText(DOWNLOADS_PAUSED).waitFor();
    assert.equal(await page.getByRole("button", { name: "Download", exact: true }).count(), 0);
    await screenshot(context, page, "license-downloads-paused");

    // Downloads on again: the button is back and the file arrives.
    await switchDownloads(staff, "on", "Maintenance done (e2e)");
    await staff.getByTestId("flag-changes").getByText("Maintenance done (e2e)").waitFor();
    await visit(page, licenseUrl);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download", exact: true }).click(),
    ]);
    assert.equal(download.suggestedFilename(), PRODUCT.file.name);
    assert.equal(await readFile(await download.path(), "utf8"), PRODUCT.file.body);

    assertNoBrowserIssues(admin);
    assertNoBrowserIssues(customer);
  } finally {
    await admin.close();
    await customer.close();
  }
});
