/**
 * Reading an emailed link the way a developer does locally: staff open /admin/outbox (in
 * development the links in bodies are shown whole) and copy it. Used to confirm the address
 * of an account a journey just signed up: sign-up only says "Check your email" (the same for a
 * new and a taken address), and the link's button is what logs the new account in.
 */
import assert from "node:assert/strict";
import type { BrowserContext, Page } from "playwright-core";
import { DEMO_TWO_FACTOR_SECRET } from "#db/demo-data";
import { totpCode, totpStep } from "~/domain/auth/totp";
import { openTrackedPage, visit, type E2EContext } from "./browser";

/** The TOTP step each demo account last logged in with during this run. */
const lastSteps = new Map<string, number>();

/**
 * Log a demo staff member in with their TOTP code. Each code works once per account, so a step
 * this run already used for the account is waited out (a refused code is a 400 the journeys'
 * browser checks would report); should the app still say "just used", the next step's code is
 * used.
 */
export async function logInAsStaff(page: Page, email: string, password: string): Promise<void> {
  await visit(page, "/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL("**/login/2fa**");
  let usedStep = Math.max(totpStep(Date.now()) - 1, lastSteps.get(email) ?? -1);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    while (totpStep(Date.now()) <= usedStep) await new Promise((done) => setTimeout(done, 500));
    usedStep = totpStep(Date.now());
    lastSteps.set(email, usedStep);
    await page
      .getByRole("textbox", { name: "Code" })
      .fill(await totpCode(DEMO_TWO_FACTOR_SECRET, Date.now()));
    await page.getByRole("button", { name: "Continue" }).click();
    await Promise.race([
      page.waitForURL((url) => !url.pathname.startsWith("/login")).catch(() => undefined),
      page
        .getByText("just used")
        .waitFor()
        .catch(() => undefined),
    ]);
    if (!new URL(page.url()).pathname.startsWith("/login")) break;
  }
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

/**
 * The owner's cookies after their last log-in here. A TOTP code works once per account, so a
 * fresh log-in for every emailed link waited up to 30 s for the next code; the journeys that
 * read several links now share one staff session, and log in again only when it has ended.
 */
let ownerCookies: Awaited<ReturnType<BrowserContext["cookies"]>> | null = null;

async function openOutboxAsOwner(page: Page): Promise<void> {
  if (ownerCookies) {
    await page.context().addCookies(ownerCookies);
    await visit(page, "/admin/outbox");
    if (!new URL(page.url()).pathname.startsWith("/login")) return;
  }
  await logInAsStaff(page, "owner@demo.test", "demo-password-owner");
  ownerCookies = await page.context().cookies();
  await visit(page, "/admin/outbox");
}

/** The path of the newest emailed link to `email` whose subject matches `subject`. */
export async function linkFromOutbox(
  context: E2EContext,
  input: { to: string; subject: RegExp; path: RegExp },
): Promise<string> {
  const staff = await openTrackedPage(context);
  const { page } = staff;
  try {
    await openOutboxAsOwner(page);
    await page
      .getByTestId("outbox")
      .locator("tr", { hasText: input.to })
      .filter({ hasText: input.subject })
      .first()
      .getByRole("link")
      .click();
    await page.waitForURL("**/admin/outbox/**");
    const body = (await page.getByTestId("email-body").textContent()) ?? "";
    const match = input.path.exec(body);
    assert.ok(match, `no link like ${input.path} in the email to ${input.to}:\n${body}`);
    return new URL(match[0]).pathname;
  } finally {
    await staff.close();
  }
}

/**
 * After sign-up's "Check your email": open the account's emailed link in its own page and press
 * the button, which confirms the address and logs the account in (it lands on /account).
 */
export async function confirmEmailFromOutbox(
  context: E2EContext,
  page: Page,
  email: string,
): Promise<void> {
  const path = await linkFromOutbox(context, {
    to: email,
    subject: /Confirm your email address/,
    path: /https?:\/\/\S+\/verify-email\/[A-Za-z0-9_-]+/,
  });
  await visit(page, path);
  await page.getByRole("button", { name: "Confirm my email" }).click();
  await page.waitForURL("**/account");
  await page.locator(".account-menu").waitFor();
}

/** Sign-up answered with its "Check your email" page, naming the address typed. */
export async function expectCheckYourEmail(page: Page, email: string): Promise<void> {
  const sent = page.getByTestId("signup-sent");
  await sent.waitFor();
  assert.ok((await sent.textContent())?.includes(email), "the page names the address typed");
}
