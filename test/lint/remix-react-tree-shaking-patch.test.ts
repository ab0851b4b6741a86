import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  COMPONENTS_FILE,
  patchComponentsSource,
  patchRouterDomSource,
  patchRoutesSource,
  ROUTER_DOM_FILE,
  ROUTES_FILE,
  SINGLE_FETCH_ONLY,
} from "../../scripts/patch-remix-react-tree-shaking.mjs";
import remixConfig from "../../remix.config.js";

/**
 * docs/decisions/0016-remix-react-tree-shaking.md: Remix's components set their display names
 * only in development, so a production browser build drops the ones no page uses (NavLink).
 * docs/decisions/0017-single-fetch-only-framework.md: the pre-single-fetch data path, the
 * deferred-data scripts and the future-flag warnings leave the browser build.
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
    // React Router's NavLink is the only framework code that sets aria-current.
    expect(browserFrameworkChunk()).not.toContain('"aria-current"');
  });

  it("makes the pre-single-fetch data path and deferred-data scripts throw, and only those", () => {
    const thrown = `throw new Error(${JSON.stringify(SINGLE_FETCH_ONLY)});`;
    const routes = readFileSync(ROUTES_FILE, "utf8");
    expect(routes).toContain(`async function fetchServerHandler() {\n  ${thrown}\n}`);
    // The single-fetch path, which every loader and action call takes, is untouched.
    expect(routes).toContain("let result = await singleFetch();");
    const components = readFileSync(COMPONENTS_FILE, "utf8");
    expect(components).toContain(`function DeferredHydrationScript() {\n  ${thrown}\n}`);
    expect(components.split(thrown)).toHaveLength(2);
  });

  it("is only correct because single fetch is on and the app is not a SPA", () => {
    // With v3_singleFetch off (or in SPA mode, which has no data strategy) Remix would call
    // fetchServerHandler for every loader: the patch would break navigation.
    expect(remixConfig.future?.v3_singleFetch).toBe(true);
    expect((remixConfig as { ssr?: boolean }).ssr).not.toBe(false);
  });

  it("lets the browser build drop the legacy data path, <Await> and the flag warnings", () => {
    const code = browserFrameworkChunk();
    expect(code).toContain(SINGLE_FETCH_ONLY);
    expect(code).not.toContain("parseDeferredReadableStream requires stream argument");
    expect(code).not.toContain("<Await> caught the following error during render");
    expect(code).not.toContain("React Router Future Flag Warning");
  });

  it("keeps the flag warnings for development builds", () => {
    expect(readFileSync(ROUTER_DOM_FILE, "utf8")).toContain(
      'if (process.env.NODE_ENV !== "production") {\n    React.useEffect(() => UNSAFE_logV6DeprecationWarnings(future, router.future)',
    );
  });

  it("is idempotent and refuses text it was not written for", () => {
    const before = readFileSync(COMPONENTS_FILE, "utf8");
    const output = execFileSync(process.execPath, [script], { cwd: root }).toString();
    expect(output).toContain("already patched");
    expect(readFileSync(COMPONENTS_FILE, "utf8")).toBe(before);
    expect(() => patchComponentsSource("const NavLink = 1;\n", "components.js")).toThrow(
      /no longer has/,
    );
    expect(() => patchRoutesSource("function fetchData() {}\n", "routes.js")).toThrow(
      /no longer has "function fetchServerHandler\(" once/,
    );
    expect(() => patchRouterDomSource("React.useEffect(() => {});\n", "index.js")).toThrow(
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

/** The browser chunk holding React Router and Remix, from the build's esbuild metafile. */
function browserFrameworkChunk(): string {
  const browser = readFileSync(path.join(root, "build/metafile.js.json"), "utf8");
  const outputs = Object.entries(
    (JSON.parse(browser) as { outputs: Record<string, { inputs: Record<string, unknown> }> })
      .outputs,
  );
  const framework = outputs.find(([, output]) =>
    Object.keys(output.inputs).includes("node_modules/react-router-dom/dist/index.js"),
  );
  expect(framework).toBeDefined();
  return readFileSync(path.join(root, framework![0]), "utf8");
}
