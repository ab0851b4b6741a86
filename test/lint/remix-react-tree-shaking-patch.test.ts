import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  COMPONENTS_FILE,
  patchComponentsSource,
} from "../../scripts/patch-remix-react-tree-shaking.mjs";

/**
 * docs/decisions/0016-remix-react-tree-shaking.md: Remix's components set their display names
 * only in development, so a production browser build drops the ones no page uses (NavLink).
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const script = path.join(root, "scripts/patch-remix-react-tree-shaking.mjs");

describe("the Remix tree-shaking patch", () => {
  it("guards every display name of @remix-run/react's components by NODE_ENV", () => {
    const source = readFileSync(COMPONENTS_FILE, "utf8");
    expect(source.match(/^\w+\.displayName = /gm)).toBeNull();
    for (const name of ["RemixContext", "NavLink", "Link", "Form"]) {
      expect(source).toMatch(
        new RegExp(
          `if \\(process\\.env\\.NODE_ENV !== "production"\\) \\{\\n  ${name}\\.displayName = `,
        ),
      );
    }
  });

  it("lets the browser build drop NavLink, which no page renders", () => {
    const browser = readFileSync(path.join(root, "build/metafile.js.json"), "utf8");
    const outputs = Object.entries(
      (JSON.parse(browser) as { outputs: Record<string, { inputs: Record<string, unknown> }> })
        .outputs,
    );
    const framework = outputs.find(([, output]) =>
      Object.keys(output.inputs).includes("node_modules/react-router-dom/dist/index.js"),
    );
    expect(framework).toBeDefined();
    const code = readFileSync(path.join(root, framework![0]), "utf8");
    // React Router's NavLink is the only framework code that sets aria-current.
    expect(code).not.toContain('"aria-current"');
  });

  it("is idempotent and refuses text it was not written for", () => {
    const before = readFileSync(COMPONENTS_FILE, "utf8");
    const output = execFileSync(process.execPath, [script], { cwd: root }).toString();
    expect(output).toContain("already patched");
    expect(readFileSync(COMPONENTS_FILE, "utf8")).toBe(before);
    expect(() => patchComponentsSource("const NavLink = 1;\n", "components.js")).toThrow(
      /no longer has/,
    );
  });

  it("runs on npm install", () => {
    const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
    expect(manifest.scripts.postinstall).toContain(
      "node scripts/patch-remix-react-tree-shaking.mjs",
    );
  });
});
