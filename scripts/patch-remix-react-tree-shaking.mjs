/**
 * Lets the browser build drop framework code this app never runs
 * (docs/decisions/0016-remix-react-tree-shaking.md, 0017-single-fetch-only-framework.md).
 *
 * Run by `npm install` (the `postinstall` script).
 *
 * 1. `@remix-run/react` 2.17's ES build sets `RemixContext.displayName`, `NavLink.displayName`,
 *    `Link.displayName` and `Form.displayName` at the top level of dist/esm/components.js. A
 *    property assignment is a side effect to a bundler, so esbuild keeps each of those
 *    components, and all they use, in every page's JavaScript even where nothing renders them.
 *    React Router wraps the same assignments in `if (process.env.NODE_ENV !== "production")`;
 *    this does the same here (development builds keep the names for React DevTools).
 * 2. With `future.v3_singleFetch` (remix.config.js) every loader and action call goes through
 *    Remix's single-fetch data strategy, so the pre-single-fetch path (`fetchServerHandler`:
 *    one request per loader, the deferred-stream parser) and the script that hydrated `defer()`
 *    data (`DeferredHydrationScript`, with React Router's `<Await>`) are unreachable. Their
 *    bodies become a throw, so the bundler drops what only they used and a configuration that
 *    would reach them fails loudly instead of silently.
 * 3. React Router's `RouterProvider` logs v7 future-flag deprecation warnings to the console in
 *    every build; production builds skip them, like React Router's own development-only checks.
 *
 * Idempotent. Fails loudly on another version or text it does not recognise.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const remixReactDir = path.join(root, "node_modules", "@remix-run", "react");
const reactRouterDomDir = path.join(root, "node_modules", "react-router-dom");
const EXPECTED_VERSIONS = [
  { dir: remixReactDir, name: "@remix-run/react", version: "2.17.5" },
  { dir: reactRouterDomDir, name: "react-router-dom", version: "6.30.4" },
];

/** The ES builds the browser bundle (and the Worker's, through `module`) is made from. */
export const COMPONENTS_FILE = path.join(remixReactDir, "dist/esm/components.js");
export const ROUTES_FILE = path.join(remixReactDir, "dist/esm/routes.js");
export const ROUTER_DOM_FILE = path.join(reactRouterDomDir, "dist/index.js");

const NAMES = ["RemixContext", "NavLink", "Link", "Form"];
const DISPLAY_NAMES = { RemixContext: "Remix", NavLink: "NavLink", Link: "Link", Form: "Form" };

const assignment = (name) => `${name}.displayName = "${DISPLAY_NAMES[name]}";`;
const guarded = (name) => `if (process.env.NODE_ENV !== "production") {\n  ${assignment(name)}\n}`;

/** What a single-fetch-only build throws if it ever reaches the legacy data path. */
export const SINGLE_FETCH_ONLY =
  "This app runs Remix with future.v3_singleFetch only (docs/decisions/0017-single-fetch-only-framework.md)";
const throwingBody = (signature) =>
  `${signature} {\n  throw new Error(${JSON.stringify(SINGLE_FETCH_ONLY)});\n}\n`;

/**
 * Replaces the function declared as `function ${name}(` up to `next` (each exactly once) by
 * `${signature} { throw … }`.
 */
function throwInstead(source, file, { name, signature, next }) {
  const replacement = throwingBody(signature);
  if (source.includes(replacement)) return source;
  const declaration = `function ${name}(`;
  const start = source.indexOf(declaration);
  const end = source.indexOf(next, start);
  if (start < 0 || end < 0 || source.indexOf(declaration, start + 1) >= 0) {
    throw new Error(
      `patch-remix-react-tree-shaking: ${path.relative(root, file)} no longer has ` +
        `"${declaration}" once, followed by "${next}"; check the new version, then update or ` +
        "drop the patch (docs/decisions/0017-single-fetch-only-framework.md).",
    );
  }
  const from = source.lastIndexOf("\n", start) + 1;
  return source.slice(0, from) + replacement + source.slice(end);
}

/** Replaces `before` (exactly once) by `after`. */
function replaceOnce(source, file, before, after) {
  if (source.includes(after)) return source;
  const at = source.indexOf(before);
  if (at < 0 || source.indexOf(before, at + 1) >= 0) {
    throw new Error(
      `patch-remix-react-tree-shaking: ${path.relative(root, file)} no longer has ` +
        `"${before}" exactly once; check the new version, then update or drop the patch.`,
    );
  }
  return source.slice(0, at) + after + source.slice(at + before.length);
}

export function patchComponentsSource(source, file = COMPONENTS_FILE) {
  let patched = source;
  for (const name of NAMES) {
    if (patched.includes(guarded(name))) continue;
    const lines = patched.split("\n");
    const at = lines.indexOf(assignment(name));
    if (at < 0 || lines.indexOf(assignment(name), at + 1) >= 0) {
      throw new Error(
        `patch-remix-react-tree-shaking: ${path.relative(root, file)} no longer has ` +
          `"${assignment(name)}" exactly once at the top level; check whether the new version ` +
          "still sets display names unguarded, then update or drop the patch " +
          "(docs/decisions/0016-remix-react-tree-shaking.md).",
      );
    }
    lines[at] = guarded(name);
    patched = lines.join("\n");
  }
  // ErrorDeferredHydrationScript, used only by DeferredHydrationScript, is then dropped too.
  return throwInstead(patched, file, {
    name: "DeferredHydrationScript",
    signature: "function DeferredHydrationScript()",
    next: "function ErrorDeferredHydrationScript(",
  });
}

export function patchRoutesSource(source, file = ROUTES_FILE) {
  return throwInstead(source, file, {
    name: "fetchServerHandler",
    signature: "async function fetchServerHandler()",
    next: "function unwrapServerResponse(",
  });
}

const DEPRECATION_EFFECT =
  "React.useEffect(() => UNSAFE_logV6DeprecationWarnings(future, router.future), [future, router.future]);";

export function patchRouterDomSource(source, file = ROUTER_DOM_FILE) {
  return replaceOnce(
    source,
    file,
    DEPRECATION_EFFECT,
    `if (process.env.NODE_ENV !== "production") {\n    ${DEPRECATION_EFFECT}\n  }`,
  );
}

export function applyTreeShakingPatch() {
  for (const { dir, name, version: expected } of EXPECTED_VERSIONS) {
    const { version } = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    if (version !== expected) {
      throw new Error(
        `patch-remix-react-tree-shaking: ${name} is ${version}, the patch is for ${expected} ` +
          "(docs/decisions/0016-remix-react-tree-shaking.md, 0017-single-fetch-only-framework.md).",
      );
    }
  }
  const changed = [];
  for (const [file, patch] of [
    [COMPONENTS_FILE, patchComponentsSource],
    [ROUTES_FILE, patchRoutesSource],
    [ROUTER_DOM_FILE, patchRouterDomSource],
  ]) {
    const source = readFileSync(file, "utf8");
    const patched = patch(source, file);
    if (patched === source) continue;
    writeFileSync(file, patched);
    changed.push(path.relative(root, file));
  }
  return changed;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const changed = applyTreeShakingPatch();
  process.stdout.write(
    changed.length > 0
      ? `patch-remix-react-tree-shaking: patched ${changed.join(", ")}\n`
      : "patch-remix-react-tree-shaking: already patched\n",
  );
}
