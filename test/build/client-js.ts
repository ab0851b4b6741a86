/**
 * Client JavaScript per page (issue 17, item 4): what a first visit of a URL loads, read from
 * the client build's assets manifest (`public/build/manifest-*.js`, `window.__remixManifest`).
 *
 * A first visit loads the entry module, the root route and every route matching the URL, each
 * with its imports, and whatever those files import statically in turn (`import … from
 * "/build/…"`); each file counts once per page. Dynamic `import()`s load later, not on the
 * first visit. The manifest file itself is not loaded: with lazy route discovery the document
 * inlines the matched routes' part of it.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";

export interface ManifestRoute {
  id: string;
  parentId?: string;
  path?: string;
  index?: boolean;
  module: string;
  imports?: string[];
}

export interface AssetsManifest {
  entry: { module: string; imports?: string[] };
  routes: Record<string, ManifestRoute>;
}

export interface PageJs {
  path: string;
  /** Route ids matched, root first. */
  routes: string[];
  /** Every file a first visit loads, as the manifest names them (`/build/…`). */
  files: string[];
  raw: number;
  gzip: number;
  /** Customer pages have a budget; staff pages (`/admin`) are only reported. */
  customer: boolean;
}

/** Customer pages must stay within this much JavaScript, gzip: 90 KiB (90 × 1024 bytes). */
export const CUSTOMER_PAGE_BUDGET_BYTES = 90 * 1024;

/** `window.__remixManifest={…}` → the object. */
export function parseManifest(source: string): AssetsManifest {
  const start = source.indexOf("{");
  const end = source.lastIndexOf("}");
  if (start < 0 || end < start) throw new Error("Not an assets manifest");
  return JSON.parse(source.slice(start, end + 1)) as AssetsManifest;
}

const segments = (value: string) => value.split("/").filter(Boolean);

/** The routes from the root down to `id`. */
function branchOf(manifest: AssetsManifest, id: string): ManifestRoute[] {
  const branch: ManifestRoute[] = [];
  for (let route = manifest.routes[id]; route; route = manifest.routes[route.parentId ?? ""]) {
    branch.unshift(route);
  }
  return branch;
}

/**
 * The routes matching `pathname`, root first, ranked like React Router: the matching leaf with
 * the most static segments wins, then the fewest dynamic ones, and a splat loses to anything.
 * Only leaves are candidates (an index route stands for its parent's exact path); a layout
 * route with no matching child is not a page here.
 */
export function matchRoutes(manifest: AssetsManifest, pathname: string): string[] {
  const wanted = segments(pathname);
  const parents = new Set(Object.values(manifest.routes).map((route) => route.parentId));
  let best: { score: number; ids: string[] } | null = null;
  for (const route of Object.values(manifest.routes)) {
    if (parents.has(route.id)) continue;
    const branch = branchOf(manifest, route.id);
    const pattern = branch.flatMap((entry) => segments(entry.path ?? ""));
    let score = 0;
    let matched = true;
    for (let at = 0; at < Math.max(pattern.length, wanted.length); at++) {
      const part = pattern[at];
      if (part === "*") {
        score += 1;
        break;
      }
      if (part === undefined || wanted[at] === undefined) {
        matched = false;
        break;
      }
      if (part.startsWith(":")) score += 3;
      else if (part === wanted[at]) score += 10;
      else {
        matched = false;
        break;
      }
    }
    if (route.index) score += 2;
    if (matched && (!best || score > best.score)) {
      best = { score, ids: branch.map((entry) => entry.id) };
    }
  }
  if (!best) throw new Error(`No route matches ${pathname}`);
  return best.ids;
}

/** Static imports of a built module: `import … from"/build/…"` and bare `import"/build/…"`. */
export function staticImports(source: string): string[] {
  const found = new Set<string>();
  for (const match of source.matchAll(/(?:\bfrom|\bimport)\s*["'](\/build\/[^"']+\.js)["']/g)) {
    found.add(match[1]!);
  }
  return [...found];
}

/**
 * Every file a first visit loads for these routes: the entry, each route's module and imports,
 * and their static imports, transitively; each file once, in first-seen order.
 */
export function filesForRoutes(
  manifest: AssetsManifest,
  routeIds: string[],
  importsOf: (file: string) => string[],
): string[] {
  const seen = new Set<string>();
  const queue: string[] = [manifest.entry.module, ...(manifest.entry.imports ?? [])];
  for (const id of routeIds) {
    const route = manifest.routes[id];
    if (!route) throw new Error(`No route ${id} in the manifest`);
    queue.push(route.module, ...(route.imports ?? []));
  }
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    queue.push(...importsOf(file));
  }
  return [...seen];
}

/** The pages issue 17 reports; `customer: false` for staff pages (no budget). */
/**
 * The pages reported: issue 17's six, and the membership's credit history and team pages,
 * which hold what /account/membership carried before it was split (so its weight did not just
 * move). Every customer page is held to the 90 KiB budget.
 */
export const REPORTED_PAGES: ReadonlyArray<ReportedPage> = [
  { path: "/", customer: true },
  { path: "/products", customer: true },
  { path: "/products/ledger-ui-kit", customer: true },
  { path: "/account/licenses", customer: true },
  { path: "/account/membership", customer: true },
  { path: "/account/membership/credits", customer: true },
  { path: "/account/membership/team", customer: true },
  { path: "/admin", customer: false },
];

export interface ReportedPage {
  path: string;
  customer: boolean;
}

/** The limit the check enforces for a page: the budget for a customer page, none for staff. */
export function limitBytes(page: ReportedPage): number | null {
  return page.customer ? CUSTOMER_PAGE_BUDGET_BYTES : null;
}

/** Client JS per page from a client build directory (`public/build`). */
export async function clientJsPerPage(
  buildDir: string,
  pages: ReadonlyArray<ReportedPage> = REPORTED_PAGES,
): Promise<PageJs[]> {
  const manifestFile = (await readdir(buildDir)).find((name) => /^manifest-.+\.js$/.test(name));
  if (!manifestFile) throw new Error(`No manifest-*.js in ${buildDir}: run npm run build`);
  const manifest = parseManifest(await readFile(path.join(buildDir, manifestFile), "utf8"));
  const sources = new Map<string, Buffer>();
  const read = async (file: string) => {
    if (!sources.has(file)) {
      sources.set(file, await readFile(path.join(buildDir, file.replace(/^\/build\//, ""))));
    }
    return sources.get(file)!;
  };
  // Read every file reachable from the manifest first, so the walk itself is synchronous.
  const pending = [
    manifest.entry.module,
    ...(manifest.entry.imports ?? []),
    ...Object.values(manifest.routes).flatMap((route) => [route.module, ...(route.imports ?? [])]),
  ];
  while (pending.length > 0) {
    const file = pending.shift()!;
    if (sources.has(file)) continue;
    pending.push(...staticImports((await read(file)).toString("utf8")));
  }
  const gzipped = new Map<string, number>();
  const gzipOf = (file: string) => {
    if (!gzipped.has(file)) gzipped.set(file, gzipSync(sources.get(file)!).byteLength);
    return gzipped.get(file)!;
  };
  return pages.map((page) => {
    const routes = matchRoutes(manifest, page.path);
    const files = filesForRoutes(manifest, routes, (file) =>
      staticImports(sources.get(file)?.toString("utf8") ?? ""),
    );
    return {
      path: page.path,
      routes,
      files,
      raw: files.reduce((sum, file) => sum + sources.get(file)!.byteLength, 0),
      gzip: files.reduce((sum, file) => sum + gzipOf(file), 0),
      customer: page.customer,
    };
  });
}
