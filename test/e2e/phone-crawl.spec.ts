/**
 * Every page each demo role can reach, crawled from its start pages by following links: at
 * 360, 390 and 768 px no page is wider than the screen, and at 1280 px axe-core (WCAG 2.1 A
 * and AA) finds nothing serious or critical. One page load per URL; the viewport is resized
 * for the widths, then axe runs.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type AxeCore from "axe-core";
import type { Page } from "playwright-core";
import { DEMO_SECOND_CLIENT, demoEmail, demoPassword } from "#db/demo-data";
import type { UserRole } from "#db/schema/enums";
import { openTrackedPage, visit, type E2EContext } from "./browser";
import { REPO_ROOT } from "./local-stack";
import { logInAsStaff } from "./outbox";
import { createSuite } from "./runner";

const suite = createSuite<E2EContext>();
export const phoneCrawlTests = suite.tests;
const test = suite.test;

export const CRAWL_WIDTHS = [360, 390, 768] as const;
const AXE_VIEWPORT = { width: 1280, height: 800 };
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
/** Enough for every kind of page a role sees; pages are counted per route and query shape. */
const MAX_PAGES_PER_ROLE = 60;

/** Route patterns with no page to look at, or whose GET is not for browsing. */
const SKIPPED_ROUTES = [/^\/logout$/, /download/, /^\/checkout\/test\//, /:token$/];

interface Role {
  name: string;
  start: string[];
  logIn?: (page: Page) => Promise<void>;
  /** Only paths like this are crawled (default: all). */
  scope?: RegExp;
  /**
   * Paths whose `?status=…`-style variants count as pages of their own (filtered lists show
   * other rows); elsewhere one URL per route. Default: none.
   */
  queryVariants?: RegExp;
}

async function logInWithPassword(page: Page, email: string, password: string): Promise<void> {
  await visit(page, "/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

const STAFF: UserRole[] = ["ADMIN", "MODERATOR", "EDITOR", "VIEWER"];
const ADMIN_PAGES = /^\/admin(\/|$)/;

export const CRAWL_ROLES: Role[] = [
  { name: "anonymous", start: ["/"], queryVariants: /^/ },
  // Customers and the owner: the catalog's filtered lists are the anonymous visitor's.
  {
    name: demoEmail("USER"),
    start: ["/", "/account"],
    logIn: (page) => logInWithPassword(page, demoEmail("USER"), demoPassword("USER")),
  },
  {
    name: DEMO_SECOND_CLIENT.email,
    start: ["/", "/account"],
    logIn: (page) => logInWithPassword(page, DEMO_SECOND_CLIENT.email, DEMO_SECOND_CLIENT.password),
  },
  {
    name: demoEmail("OWNER"),
    start: ["/", "/account", "/admin"],
    queryVariants: ADMIN_PAGES,
    logIn: (page) => logInAsStaff(page, demoEmail("OWNER"), demoPassword("OWNER")),
  },
  /*
   * The other staff roles see the owner's pages with fewer actions: their admin area, one page
   * per route, is crawled (the public and account pages are the same as for any account).
   */
  ...STAFF.map((role) => ({
    name: demoEmail(role),
    start: ["/admin"],
    scope: ADMIN_PAGES,
    logIn: (page: Page) => logInAsStaff(page, demoEmail(role), demoPassword(role)),
  })),
];

/**
 * The app's URL patterns from its route files (Remix flat routes), e.g.
 * `account.licenses.$licenseId_.download.tsx` → `/account/licenses/:licenseId/download`.
 * Resource routes (`.ts`) are files and exports, not pages.
 */
function routePatterns(): string[][] {
  return readdirSync(path.join(REPO_ROOT, "app", "routes"))
    .filter((file) => file.endsWith(".tsx"))
    .map((file) =>
      file
        .replace(/\.tsx$/, "")
        .split(".")
        .filter((segment) => segment !== "_index" && !segment.startsWith("__"))
        .map((segment) => segment.replace(/_$/, ""))
        .filter((segment) => !(segment.startsWith("_") && segment !== "_"))
        .map((segment) =>
          segment === "$" ? "*" : segment.startsWith("$") ? `:${segment.slice(1)}` : segment,
        ),
    );
}

const PATTERNS = routePatterns();

/** The route a path belongs to (the most specific match), or null for a 404. */
export function routeOf(pathname: string): string | null {
  const parts = pathname.split("/").filter(Boolean);
  let best: { pattern: string[]; score: number } | null = null;
  for (const pattern of PATTERNS) {
    if (pattern.length === 0 && parts.length > 0) continue;
    let score = 0;
    let matches = true;
    for (let index = 0; index < pattern.length; index += 1) {
      const segment = pattern[index]!;
      if (segment === "*") {
        score -= 100;
        break;
      }
      const part = parts[index];
      if (part === undefined) matches = false;
      else if (segment.startsWith(":")) score += 1;
      else if (segment === part) score += 2;
      else matches = false;
      if (!matches) break;
      if (index === pattern.length - 1 && parts.length !== pattern.length) matches = false;
    }
    if (pattern.at(-1) !== "*" && pattern.length !== parts.length) matches = false;
    if (matches && (!best || score > best.score)) best = { pattern, score };
  }
  if (!best || best.pattern.at(-1) === "*") return null;
  return `/${best.pattern.join("/")}`;
}

/** Pages count as "the same kind" when they share a route and the names of their query. */
function pageKind(url: URL, queryVariants: RegExp | undefined): string | null {
  const route = routeOf(url.pathname);
  if (route === null || SKIPPED_ROUTES.some((pattern) => pattern.test(route))) return null;
  const keys = queryVariants?.test(url.pathname)
    ? [...new Set(url.searchParams.keys())].sort()
    : [];
  return keys.length > 0 ? `${route}?${keys.join("&")}` : route;
}

/** The same-origin links a page offers for browsing (no downloads, no new windows). */
async function linksOn(page: Page): Promise<string[]> {
  return page.$$eval("a[href]", (anchors) =>
    anchors
      .map((anchor) => anchor as HTMLAnchorElement)
      .filter((anchor) => !anchor.hasAttribute("download") && anchor.target !== "_blank")
      .map((anchor) => anchor.href),
  );
}

interface Overflow {
  scrollWidth: number;
  innerWidth: number;
  widest: string;
}

/**
 * `null` when the page fits; otherwise how wide it is and the elements sticking out whose
 * parent does not (the ones to fix), widest first.
 */
async function measureOverflow(page: Page): Promise<Overflow | null> {
  return page.evaluate(() => {
    const root = document.documentElement;
    if (root.scrollWidth <= window.innerWidth) return null;
    const limit = root.clientWidth + 0.5;
    const clipsSideways = (element: Element) => getComputedStyle(element).overflowX !== "visible";
    const sticksOut = (element: Element) => {
      if (element.getBoundingClientRect().right <= limit) return false;
      for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
        if (clipsSideways(up)) return false;
      }
      return true;
    };
    const describe = (element: Element) => {
      const id = element.id ? `#${element.id}` : "";
      const classes = [...element.classList].map((name) => `.${name}`).join("");
      const text = (element.textContent ?? "").replace(/\s+/g, " ").trim().slice(0, 40);
      const right = Math.round(element.getBoundingClientRect().right);
      return `<${element.tagName.toLowerCase()}${id}${classes}> ends at ${right}px${text ? ` ("${text}")` : ""}`;
    };
    const culprits = [...document.querySelectorAll("body *")]
      .filter((element) => sticksOut(element))
      .filter((element) => !element.parentElement || !sticksOut(element.parentElement))
      .sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right);
    return {
      scrollWidth: root.scrollWidth,
      innerWidth: window.innerWidth,
      widest: culprits.slice(0, 3).map(describe).join("; ") || "nothing measurable",
    };
  });
}

let axeSource: string | undefined;

/**
 * Serious and critical axe-core violations, one line each. The house CSP refuses inline
 * scripts, so the source is evaluated through the DevTools protocol instead of a tag.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  const loaded = await page.evaluate(() => "axe" in window);
  if (!loaded) await page.evaluate(axeSource);
  return page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: typeof AxeCore }).axe;
    const results = await axe.run(document, {
      runOnly: { type: "tag", values: tags },
      resultTypes: ["violations"],
    });
    return results.violations
      .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
      .flatMap((violation) =>
        violation.nodes.map(
          (node) =>
            `${violation.id} (${violation.impact}) at ${node.target.join(" ")}: ${violation.help}`,
        ),
      );
  }, AXE_TAGS);
}

/** Wait until React has hydrated, so what is measured is what a visitor sees. */
async function waitForHydration(page: Page): Promise<void> {
  await page
    .waitForFunction(
      () => {
        const main = document.querySelector("main");
        return main !== null && Object.keys(main).some((key) => key.startsWith("__reactFiber"));
      },
      undefined,
      { timeout: 5_000 },
    )
    .catch(() => undefined);
}

/** Tabs crawling one role's queue side by side (a page load mostly waits on the Worker). */
const TABS = 2;

for (const role of CRAWL_ROLES) {
  test(`phone crawl: every page ${role.name} reaches fits 360/390/768 px and passes axe`, async (context) => {
    const tracked = await openTrackedPage(context, AXE_VIEWPORT);
    const origin = new URL(context.baseURL).origin;
    const problems: string[] = [];
    const seen = new Set<string>();
    const queue: string[] = [];
    const enqueue = (href: string) => {
      let url: URL;
      try {
        url = new URL(href, origin);
      } catch {
        return;
      }
      if (url.origin !== origin || !(role.scope ?? /^/).test(url.pathname)) return;
      const kind = pageKind(url, role.queryVariants);
      if (kind === null || seen.has(kind)) return;
      seen.add(kind);
      queue.push(`${url.pathname}${url.search}`);
    };
    let visited = 0;

    async function check(page: Page, url: string): Promise<void> {
      await page.setViewportSize(AXE_VIEWPORT);
      const response = await page.goto(url, { waitUntil: "load" });
      const status = response?.status() ?? 0;
      if (status >= 400) {
        problems.push(`${url}: a link leads to HTTP ${status}`);
        return;
      }
      await waitForHydration(page);
      for (const href of await linksOn(page)) enqueue(href);
      for (const violation of await axeViolations(page)) problems.push(`${url}: ${violation}`);
      for (const width of CRAWL_WIDTHS) {
        await page.setViewportSize({ width, height: 800 });
        const overflow = await measureOverflow(page);
        if (overflow) {
          problems.push(
            `${url} at ${width} px is ${overflow.scrollWidth} px wide; sticking out: ${overflow.widest}`,
          );
        }
      }
    }

    async function crawl(page: Page): Promise<void> {
      for (;;) {
        const url = queue.shift();
        if (url === undefined) {
          // Another tab may still be adding links; wait for it before giving up.
          if (busy === 0) return;
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        if (visited >= MAX_PAGES_PER_ROLE) return;
        visited += 1;
        busy += 1;
        try {
          await check(page, url);
        } finally {
          busy -= 1;
        }
      }
    }
    let busy = 0;

    try {
      await role.logIn?.(tracked.page);
      for (const start of role.start) enqueue(start);
      const tabs = [tracked.page];
      for (let tab = 1; tab < TABS; tab += 1) tabs.push(await tracked.page.context().newPage());
      await Promise.all(tabs.map((page) => crawl(page)));
      console.log(
        `      ${role.name}: ${visited} pages` +
          (queue.length > 0 ? `; not visited (cap ${MAX_PAGES_PER_ROLE}): ${queue.join(" ")}` : ""),
      );
      assert.ok(
        problems.length === 0,
        `${problems.length} problems for ${role.name}:\n  ${problems.join("\n  ")}`,
      );
    } finally {
      await tracked.close();
    }
  });
}
