/**
 * Upgrading a membership (issue 15): a new customer subscribes to Basic access with the test
 * payment provider, upgrades to Pro from /pricing, confirms the prorated amount on the test
 * provider's page, and finds the new tier and the extra credits' ADJUSTMENT row in the ledger.
 */
import assert from "node:assert/strict";
import { TIERS } from "~/domain/memberships/tiers";
import {
  assertNoBrowserIssues,
  openTrackedPage,
  screenshot,
  visit,
  type E2EContext,
} from "./browser";
import { confirmEmailFromOutbox, expectCheckYourEmail } from "./outbox";
import { createSuite } from "./runner";

const suite = createSuite<E2EContext>();
export const membershipUpgradeTests = suite.tests;
const test = suite.test;

const PASSWORD = "a sentence only I would write";

test("a member upgrades from Basic access to Pro with the test provider", async (context) => {
  const tracked = await openTrackedPage(context);
  const { page } = tracked;
  const basic = TIERS.BASIC_ACCESS;
  const pro = TIERS.PRO;
  try {
    const email = `e2e-upgrade-${Date.now().toString(36)}@example.test`;
    await visit(page, "/signup");
    await page.getByLabel("Name").fill("Uma Upgrade");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByLabel("Date of birth").fill("1985-05-05");
    await page.getByRole("button", { name: "Create account" }).click();
    // Sign-up logs nobody in (issue 14.6); the emailed link confirms the address and logs in.
    await expectCheckYourEmail(page, email);
    await confirmEmailFromOutbox(context, page, email);

    await visit(page, "/pricing");
    await page.getByRole("button", { name: `Subscribe to ${basic.name}` }).click();
    await page.waitForURL("**/checkout/test/membership/**");
    await page.getByRole("button", { name: "Pay (test)" }).click();
    await page.waitForURL("**/account/membership");
    await page
      .getByTestId("credit-balance")
      .getByText(`${basic.creditsPerPeriod} credits`)
      .waitFor();

    // /pricing marks the member's plan and offers the upgrade.
    await visit(page, "/pricing");
    await page.getByTestId("your-plan").waitFor();
    await screenshot(context, page, "pricing-your-plan");
    await page.getByRole("button", { name: `Upgrade to ${pro.name}` }).click();
    await page.waitForURL("**/checkout/test/upgrade/**");
    const amount = (await page.getByTestId("prorated-amount").textContent()) ?? "";
    assert.match(amount, /\$\d+\.\d\d/);
    await screenshot(context, page, "upgrade-confirm");
    await page.getByRole("button", { name: "Pay (test)" }).click();

    await page.waitForURL("**/account/membership");
    await page.getByRole("heading", { name: "Membership" }).waitFor();
    await page.getByText(pro.name, { exact: true }).first().waitFor();
    await page.getByTestId("credit-balance").getByText(`${pro.creditsPerPeriod} credits`).waitFor();
    await visit(page, "/account/membership/credits");
    const adjustment = page.getByTestId("ledger").locator('tr[data-type="ADJUSTMENT"]');
    await adjustment.waitFor();
    const extra = pro.creditsPerPeriod - basic.creditsPerPeriod;
    assert.match((await adjustment.textContent()) ?? "", new RegExp(`Upgrade to ${pro.name}`));
    assert.match((await adjustment.textContent()) ?? "", new RegExp(`\\+${extra}`));
    await screenshot(context, page, "membership-upgraded");
    assertNoBrowserIssues(tracked);
  } finally {
    await tracked.close();
  }
});
