/**
 * React as ES modules, in the Worker and in the browser
 * (docs/decisions/0015-react-as-esm-in-the-worker.md).
 *
 * Run by `npm install` (the `postinstall` script), after the other two patches. React 18 ships
 * CommonJS only. esbuild bundles a CommonJS module that ES modules import through `__toESM`,
 * an object with one getter per export: on the server every `jsx(…)`, `createElement(…)` and
 * hook call a render makes goes through a getter (6–8 % of a page's Worker CPU), and in the
 * browser every such call is spelled out as a property access (`(0,e.jsx)(…)`,
 * `React.createElement(…)`) that the minifier cannot shorten.
 *
 * This writes two ES modules into react's folder, `esm/index.js` and `esm/jsx-runtime.js`, that
 * read the CommonJS exports once and re-export them as plain bindings, and points react's
 * `workerd` export condition at both (the Worker: remix.config.js lists it first in
 * `serverConditions`, and vitest's Workers pool resolves it too) and `browser` at the JSX
 * runtime, for `import` only.
 * A `require("react")` (react-dom is CommonJS) still gets `index.js`, so there is one React and
 * the wrappers' bindings are its very objects.
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

/** The ES modules `import` gets instead of react's CommonJS entry points. */
export const REACT_ESM_FILES = {
  index: path.join(reactDir, "esm/index.js"),
  jsxRuntime: path.join(reactDir, "esm/jsx-runtime.js"),
};

/** react 18.3.1's own exports map, before the patch. */
const ORIGINAL_EXPORTS = {
  ".": { "react-server": "./react.shared-subset.js", default: "./index.js" },
  "./package.json": "./package.json",
  "./jsx-runtime": "./jsx-runtime.js",
  "./jsx-dev-runtime": "./jsx-dev-runtime.js",
};

/**
 * The patched map: an `import` in the Worker gets both ES modules and a browser the JSX runtime
 * only; `require`, Node and React Server Components resolve as before (conditions match in the
 * order listed here). Browsers keep React itself as CommonJS: React Router reads some of its
 * exports by computed name (`React["startTransition"]`), which would make esbuild build a
 * namespace object of every export, costing more than the shorter calls save.
 */
export const REACT_EXPORTS = {
  ".": {
    "react-server": "./react.shared-subset.js",
    require: "./index.js",
    workerd: "./esm/index.js",
    default: "./index.js",
  },
  "./package.json": "./package.json",
  "./jsx-runtime": {
    require: "./jsx-runtime.js",
    workerd: "./esm/jsx-runtime.js",
    browser: "./esm/jsx-runtime.js",
    default: "./jsx-runtime.js",
  },
  "./jsx-dev-runtime": "./jsx-dev-runtime.js",
};

/**
 * An ES module re-exporting a CommonJS module's exports as plain bindings. The names come from
 * the installed module itself, so none is forgotten.
 */
export function esmWrapperSource(cjsSpecifier, exportNames) {
  const names = exportNames.filter((name) => name !== "default").sort();
  return [
    "// Written by scripts/patch-react-esm.mjs (docs/decisions/0015-react-as-esm-in-the-worker.md).",
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
      `patch-react-esm: react is ${manifest.version}, the patch is for ${EXPECTED_VERSION}. ` +
        "React 19 still ships CommonJS: check its exports, then update or drop the patch " +
        "(docs/decisions/0015-react-as-esm-in-the-worker.md).",
    );
  }
  const patchedAlready = JSON.stringify(manifest.exports) === JSON.stringify(REACT_EXPORTS);
  if (!patchedAlready && JSON.stringify(manifest.exports) !== JSON.stringify(ORIGINAL_EXPORTS)) {
    throw new Error(
      "patch-react-esm: react's exports map is not the one this patch was written for " +
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
      ? `patch-react-esm: patched ${changed.join(", ")}\n`
      : "patch-react-esm: already patched\n",
  );
}
