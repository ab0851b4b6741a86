/**
 * The studio journey (issue 11): a client requests a project → staff accept it and move it to
 * BUILD → the client uses the build revision and buys an EXTRA_REVISION with credits → staff
 * approve, start and complete it → the client sees the extra revision, the ledger row and the
 * timeline. The project page and the staff pages must also fit a 390 px phone.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { demoEmail, demoPassword } from "#db/demo-data";
import { ADD_ONS } from "~/domain/projects/add-ons";
import {
  assertNoBrowserIssues,
  openTrackedPage,
  PHONE,
  screenshot,
  visit,
  type E2EContext,
} from "./browser";
import { logInAsStaff } from "./outbox";
import { createSuite } from "./runner";

const suite = createSuite<E2EContext>();
export const studioTests = suite.tests;
const test = suite.test;

async function logIn(page: Page, role: "USER" | "ADMIN" | "OWNER") {
  if (role !== "USER") return logInAsStaff(page, demoEmail(role), demoPassword(role));
  await visit(page, "/login");
  await page.getByLabel("Email").fill(demoEmail(role));
  await page.getByLabel("Password").fill(demoPassword(role));
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

/** How far the page sticks out past the phone's width (0 when it fits). */
async function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
}

const isoDay = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

test("studio: a client's project goes from request to BUILD; an extra revision is bought and delivered", async (context) => {
  const client = await openTrackedPage(context);
  const staff = await openTrackedPage(context);
  const phone = await openTrackedPage(context, PHONE);
  const title = `Bakery relaunch ${Date.now().toString(36)}`;
  const extra = ADD_ONS.EXTRA_REVISION;
  try {
    // The client asks for a project.
    const page = client.page;
    await logIn(page, "USER");
    await visit(page, "/account/projects");
    await page.getByRole("link", { name: "Request a project" }).first().click();
    await page.waitForURL("**/account/projects/new");
    await page.getByLabel("Name").fill(title);
    await page.getByLabel("Category").selectOption("WEB_DEVELOPMENT");
    await page.getByLabel("Description").fill("Menu, opening hours and orders for collection.");
    await page.getByLabel("Desired deadline").fill(isoDay(45));
    await page.getByRole("button", { name: "Request project" }).click();
    await page.waitForURL(/\/account\/projects\/(?!new$)[a-z0-9]+$/);
    const projectPath = new URL(page.url()).pathname;
    const projectId = projectPath.split("/").at(-1)!;
    await page.getByText("Awaiting review").first().waitFor();
    await screenshot(context, page, "studio-requested");

    // Staff accept it and move it to BUILD.
    const admin = staff.page;
    await logIn(admin, "ADMIN");
    await visit(admin, "/admin/projects");
    await admin.getByRole("link", { name: title }).click();
    await admin.waitForURL(`**/admin/projects/${projectId}`);
    const accept = admin.getByRole("form", { name: "Accept the request" });
    await accept.getByLabel("Scope").fill("Home, menu, orders, contact.");
    await accept
      .getByLabel("Approved features (one per line)")
      .fill("Online menu\nCollection orders");
    await accept.getByRole("button", { name: "Accept project" }).click();
    await admin.getByRole("button", { name: "Move to Build" }).waitFor();
    await admin.getByRole("button", { name: "Move to Build" }).click();
    await admin.getByTestId("project-phase").getByText("Build").waitFor();
    await screenshot(context, admin, "studio-admin-build");

    // The client uses the one BUILD revision, then buys an extra one with credits.
    await visit(page, projectPath);
    await page.getByTestId("project-phase").getByText("Build").waitFor();
    await page.getByLabel(/What should change\?/).fill("Put the opening hours at the top.");
    await page.getByRole("button", { name: "Ask for a revision" }).click();
    await page.getByTestId("extra-revision-offer").waitFor();
    const balanceBefore = Number(
      (await page.getByTestId("project-balance").textContent())?.match(/(\d+) credits/)?.[1],
    );
    await page
      .getByRole("button", { name: `Buy an extra revision (${extra.credits} credits)` })
      .click();
    await page
      .getByTestId("add-ons")
      .locator('li[data-type="EXTRA_REVISION"][data-status="PENDING"]')
      .waitFor();
    await page
      .getByTestId("project-balance")
      .getByText(`${balanceBefore - extra.credits!} credits`)
      .waitFor();
    await screenshot(context, page, "studio-extra-revision-bought");

    // Staff approve, start and complete it from the queue.
    await visit(admin, "/admin/add-ons?status=PENDING");
    for (const [button, from, to] of [
      ["Approve", "PENDING", "APPROVED"],
      ["Start", "APPROVED", "IN_PROGRESS"],
      ["Complete", "IN_PROGRESS", "COMPLETED"],
    ] as const) {
      const entry = (status: string) =>
        admin
          .getByTestId("add-on-queue")
          .locator(`li[data-status="${status}"]`, { hasText: title });
      await entry(from).getByRole("button", { name: button, exact: true }).click();
      await entry(to).waitFor();
    }
    await admin.getByText("One more BUILD revision allowed.").first().waitFor();
    await screenshot(context, admin, "studio-admin-add-on-completed");

    // The client sees the extra revision, the ledger row and the timeline.
    await visit(page, projectPath);
    const buildRow = page.getByTestId("revisions").locator('tr[data-phase="BUILD"]');
    assert.deepEqual(
      (await buildRow.locator("td").allTextContents()).map((cell) => cell.trim()),
      ["1", "2", "1"],
      "BUILD: 1 used, 2 allowed, 1 left",
    );
    await page.getByRole("button", { name: "Ask for a revision" }).waitFor();
    await page
      .getByTestId("add-ons")
      .locator('li[data-type="EXTRA_REVISION"][data-status="COMPLETED"]')
      .waitFor();
    const timeline = page.getByTestId("phase-timeline");
    assert.deepEqual(
      await timeline
        .locator("li")
        .evaluateAll((items) => items.map((item) => item.getAttribute("data-phase"))),
      ["DESIGN", "BUILD"],
    );
    await page.getByTestId("project-history").getByText("Extra revision completed").waitFor();
    await screenshot(context, page, "studio-extra-revision-delivered");
    await visit(page, "/account/membership/credits");
    await page
      .getByTestId("ledger")
      .locator('tr[data-type="USAGE"]', { hasText: `${extra.name} (add-on) for ${title}` })
      .waitFor();

    // The studio pages fit a phone.
    await logIn(phone.page, "USER");
    for (const path of ["/account/projects", projectPath, "/account/projects/new"]) {
      await visit(phone.page, path);
      await screenshot(context, phone.page, `studio-phone-${path.split("/").at(-1)}`);
      assert.equal(await sidewaysOverflow(phone.page), 0, `${path} fits a 390 px phone`);
    }

    assertNoBrowserIssues(client);
    assertNoBrowserIssues(staff);
    assertNoBrowserIssues(phone);
  } finally {
    await client.close();
    await staff.close();
    await phone.close();
  }
});

test("studio: the staff pages fit a phone", async (context) => {
  const tracked = await openTrackedPage(context, PHONE);
  try {
    const { page } = tracked;
    // OWNER, so this test's TOTP code never collides with the journey's ADMIN log-in.
    await logIn(page, "OWNER");
    await visit(page, "/admin/projects");
    const first = page.getByTestId("admin-projects").getByRole("link").first();
    const href = await first.getAttribute("href");
    assert.ok(href, "the demo data has projects");
    for (const path of ["/admin/projects", href, "/admin/add-ons"]) {
      await visit(page, path);
      await screenshot(context, page, `studio-admin-phone-${path.split("/").at(-1)}`);
      assert.equal(await sidewaysOverflow(page), 0, `${path} fits a 390 px phone`);
    }
    assertNoBrowserIssues(tracked);
  } finally {
    await tracked.close();
  }
});
