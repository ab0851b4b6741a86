import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import {
  esmWrapperSource,
  REACT_ESM_FILES,
  REACT_EXPORTS,
} from "../../scripts/patch-react-esm.mjs";

/**
 * React as ES modules (docs/decisions/0015-react-as-esm-in-the-worker.md): an `import` of react
 * in the Worker (`workerd`) or a browser gets two wrappers that re-export the CommonJS React as
 * plain bindings, so a render stops calling a getter for every element and hook, and browser
 * code calls `jsx(…)` instead of `(0,e.jsx)(…)`; a `require` still gets the CommonJS files.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const script = path.join(root, "scripts/patch-react-esm.mjs");
const reactDir = path.join(root, "node_modules/react");
const require = createRequire(path.join(reactDir, "package.json"));

type Metafile = { inputs: Record<string, unknown> };
const metafile = (name: string) =>
  JSON.parse(readFileSync(path.join(root, "build", name), "utf8")) as Metafile;

describe("React as ES modules in the Worker", () => {
  it("points the Worker's imports of react, and browsers' of its JSX runtime, at the wrappers", () => {
    const manifest = JSON.parse(readFileSync(path.join(reactDir, "package.json"), "utf8"));
    expect(manifest.exports).toEqual(REACT_EXPORTS);
    for (const [entry, cjs, browser] of [
      [".", "./index.js", undefined],
      ["./jsx-runtime", "./jsx-runtime.js", "./esm/jsx-runtime.js"],
    ] as const) {
      const conditions = Object.keys(manifest.exports[entry]);
      // Conditions match in this order: require must come before the wrappers.
      expect(conditions.indexOf("require")).toBe(conditions.indexOf("react-server") + 1);
      expect(manifest.exports[entry].require).toBe(cjs);
      expect(manifest.exports[entry].workerd).toMatch(/^\.\/esm\//);
      expect(manifest.exports[entry].browser).toBe(browser);
      expect(manifest.exports[entry].default).toBe(cjs);
    }
  });

  it("re-exports every export of React and of its JSX runtime, as the same objects", async () => {
    for (const [file, cjsFile] of [
      [REACT_ESM_FILES.index, "./index.js"],
      [REACT_ESM_FILES.jsxRuntime, "./jsx-runtime.js"],
    ] as const) {
      const cjs = require(cjsFile) as Record<string, unknown>;
      const esm = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      expect(Object.keys(esm).sort()).toEqual([...Object.keys(cjs), "default"].sort());
      for (const name of Object.keys(cjs)) expect(esm[name], name).toBe(cjs[name]);
      expect(esm.default).toBe(cjs);
    }
  });

  it("is what the bundles import, with one CommonJS React under it", () => {
    const server = Object.keys(metafile("metafile.server.json").inputs);
    const browser = Object.keys(metafile("metafile.js.json").inputs);
    expect(server).toContain("node_modules/react/esm/index.js");
    expect(server).toContain("node_modules/react/esm/jsx-runtime.js");
    expect(browser).toContain("node_modules/react/esm/jsx-runtime.js");
    expect(browser).not.toContain("node_modules/react/esm/index.js");
    for (const inputs of [server, browser]) expect(inputs).toContain("node_modules/react/index.js");
  });

  it("writes plain bindings", () => {
    expect(esmWrapperSource("../x.js", ["b", "a", "default"])).toContain(
      'import cjs from "../x.js";\nexport default cjs;\nexport const { a, b } = cjs;',
    );
  });

  it("is idempotent", () => {
    const files = [...Object.values(REACT_ESM_FILES), path.join(reactDir, "package.json")];
    const before = files.map((file) => readFileSync(file, "utf8"));
    const output = execFileSync(process.execPath, [script], { cwd: root }).toString();
    expect(output).toContain("already patched");
    expect(files.map((file) => readFileSync(file, "utf8"))).toEqual(before);
  });

  it("runs on npm install, after the stream encoding patch", () => {
    const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
    expect(manifest.scripts.postinstall).toContain(
      "node scripts/patch-react-dom-server.mjs && node scripts/patch-react-esm.mjs",
    );
  });
});
