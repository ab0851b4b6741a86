/**
 * React as ES modules in the Worker (docs/decisions/0015-react-as-esm-in-the-worker.md).
 *
 * Run by `npm install` (the `postinstall` script), after the other two patches. React 18 ships
 * CommonJS only. esbuild bundles a CommonJS module that ES modules import through `__toESM`,
 * an object with one getter per export, so every `jsx(…)`, `createElement(…)` and hook call a
 * render makes goes through a getter: 2 % of a page's Worker CPU in `npm run bench:profile`.
 *
 * This writes two ES modules into react's folder, `server-esm/index.js` and
 * `server-esm/jsx-runtime.js`, that read the CommonJS exports once and re-export them as plain
 * bindings, and points react's `workerd` export condition at them (remix.config.js lists
 * `workerd` first in `serverConditions`; vitest's Workers pool resolves it too). The exports are
 * the same objects: `require("react")` elsewhere still gets the one React. Browsers do not
 * resolve `workerd`, so the client bundle is untouched.
 *
 * Idempotent. Fails loudly on another React version or an exports map it was not written for.
 */
import { createRequire } from "node:module";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const EXPECTED_VERSION = "18.3.1";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const reactDir = path.join(root, "node_modules", "react");
const REACT_PACKAGE_FILE = path.join(reactDir, "package.json");

/** The ES modules the Worker loads instead of react's CommonJS entry points. */
export const REACT_ESM_FILES = {
  index: path.join(reactDir, "server-esm/index.js"),
  jsxRuntime: path.join(reactDir, "server-esm/jsx-runtime.js"),
};

/** react 18.3.1's own exports map, before the patch. */
const ORIGINAL_EXPORTS = {
  ".": { "react-server": "./react.shared-subset.js", default: "./index.js" },
  "./package.json": "./package.json",
  "./jsx-runtime": "./jsx-runtime.js",
  "./jsx-dev-runtime": "./jsx-dev-runtime.js",
};

/** The patched map: `workerd` picks the ES modules; every other condition resolves as before. */
export const REACT_EXPORTS = {
  ".": {
    "react-server": "./react.shared-subset.js",
    workerd: "./server-esm/index.js",
    default: "./index.js",
  },
  "./package.json": "./package.json",
  "./jsx-runtime": { workerd: "./server-esm/jsx-runtime.js", default: "./jsx-runtime.js" },
  "./jsx-dev-runtime": "./jsx-dev-runtime.js",
};

/**
 * An ES module re-exporting a CommonJS module's exports as plain bindings. The names come from
 * the installed module itself, so none is forgotten.
 */
export function esmWrapperSource(cjsSpecifier, exportNames) {
  const names = exportNames.filter((name) => name !== "default").sort();
  return [
    "// Written by scripts/patch-react-esm-server.mjs (docs/decisions/0015-react-as-esm-in-the-worker.md).",
    `import cjs from "${cjsSpecifier}";`,
    "export default cjs;",
    `export const { ${names.join(", ")} } = cjs;`,
    "",
  ].join("\n");
}

function writeIfChanged(file, source, changed) {
  if (existsSync(file) && readFileSync(file, "utf8") === source) return;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, source);
  changed.push(path.relative(root, file));
}

export function applyReactEsmPatch() {
  const manifest = JSON.parse(readFileSync(REACT_PACKAGE_FILE, "utf8"));
  if (manifest.version !== EXPECTED_VERSION) {
    throw new Error(
      `patch-react-esm-server: react is ${manifest.version}, the patch is for ${EXPECTED_VERSION}. ` +
        "React 19 still ships CommonJS: check its exports, then update or drop the patch " +
        "(docs/decisions/0015-react-as-esm-in-the-worker.md).",
    );
  }
  const patchedAlready = JSON.stringify(manifest.exports) === JSON.stringify(REACT_EXPORTS);
  if (!patchedAlready && JSON.stringify(manifest.exports) !== JSON.stringify(ORIGINAL_EXPORTS)) {
    throw new Error(
      "patch-react-esm-server: react's exports map is not the one this patch was written for " +
        "(docs/decisions/0015-react-as-esm-in-the-worker.md).",
    );
  }
  const require = createRequire(REACT_PACKAGE_FILE);
  const changed = [];
  writeIfChanged(
    REACT_ESM_FILES.index,
    esmWrapperSource("../index.js", Object.keys(require("./index.js"))),
    changed,
  );
  writeIfChanged(
    REACT_ESM_FILES.jsxRuntime,
    esmWrapperSource("../jsx-runtime.js", Object.keys(require("./jsx-runtime.js"))),
    changed,
  );
  if (!patchedAlready) {
    writeFileSync(
      REACT_PACKAGE_FILE,
      `${JSON.stringify({ ...manifest, exports: REACT_EXPORTS }, null, 2)}\n`,
    );
    changed.push(path.relative(root, REACT_PACKAGE_FILE));
  }
  return changed;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const changed = applyReactEsmPatch();
  process.stdout.write(
    changed.length > 0
      ? `patch-react-esm-server: patched ${changed.join(", ")}\n`
      : "patch-react-esm-server: already patched\n",
  );
}
