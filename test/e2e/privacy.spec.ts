/**
 * Privacy journeys (issue 13 items 6 and 7): a member exports their data (a JSON file that
 * parses and is theirs), asks to delete their account (logged out at once), and logging in
 * again within the grace period cancels the deletion, which the page says.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import {
  assertNoBrowserIssues,
  openTrackedPage,
  PHONE,
  screenshot,
  visit,
  type E2EContext,
} from "./browser";
import { confirmEmailFromOutbox, expectCheckYourEmail } from "./outbox";
import { createSuite } from "./runner";

const suite = createSuite<E2EContext>();
export const privacyTests = suite.tests;
const test = suite.test;

const PASSWORD = "a sentence only I would write";

/** Sign up, then log in through the emailed link (sign-up itself logs nobody in). */
async function signUp(context: E2EContext, page: Page, email: string): Promise<void> {
  await visit(page, "/signup");
  await page.getByLabel("Name").fill("Pia Private");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("Date of birth").fill("1988-02-03");
  await page.getByRole("button", { name: "Create account" }).click();
  await expectCheckYourEmail(page, email);
  await confirmEmailFromOutbox(context, page, email);
}

test("privacy: a member exports their data, asks to delete the account, and logging in cancels it", async (context) => {
  const tracked = await openTrackedPage(context);
  const { page } = tracked;
  try {
    const email = `e2e-privacy-${Date.now().toString(36)}@example.test`;
    await signUp(context, page, email);

    await page
      .getByRole("navigation", { name: "Account" })
      .getByRole("link", { name: "Privacy" })
      .click();
    await page.waitForURL("**/account/privacy");
    await page.getByRole("heading", { name: "Delete my account" }).waitFor();
    await screenshot(context, page, "account-privacy");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Export my data" }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^studio-store-my-data-\d{4}-\d{2}-\d{2}\.json$/);
    const exported = JSON.parse(await readFile(await download.path(), "utf8")) as {
      profile: { email: string; name: string };
      auditTrail: Array<{ action: string }>;
    };
    assert.equal(exported.profile.email, email);
    assert.ok(exported.auditTrail.some((row) => row.action === "USER_SIGNED_UP"));

    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByLabel("Type DELETE to confirm").fill("DELETE");
    await page.getByRole("button", { name: "Delete my account" }).click();
    await page.waitForURL("**/login");
    await page
      .getByText(/Your account will be deleted on .*Log in before then to cancel\./)
      .waitFor();
    await screenshot(context, page, "account-deletion-requested");

    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL("**/account");
    await page.getByText("Your account deletion was cancelled").waitFor();
    await screenshot(context, page, "account-deletion-cancelled");
    assertNoBrowserIssues(tracked);
  } finally {
    await tracked.close();
  }
});

test("privacy: the page fits a phone without sideways scrolling", async (context) => {
  const tracked = await openTrackedPage(context, PHONE);
  const { page } = tracked;
  try {
    await signUp(context, page, `e2e-privacy-phone-${Date.now().toString(36)}@example.test`);
    await visit(page, "/account/privacy");
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
    await screenshot(context, page, "account-privacy-phone");
    assertNoBrowserIssues(tracked);
  } finally {
    await tracked.close();
  }
});
