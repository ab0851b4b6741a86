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
} from "../../scripts/patch-react-esm-server.mjs";

/**
 * React as ES modules in the Worker (docs/decisions/0015-react-as-esm-in-the-worker.md): the
 * `workerd` condition of react's exports picks two wrappers that re-export the CommonJS React
 * as plain bindings, so a render stops calling a getter for every element and hook.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const script = path.join(root, "scripts/patch-react-esm-server.mjs");
const reactDir = path.join(root, "node_modules/react");
const require = createRequire(path.join(reactDir, "package.json"));

type Metafile = { inputs: Record<string, unknown> };
const metafile = (name: string) =>
  JSON.parse(readFileSync(path.join(root, "build", name), "utf8")) as Metafile;

describe("React as ES modules in the Worker", () => {
  it("points react's workerd condition at the wrappers and leaves every other one alone", () => {
    const manifest = JSON.parse(readFileSync(path.join(reactDir, "package.json"), "utf8"));
    expect(manifest.exports).toEqual(REACT_EXPORTS);
    expect(manifest.exports["."].default).toBe("./index.js");
    expect(manifest.exports["./jsx-runtime"].default).toBe("./jsx-runtime.js");
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

  it("is what the Worker bundle uses, and the browser bundle does not", () => {
    const server = Object.keys(metafile("metafile.server.json").inputs);
    expect(server).toContain("node_modules/react/server-esm/index.js");
    expect(server).toContain("node_modules/react/server-esm/jsx-runtime.js");
    const browser = Object.keys(metafile("metafile.js.json").inputs);
    expect(browser.filter((input) => input.includes("server-esm"))).toEqual([]);
    expect(browser).toContain("node_modules/react/index.js");
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

  it("runs on npm install, after the other patches", () => {
    const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
    expect(manifest.scripts.postinstall).toBe(
      "node scripts/patch-remix-server-runtime.mjs && node scripts/patch-react-dom-server.mjs" +
        " && node scripts/patch-react-esm-server.mjs",
    );
  });
});
