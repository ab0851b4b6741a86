/**
 * Memoised route matching on the server (docs/decisions/0012-memoised-route-matching.md).
 *
 * Run by `npm install` (the `postinstall` script). Every Remix request called `matchRoutes` 4–5
 * times, and each call flattened and ranked all routes and compiled a RegExp per route pattern
 * it tried (~400 per request). This patches `@remix-run/router`, the matcher that the Remix
 * server runtime and React Router share, so that on the server (no `document`):
 *
 * - the flattened and ranked branches are kept per routes array (a WeakMap keyed by the array:
 *   the server runtime's route trees live as long as the isolate, RemixServer's for one render);
 * - the RegExp of each route pattern is compiled once per isolate (a bounded Map);
 * - the answer for each pathname is kept per routes array (a bounded Map), and every caller gets
 *   its own copy of it: a request still matched the same URL 4–5 times, trying ~50 branches each.
 *
 * RemixServer rebuilt its route tree on every render (`createServerRoutes`, then React Router's
 * `createStaticRouter` converting it to data routes), so the branch cache above missed on every
 * page render. Both are built once per build on the server now: `createServerRoutes` per
 * `manifest.routes` object (the build's, constant) and the data routes per routes array. These
 * two files only ever run on the server.
 *
 * Before every loader and action the server runtime copied the request twice to strip its own
 * query parameters, even from a URL with no query string: without a `?` the request itself is
 * passed on.
 *
 * In a browser `document` exists and both fall through to the original code: lazy route
 * discovery adds routes to the client's arrays in place, so a cache keyed by the array would
 * go stale there.
 *
 * Idempotent. Fails loudly when the installed versions are not the ones this patch was written
 * for, or when the text it replaces is not found: after a Remix upgrade, read the new code and
 * rewrite the patch (or drop it if Remix memoises by itself).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

export const PATCH_MARKER = "storefront-studio patch: memoised server route matching v5";
const EXPECTED = {
  "@remix-run/server-runtime": "2.17.5",
  "@remix-run/router": "1.23.3",
  "@remix-run/react": "2.17.5",
  "react-router-dom": "6.30.4",
};

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const packageDir = (name) => path.join(root, "node_modules", ...name.split("/"));

const routerDir = packageDir("@remix-run/router");

/**
 * The patched router files: `router.server.js`, a patched copy of the ESM `router.js` that only
 * the Worker bundle loads (the package's `workerd` export condition, which remix.config.js's
 * `serverConditions` lists first), and `router.cjs.js`, patched in place (what vitest loads).
 * The browser bundle keeps the untouched `router.js`: none of this code ships to a page.
 */
export const PATCHED_FILES = ["dist/router.server.js", "dist/router.cjs.js"].map((file) =>
  path.join(routerDir, file),
);
/** The untouched ESM router, for browsers, and the source of `router.server.js`. */
export const BROWSER_ROUTER_FILE = path.join(routerDir, "dist/router.js");
const ROUTER_PACKAGE_FILE = path.join(routerDir, "package.json");

/** `@remix-run/router`'s exports: the Worker build resolves `workerd` first. */
export const ROUTER_EXPORTS = {
  ".": {
    types: "./dist/index.d.ts",
    workerd: "./dist/router.server.js",
    import: "./dist/router.js",
    require: "./dist/router.cjs.js",
    default: "./dist/router.js",
  },
  "./dist/*": "./dist/*",
  "./package.json": "./package.json",
};

// matchRoutesImpl is split in two: the walk over the ranked branches becomes
// matchRankedBranches, and on the server matchRoutesImpl answers from the memo around it.
const BRANCHES_BEFORE = `  let branches = flattenRoutes(routes);
  rankRouteBranches(branches);
  let matches = null;`;
const BRANCHES_AFTER = `  if (!serverMatchingCache) return matchRankedBranches(routes, pathname, allowPartial);
  let known = serverMemo(serverMatchingCache.matches, routes, () => new Map());
  let matches = serverMemo(known, (allowPartial ? "1" : "0") + pathname, () =>
    matchRankedBranches(routes, pathname, allowPartial));
  // A fresh copy per caller, so nobody changes the kept answer; the matches of one answer
  // share one params object, as matchRouteBranch makes them.
  let params = matches && Object.assign({}, matches[0].params);
  return matches && matches.map((match) => Object.assign({}, match, { params }));
}
function matchRankedBranches(routes, pathname, allowPartial) {
  let branches = rankedBranches(routes);
  let matches = null;`;

const COMPILE_BEFORE = "function compilePath(path, caseSensitive, end) {";
const COMPILE_AFTER = "function compilePathUncached(path, caseSensitive, end) {";

