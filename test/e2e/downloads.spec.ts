/**
 * The delivery journey (issue 5): a customer buys a license, downloads the file three times
 * (the bytes are the product's file), is refused a fourth time with the time the next download
 * frees up, asks for a reset, a moderator (with 2FA) approves it, and the download works again.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { DEMO_PRODUCTS } from "#db/demo-data";
import {
  assertNoBrowserIssues,
  openTrackedPage,
  screenshot,
  visit,
  type E2EContext,
} from "./browser";
import { confirmEmailFromOutbox, expectCheckYourEmail, logInAsStaff } from "./outbox";
import { createSuite } from "./runner";

const suite = createSuite<E2EContext>();
export const downloadTests = suite.tests;
const test = suite.test;

const PRODUCT = DEMO_PRODUCTS.find((product) => product.name === "Quiet Theme")!;
const PASSWORD = "downloads are precious";

/** Click Download and return the saved file's bytes and name. */
async function downloadFile(page: Page): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download", exact: true }).click(),
  ]);
  const filePath = await download.path();
  return { name: download.suggestedFilename(), text: await readFile(filePath, "utf8") };
}

test("a customer downloads 3 times, is refused the 4th, and a moderator's reset gives downloads back", async (context) => {
  const customer = await openTrackedPage(context);
  const staff = await openTrackedPage(context);
  const { page } = customer;
  try {
    const email = `e2e-downloads-${Date.now().toString(36)}@example.test`;
    await visit(page, "/signup");
    await page.getByLabel("Name").fill("Dora Download");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByLabel("Date of birth").fill("1988-02-02");
    await page.getByRole("button", { name: /Create account|Sign up/ }).click();
    // Sign-up logs nobody in (issue 14.6); the emailed link confirms the address and logs in.
    await expectCheckYourEmail(page, email);
    await confirmEmailFromOutbox(context, page, email);

    // Buy a personal license through the test provider.
    await visit(page, "/products/quiet-theme");
    await page.getByRole("radio", { name: /^Personal/ }).check();
    await page.getByRole("button", { name: "Buy" }).click();
    await page.waitForURL("**/checkout/test/**");
    await page.getByRole("button", { name: "Pay (test)" }).click();
    await page.waitForURL("**/account/purchases**");

    await visit(page, "/account/licenses");
    await page.locator("tr", { hasText: PRODUCT.name }).getByRole("link").first().click();
    await page.waitForURL("**/account/licenses/**");
    const licenseUrl = page.url();
    await page.getByText("3 of 3 downloads left in the last 14 days.").waitFor();

    for (let i = 1; i <= 3; i++) {
      const file = await downloadFile(page);
      assert.equal(file.name, PRODUCT.file.name);
      assert.equal(file.text, PRODUCT.file.body, `download ${i} has the product's bytes`);
      await visit(page, licenseUrl);
      await page.getByText(`${3 - i} of 3 downloads left in the last 14 days.`).waitFor();
    }
    await screenshot(context, page, "downloads-used");

    // The fourth is refused, in words, with the time the next one frees up.
    await page.getByRole("button", { name: "Download", exact: true }).click();
    const refusal = page.getByTestId("download-refusal");
    await refusal.waitFor();
    assert.match(
      (await refusal.textContent()) ?? "",
      /You have used all 3 downloads of the last 14 days\. The next download frees up on \d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC\./,
    );
    await screenshot(context, page, "download-refused");

    // Ask for a reset.
    await visit(page, licenseUrl);
    await page.getByLabel("Why do you need more downloads?").fill("My laptop was replaced.");
    await page.getByRole("button", { name: "Request a reset" }).click();
    await page.getByText("Your reset request is waiting for a moderator.").waitFor();

    // A moderator logs in with 2FA and approves it.
    const mod = staff.page;
    await logInAsStaff(mod, "moderator@demo.test", "demo-password-moderator");
    await visit(mod, "/admin/reset-requests?status=PENDING");
    await mod.locator("tr", { hasText: email }).getByRole("link").first().click();
    await mod.waitForURL("**/admin/reset-requests/**");
    await mod.getByText("My laptop was replaced.").waitFor();
    const approve = mod.locator("form", {
      has: mod.getByRole("button", { name: "Approve reset" }),
    });
    await approve.getByLabel("Notes for the customer").fill("Approved, enjoy the new laptop.");
    await approve.getByRole("button", { name: "Approve reset" }).click();
    await mod.getByTestId("reset-status").getByText("approved").waitFor();
    await screenshot(context, mod, "reset-approved");

    // The customer sees the decision and can download again.
    await visit(page, licenseUrl);
    await page.getByText("Approved, enjoy the new laptop.").waitFor();
    await page.getByText("3 of 3 downloads left in the last 14 days.").waitFor();
    const again = await downloadFile(page);
    assert.equal(again.text, PRODUCT.file.body);

    await visit(page, "/account/downloads");
    assert.equal(await page.locator("tr", { hasText: "Downloaded" }).count(), 4);
    await screenshot(context, page, "download-history");

    // The refused fourth click answered 429 on purpose.
    assertNoBrowserIssues(customer, [/HTTP 429/, /status of 429/]);
    assertNoBrowserIssues(staff);
  } finally {
    await customer.close();
    await staff.close();
  }
});
