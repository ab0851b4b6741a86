import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  patchDevelopmentSource,
  patchMinifiedSource,
  REACT_PATCH_MARKER,
  REACT_SERVER_FILES,
} from "../../scripts/patch-react-dom-server.mjs";

/**
 * The one-encode-per-flush patch of React's streaming renderer
 * (docs/decisions/0014-react-stream-encoding.md) is applied by `postinstall`: both files a build
 * or a test can load carry it, re-running it changes nothing, and text it does not recognise
 * (another React) makes it fail. test/unit/lib/react-stream-encoding.test.tsx checks what it does.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const script = path.join(root, "scripts/patch-react-dom-server.mjs");

describe("the React stream encoding patch", () => {
  it("is in the production and the development stream renderer", () => {
    for (const file of REACT_SERVER_FILES) {
      const source = readFileSync(file, "utf8");
      expect(source, file).toContain(REACT_PATCH_MARKER);
      expect(source, file).not.toMatch(/new Uint8Array\(512\)|VIEW_SIZE = 512/);
    }
  });

  it("is idempotent", () => {
    const before = REACT_SERVER_FILES.map((file) => readFileSync(file, "utf8"));
    const output = execFileSync(process.execPath, [script], { cwd: root }).toString();
    expect(output).toContain("already patched");
    expect(REACT_SERVER_FILES.map((file) => readFileSync(file, "utf8"))).toEqual(before);
  });

  it("refuses text it was not written for", () => {
    expect(() => patchMinifiedSource("var l=null,n=0;", "min.js")).toThrow(/react-dom/);
    expect(() => patchDevelopmentSource("var VIEW_SIZE = 2048;", "dev.js")).toThrow(/react-dom/);
  });

  it("runs on npm install, after the Remix patch", () => {
    const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
    expect(manifest.scripts.postinstall).toMatch(
      /^node scripts\/patch-remix-server-runtime\.mjs && node scripts\/patch-react-dom-server\.mjs( &&|$)/,
    );
  });
});