const HELPERS = `
// ${PATCH_MARKER} (scripts/patch-remix-server-runtime.mjs,
// docs/decisions/0012-memoised-route-matching.md). Server only: in a browser, lazy route
// discovery mutates route arrays in place, so there everything runs as before. Kept short:
// this code ships in every page's JavaScript too.
const serverMatchingCache = typeof document === "undefined" ? {
  branches: new WeakMap(),
  paths: new Map(),
  matches: new WeakMap()
} : null;
// The value kept for key, made once; a Map holds at most 1000 (slugs and patterns are unbounded).
function serverMemo(map, key, make) {
  let value = map.get(key);
  if (value === undefined) {
    if (map.size >= 1000) map.clear();
    map.set(key, value = make());
  }
  return value;
}
function rankedBranches(routes) {
  let rank = () => {
    let branches = flattenRoutes(routes);
    rankRouteBranches(branches);
    return branches;
  };
  return serverMatchingCache ? serverMemo(serverMatchingCache.branches, routes, rank) : rank();
}
function compilePath(path, caseSensitive, end) {
  let compile = () => compilePathUncached(path, caseSensitive, end);
  return serverMatchingCache
    ? serverMemo(serverMatchingCache.paths, (caseSensitive ? "1" : "0") + (end === undefined || end ? "1" : "0") + path, compile)
    : compile();
}
`;

function installedVersion(name) {
  return JSON.parse(readFileSync(path.join(packageDir(name), "package.json"), "utf8")).version;
}

/** Any version of this patch, to tell "patched by an older script" from "another Remix". */
const ANY_PATCH_MARKER = "storefront-studio patch: memoised server route matching";

function replaceOnce(source, before, after, file) {
  const first = source.indexOf(before);
  if (source.includes(ANY_PATCH_MARKER) && !source.includes(PATCH_MARKER)) {
    throw new Error(
      `patch-remix-server-runtime: ${file} carries an older version of this patch; ` +
        "reinstall the packages (rm -rf node_modules && npm ci) to patch them afresh.",
    );
  }
  if (first === -1 || source.indexOf(before, first + 1) !== -1) {
    throw new Error(
      `patch-remix-server-runtime: expected exactly one ${JSON.stringify(before.split("\n")[0])} in ${file}; ` +
        "the installed Remix is not the one this patch was written for (docs/decisions/0012).",
    );
  }
  return source.slice(0, first) + after + source.slice(first + before.length);
}

export function patchSource(source, file) {
  if (source.includes(PATCH_MARKER)) return source;
  let patched = replaceOnce(source, BRANCHES_BEFORE, BRANCHES_AFTER, file);
  patched = replaceOnce(patched, COMPILE_BEFORE, HELPERS + COMPILE_AFTER, file);
  return patched;
}

// --- RemixServer: the route tree once per build --------------------------------------------

/** RemixServer's files: ESM (the Worker bundle) and CommonJS. */
export const REMIX_SERVER_FILES = ["dist/esm/server.js", "dist/server.js"].map((file) =>
  path.join(packageDir("@remix-run/react"), file),
);

const SERVER_ROUTES_CALL =
  /(routes\.)?createServerRoutes\(manifest\.routes, routeModules, context\.future, context\.isSpaMode\)/;

export function patchRemixServerSource(source, file) {
  if (source.includes(PATCH_MARKER)) return source;
  const call = SERVER_ROUTES_CALL.exec(source);
  if (!call || source.indexOf(call[0], call.index + 1) !== -1) {
    throw new Error(
      `patch-remix-server-runtime: expected one createServerRoutes(manifest.routes, …) call in ${file}; ` +
        "the installed Remix is not the one this patch was written for (docs/decisions/0012).",
    );
  }
  const create = `${call[1] ?? ""}createServerRoutes`;
  const helper = `
// ${PATCH_MARKER} (scripts/patch-remix-server-runtime.mjs). The build's manifest never
// changes, so its route tree is built once instead of on every render. Keyed by the manifest
// alone: the server runtime wraps the same route modules in a new object per request.
const serverRoutesCache = new WeakMap();
function serverRoutesOnce(manifestRoutes, routeModules, future, isSpaMode) {
  let cached = serverRoutesCache.get(manifestRoutes);
  if (cached && cached.future === future && cached.isSpaMode === isSpaMode) return cached.created;
  let created = ${create}(manifestRoutes, routeModules, future, isSpaMode);
  serverRoutesCache.set(manifestRoutes, { future, isSpaMode, created });
  return created;
}
`;
  const patched = source.replace(
    call[0],
    "serverRoutesOnce(manifest.routes, routeModules, context.future, context.isSpaMode)",
  );
  return replaceOnce(patched, "function RemixServer({", `${helper}function RemixServer({`, file);
}

// --- createStaticRouter: the data routes once per routes array ------------------------------

/** React Router's server entry: CommonJS (the Worker bundle) and ESM. */
export const STATIC_ROUTER_FILES = ["server.js", "server.mjs"].map((file) =>
  path.join(packageDir("react-router-dom"), file),
);

const DATA_ROUTES_LINES =
  / {2}let manifest = \{\};\n {2}let dataRoutes = ((?:router\.)?UNSAFE_convertRoutesToDataRoutes)\(routes, ((?:reactRouter\.)?UNSAFE_mapRouteProperties), undefined, manifest\);/;

