/**
 * Browser helpers for the journeys: a page that records everything that went wrong in it
 * (console errors, uncaught exceptions, CSP violations, failed or 4xx/5xx requests), and
 * full-page screenshots kept as artifacts.
 */
import assert from "node:assert/strict";
import path from "node:path";
import type { Browser, Page, Response } from "playwright-core";

export interface E2EContext {
  baseURL: string;
  browser: Browser;
  /** Where screenshots go (git-ignored `test-results/e2e/`). */
  artifactsDir: string;
}

export interface TrackedPage {
  page: Page;
  /** Problems seen so far, one sentence each. */
  issues: string[];
  close(): Promise<void>;
}

/**
 * Problems that are real but harmless and owned elsewhere. Each is printed as a warning
 * whenever it shows up, never silently; remove the entry once its fix lands.
 */
const KNOWN_ISSUES: Array<{ pattern: RegExp; why: string }> = [];

const toleratedIssues = new Map<string, number>();

/** Count a known, tolerated problem; `knownIssueSummary` lists them once at the end. */
export function noteKnownIssue(description: string): void {
  toleratedIssues.set(description, (toleratedIssues.get(description) ?? 0) + 1);
}

export function knownIssueSummary(): string[] {
  return [...toleratedIssues].map(([description, times]) => `${description} (seen ${times}×)`);
}

/** Prefix the CSP listener puts on its console messages, so they are easy to spot. */
const CSP_MARKER = "[csp-violation]";

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export async function openTrackedPage(
  context: E2EContext,
  viewport: { width: number; height: number } = DESKTOP,
): Promise<TrackedPage> {
  const browserContext = await context.browser.newContext({
    baseURL: context.baseURL,
    viewport,
    // Fixed so screenshots and formatted prices do not depend on the machine.
    locale: "en-US",
    timezoneId: "UTC",
  });
  const page = await browserContext.newPage();
  const issues: string[] = [];

  // Runs before any page script; CDP-injected, so the page's own CSP does not block it.
  await page.addInitScript((marker: string) => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(
        `${marker} ${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
          `(${event.sourceFile}:${event.lineNumber})`,
      );
    });
  }, CSP_MARKER);

  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const where = message.location().url;
    issues.push(`console error: ${message.text()}${where ? ` (at ${where})` : ""}`);
  });
  page.on("pageerror", (error) => issues.push(`uncaught exception: ${error.message}`));
  page.on("requestfailed", (request) => {
    const reason = request.failure()?.errorText ?? "unknown";
    // Navigations cancel in-flight prefetches; that is not a failure of the site.
    if (reason.includes("ERR_ABORTED")) return;
    issues.push(`request failed: ${request.method()} ${request.url()} (${reason})`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) {
      issues.push(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
    }
  });

  return { page, issues, close: () => browserContext.close() };
}

/**
 * Assert the page saw no problems. `allow` lists patterns for problems the test caused on
 * purpose (an expected 404 produces a 404 response and Chrome's "Failed to load resource").
 */
export function assertNoBrowserIssues(tracked: TrackedPage, allow: RegExp[] = []): void {
  const unexpected = tracked.issues.filter((issue) => {
    if (allow.some((pattern) => pattern.test(issue))) return false;
    const known = KNOWN_ISSUES.find(({ pattern }) => pattern.test(issue));
    if (known) {
      noteKnownIssue(known.why);
      return false;
    }
    return true;
  });
  assert.deepEqual(unexpected, [], `The browser reported problems:\n  ${unexpected.join("\n  ")}`);
}

/** Navigate and insist on a response (a `goto` to the same URL with a hash can return null). */
export async function visit(page: Page, url: string): Promise<Response> {
  const response = await page.goto(url, { waitUntil: "networkidle" });
  assert.ok(response, `No response for ${url}`);
  return response;
}

export async function screenshot(context: E2EContext, page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(context.artifactsDir, `${name}.png`), fullPage: true });
}
