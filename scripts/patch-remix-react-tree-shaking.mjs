/**
 * Lets the browser build drop the Remix components a page never uses
 * (docs/decisions/0016-remix-react-tree-shaking.md).
 *
 * Run by `npm install` (the `postinstall` script). `@remix-run/react` 2.17's ES build sets
 * `RemixContext.displayName`, `NavLink.displayName`, `Link.displayName` and `Form.displayName`
 * at the top level of dist/esm/components.js. A property assignment is a side effect to a
 * bundler, so esbuild keeps each of those components, and all they use, in every page's
 * JavaScript even where nothing renders them: Remix's NavLink alone brings React Router's
 * NavLink and its view-transition code. React Router wraps the same assignments in
 * `if (process.env.NODE_ENV !== "production")`; this does the same here (development builds
 * keep the names for React DevTools).
 *
 * Idempotent. Fails loudly on another version or text it does not recognise.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const EXPECTED_VERSION = "2.17.5";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const packageDir = path.join(root, "node_modules", "@remix-run", "react");

/** The ES build the browser bundle (and the Worker's, through `module`) is made from. */
export const COMPONENTS_FILE = path.join(packageDir, "dist/esm/components.js");
const NAMES = ["RemixContext", "NavLink", "Link", "Form"];
const DISPLAY_NAMES = { RemixContext: "Remix", NavLink: "NavLink", Link: "Link", Form: "Form" };

const assignment = (name) => `${name}.displayName = "${DISPLAY_NAMES[name]}";`;
const guarded = (name) => `if (process.env.NODE_ENV !== "production") {\n  ${assignment(name)}\n}`;

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
  return patched;
}

export function applyTreeShakingPatch() {
  const { version } = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8"));
  if (version !== EXPECTED_VERSION) {
    throw new Error(
      `patch-remix-react-tree-shaking: @remix-run/react is ${version}, the patch is for ` +
        `${EXPECTED_VERSION} (docs/decisions/0016-remix-react-tree-shaking.md).`,
    );
  }
  const source = readFileSync(COMPONENTS_FILE, "utf8");
  const patched = patchComponentsSource(source);
  if (patched === source) return [];
  writeFileSync(COMPONENTS_FILE, patched);
  return [path.relative(root, COMPONENTS_FILE)];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const changed = applyTreeShakingPatch();
  process.stdout.write(
    changed.length > 0
      ? `patch-remix-react-tree-shaking: patched ${changed.join(", ")}\n`
      : "patch-remix-react-tree-shaking: already patched\n",
  );
}