export function patchStaticRouterSource(source, file) {
  if (source.includes(PATCH_MARKER)) return source;
  const lines = DATA_ROUTES_LINES.exec(source);
  if (!lines) {
    throw new Error(
      `patch-remix-server-runtime: expected createStaticRouter's data-route conversion in ${file}; ` +
        "the installed React Router is not the one this patch was written for (docs/decisions/0012).",
    );
  }
  const helper = `
// ${PATCH_MARKER} (scripts/patch-remix-server-runtime.mjs). Converting the same routes again
// on every render gave matchRoutes a new array each time; the conversion is kept per array.
const staticDataRoutesCache = new WeakMap();
function staticDataRoutes(routes) {
  let cached = staticDataRoutesCache.get(routes);
  if (!cached) {
    let manifest = {};
    let dataRoutes = ${lines[1]}(routes, ${lines[2]}, undefined, manifest);
    cached = { manifest, dataRoutes };
    staticDataRoutesCache.set(routes, cached);
  }
  return cached;
}
`;
  const patched = source.replace(
    lines[0],
    "  let { manifest, dataRoutes } = staticDataRoutes(routes);",
  );
  return replaceOnce(
    patched,
    "function createStaticRouter(routes, context, opts = {}) {",
    `${helper}function createStaticRouter(routes, context, opts = {}) {`,
    file,
  );
}

// --- Loaders and actions: no copy of a request with nothing to strip -------------------------

/** The server runtime's loader and action calls: ESM (the Worker bundle) and CommonJS. */
export const REMIX_DATA_FILES = ["dist/esm/data.js", "dist/data.js"].map((file) =>
  path.join(packageDir("@remix-run/server-runtime"), file),
);

const STRIP_FUNCTIONS = ["stripIndexParam", "stripDataParam", "stripRoutesParam"];

/**
 * Before every loader and action call the runtime strips Remix's own query parameters (`index`,
 * `_data`, `_routes`) by parsing the URL and building a new Request, twice per call, even when
 * the URL has no query string at all: four URLs and four Requests for a page with two loaders.
 * Without a `?` there is nothing to strip, and the request itself is what the copy would be.
 */
export function patchRemixDataSource(source, file) {
  if (source.includes(PATCH_MARKER)) return source;
  let patched = source;
  for (const name of STRIP_FUNCTIONS) {
    const start = `function ${name}(request) {\n  let url = new URL(request.url);`;
    patched = replaceOnce(
      patched,
      start,
      `function ${name}(request) {\n  if (!request.url.includes("?")) return request; // ${PATCH_MARKER}\n  let url = new URL(request.url);`,
      file,
    );
  }
  return patched;
}

export function applyPatch() {
  for (const [name, version] of Object.entries(EXPECTED)) {
    const installed = installedVersion(name);
    if (installed !== version) {
      throw new Error(
        `patch-remix-server-runtime: ${name} is ${installed}, the patch is for ${version}. ` +
          "Check whether the new version still flattens routes on every match, then update or drop " +
          "the patch (docs/decisions/0012-memoised-route-matching.md).",
      );
    }
  }
  const changed = [];
  const targets = [
    ...PATCHED_FILES.map((file) => [file, patchSource]),
    ...REMIX_SERVER_FILES.map((file) => [file, patchRemixServerSource]),
    ...STATIC_ROUTER_FILES.map((file) => [file, patchStaticRouterSource]),
    ...REMIX_DATA_FILES.map((file) => [file, patchRemixDataSource]),
  ];
  for (const [file, patch] of targets) {
    // router.server.js starts as a copy of the browser's router.js.
    const exists = existsSync(file);
    const source = readFileSync(exists ? file : BROWSER_ROUTER_FILE, "utf8");
    const patched = patch(source, file);
    if (patched !== source || !exists) {
      writeFileSync(file, patched);
      changed.push(path.relative(root, file));
    }
  }
  const manifest = JSON.parse(readFileSync(ROUTER_PACKAGE_FILE, "utf8"));
  if (JSON.stringify(manifest.exports) !== JSON.stringify(ROUTER_EXPORTS)) {
    if (manifest.exports !== undefined) {
      throw new Error(
        "patch-remix-server-runtime: @remix-run/router has exports of its own now; " +
          "rewrite the patch (docs/decisions/0012-memoised-route-matching.md).",
      );
    }
    writeFileSync(
      ROUTER_PACKAGE_FILE,
      `${JSON.stringify({ ...manifest, exports: ROUTER_EXPORTS }, null, 2)}\n`,
    );
    changed.push(path.relative(root, ROUTER_PACKAGE_FILE));
  }
  return changed;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const changed = applyPatch();
  process.stdout.write(
    changed.length > 0
      ? `patch-remix-server-runtime: patched ${changed.join(", ")}\n`
      : "patch-remix-server-runtime: already patched\n",
  );
}
