/**
 * The shared-membership journey (issue 15 item 1): the demo member (PRO, 3 seats) invites the
 * second demo client by email; the client logs in, opens the link from the outbox and joins;
 * spends from the pool with an add-on on their project; the owner sees the teammate's usage.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { DEMO_SECOND_CLIENT, demoEmail, demoPassword } from "#db/demo-data";
import { ADD_ONS } from "~/domain/projects/add-ons";
import {
  assertNoBrowserIssues,
  openTrackedPage,
  PHONE,
  screenshot,
  visit,
  type E2EContext,
} from "./browser";
import { linkFromOutbox } from "./outbox";
import { createSuite } from "./runner";

const suite = createSuite<E2EContext>();
export const membershipTeamTests = suite.tests;
const test = suite.test;

async function logIn(page: Page, email: string, password: string) {
  await visit(page, "/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

/** How far the page sticks out past the viewport's width (0 when it fits). */
const sidewaysOverflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

test("team membership: the owner invites a teammate, who joins and spends from the pool; the owner sees it", async (context) => {
  const ownerTab = await openTrackedPage(context);
  const mateTab = await openTrackedPage(context);
  const phone = await openTrackedPage(context, PHONE);
  const call = ADD_ONS.SUPPORT_CALL;
  try {
    // The owner invites the second client.
    const owner = ownerTab.page;
    await logIn(owner, demoEmail("USER"), demoPassword("USER"));
    // The team has its own page, one tab away from the plan.
    await visit(owner, "/account/membership");
    await owner
      .getByRole("navigation", { name: "Membership" })
      .getByRole("link", { name: "Team" })
      .click();
    await owner.waitForURL("**/account/membership/team");
    const team = owner.getByTestId("team-section");
    await team.getByText("1 of 3 seats").waitFor();
    await team.getByLabel("Email address").fill(DEMO_SECOND_CLIENT.email);
    await team.getByRole("button", { name: "Send invitation" }).click();
    await owner.getByText(`We emailed an invitation to ${DEMO_SECOND_CLIENT.email}`).waitFor();
    await team
      .getByRole("list", { name: "Invitations waiting" })
      .getByText(DEMO_SECOND_CLIENT.email)
      .waitFor();
    await screenshot(context, owner, "team-invited");

    // The teammate logs in and opens the emailed link.
    const link = await linkFromOutbox(context, {
      to: DEMO_SECOND_CLIENT.email,
      subject: /invited you to share/,
      path: /https?:\/\/\S+\/account\/membership\/join\/[A-Za-z0-9_-]+/,
    });
    const mate = mateTab.page;
    await visit(mate, link);
    await mate.waitForURL("**/login**");
    await mate.getByLabel("Email").fill(DEMO_SECOND_CLIENT.email);
    await mate.getByLabel("Password").fill(DEMO_SECOND_CLIENT.password);
    await mate.getByRole("button", { name: "Log in" }).click();
    await mate.waitForURL(`**${link}`);
    await mate.getByRole("heading", { name: /invited you to their Pro membership/ }).waitFor();
    await screenshot(context, mate, "team-join");
    await mate.getByRole("button", { name: "Join the membership" }).click();
    await mate.waitForURL("**/account/membership");
    await mate.getByText("Pool balance").waitFor();
    const before = Number(
      (await mate.getByTestId("credit-balance").textContent())?.match(/(\d+) credits/)?.[1],
    );
    assert.ok(before >= call.credits!, `the pool holds ${before} credits`);

    // The teammate spends from the pool: a support call on their project.
    await visit(mate, "/account/projects");
    await mate.locator('a[href^="/account/projects/"]:not([href$="/new"])').first().click();
    await mate.waitForURL(/\/account\/projects\/(?!new$)[a-z0-9]+$/);
    await mate.getByTestId("project-balance").getByText(`${before} credits`).waitFor();
    await mate.getByLabel("Add-on", { exact: true }).selectOption(call.type);
    await mate.getByRole("button", { name: "Request add-on" }).click();
    await mate.getByRole("status").getByText(`${call.credits} credits reserved`).waitFor();
    await visit(mate, "/account/membership");
    await mate.getByTestId("teammate-usage").getByText(String(call.credits)).waitFor();
    await mate
      .getByTestId("credit-balance")
      .getByText(`${before - call.credits!} credits`)
      .waitFor();
    await screenshot(context, mate, "team-teammate");

    // The owner sees the teammate and what they used this period.
    await visit(owner, "/account/membership/team");
    const member = owner.getByTestId("team-member").filter({ hasText: DEMO_SECOND_CLIENT.email });
    await member.getByText(`${call.credits} credits used this period`).waitFor();
    await owner.getByTestId("team-seats").getByText("2 of 3 seats").waitFor();
    await screenshot(context, owner, "team-owner");

    // At phone width the team section fits without sideways scrolling.
    await logIn(phone.page, demoEmail("USER"), demoPassword("USER"));
    await visit(phone.page, "/account/membership/team");
    await phone.page.getByTestId("team-section").waitFor();
    assert.equal(await sidewaysOverflow(phone.page), 0);
    await screenshot(context, phone.page, "team-owner-phone");

    assertNoBrowserIssues(ownerTab);
    assertNoBrowserIssues(mateTab);
    assertNoBrowserIssues(phone);
  } finally {
    await ownerTab.close();
    await mateTab.close();
    await phone.close();
  }
});
