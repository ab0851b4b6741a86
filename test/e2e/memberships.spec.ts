/**
 * The membership journey (issue 6): a new customer subscribes to Pro with the test payment
 * provider, sees their credits, and after the hourly cron runs past the period's end (fired
 * through wrangler's /cdn-cgi/local/scheduled endpoint with a `time`), finds the rollover in
 * the ledger and on the chart.
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
export const membershipTests = suite.tests;
const test = suite.test;

const PASSWORD = "a sentence only I would write";
const DAY = 86_400_000;

test("a customer subscribes with the test provider, and the cron renews with a rollover", async (context) => {
  const tracked = await openTrackedPage(context);
  const { page } = tracked;
  const pro = TIERS.PRO;
  try {
    const email = `e2e-member-${Date.now().toString(36)}@example.test`;
    await visit(page, "/signup");
    await page.getByLabel("Name").fill("Mia Member");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByLabel("Date of birth").fill("1988-03-03");
    await page.getByRole("button", { name: "Create account" }).click();
    // Sign-up logs nobody in (issue 14.6); the emailed link confirms the address and logs in.
    await expectCheckYourEmail(page, email);
    await confirmEmailFromOutbox(context, page, email);

    await visit(page, "/pricing");
    await page.getByRole("heading", { name: "Compare the tiers" }).waitFor();
    await screenshot(context, page, "pricing");
    await page.getByRole("button", { name: `Subscribe to ${pro.name}` }).click();
    await page.waitForURL("**/checkout/test/membership/**");
    await page.getByRole("button", { name: "Pay (test)" }).click();

    await page.waitForURL("**/account/membership");
    await page.getByTestId("credit-balance").getByText(`${pro.creditsPerPeriod} credits`).waitFor();
    await screenshot(context, page, "membership-subscribed");
    // The ledger is one tab away (its own page, with its own JavaScript).
    await page
      .getByRole("navigation", { name: "Membership" })
      .getByRole("link", { name: "Credit history" })
      .click();
    await page.waitForURL("**/account/membership/credits");
    await page.locator('[data-testid="ledger"] tr[data-type="INITIAL_ALLOCATION"]').waitFor();

    // The hourly cron, fired for a time an hour past the end of the first period.
    const tick = Date.now() + (pro.periodDays * DAY + 60 * 60 * 1000);
    const fired = await fetch(
      `${context.baseURL}/cdn-cgi/local/scheduled?${new URLSearchParams({ cron: "0 * * * *", time: String(tick), format: "json" })}`,
    );
    assert.equal(fired.status, 200, `the scheduled handler failed: ${await fired.text()}`);

    // The cron's "now" is a month ahead, so the session job may have ended this session.
    await visit(page, "/account/membership");
    if (new URL(page.url()).pathname === "/login") {
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.waitForURL("**/account**");
      await visit(page, "/account/membership");
    }
    const carried = Math.min(pro.creditsPerPeriod, pro.rolloverCap);
    await page
      .getByTestId("credit-balance")
      .getByText(`${carried + pro.creditsPerPeriod} credits`)
      .waitFor();
    await visit(page, "/account/membership/credits");
    const ledger = page.getByTestId("ledger");
    const rollover = ledger.locator('tr[data-type="ROLLOVER"]');
    await rollover.waitFor();
    assert.match((await rollover.textContent()) ?? "", new RegExp(`\\+${carried}`));
    await ledger.locator('tr[data-type="RENEWAL"]').waitFor();
    const chart = page.getByTestId("credits-chart");
    assert.equal(await chart.locator('circle[data-type="ROLLOVER"]').count(), 1);
    await chart.getByText("Chart data as a table").click();
    await chart.locator("td", { hasText: "Rollover" }).first().waitFor();
    await screenshot(context, page, "membership-renewed");
    assertNoBrowserIssues(tracked);
  } finally {
    await tracked.close();
  }
});
