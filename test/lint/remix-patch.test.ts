import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  BROWSER_ROUTER_FILE,
  PATCH_MARKER,
  PATCHED_FILES,
  patchRemixServerSource,
  patchSource,
  patchStaticRouterSource,
  patchRemixDataSource,
  REMIX_DATA_FILES,
  REMIX_SERVER_FILES,
  ROUTER_EXPORTS,
  STATIC_ROUTER_FILES,
} from "../../scripts/patch-remix-server-runtime.mjs";

/**
 * The route-matching patch (docs/decisions/0012-memoised-route-matching.md) is applied by
 * `postinstall`: the installed router files carry it, re-running it changes nothing, and text
 * it does not recognise (another Remix version) makes it fail instead of silently skipping.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const script = path.join(root, "scripts/patch-remix-server-runtime.mjs");

describe("the memoised route matching patch", () => {
  it("is in every router file that a build or the tests load", () => {
    expect(PATCHED_FILES.map((file) => path.basename(file)).sort()).toEqual([
      "router.cjs.js",
      "router.server.js",
    ]);
    for (const file of PATCHED_FILES) {
      const source = readFileSync(file, "utf8");
      expect(source, file).toContain(PATCH_MARKER);
      const matchImpl = /function matchRoutesImpl\([^)]*\) \{[\s\S]*?\n\}/.exec(source)?.[0];
      expect(matchImpl, file).toContain("serverMemo(serverMatchingCache.matches, routes");
      const walk = /function matchRankedBranches\([^)]*\) \{[\s\S]*?\n\}/.exec(source)?.[0];
      expect(walk, file).toContain("let branches = rankedBranches(routes);");
      expect(walk, file).not.toContain("flattenRoutes(");
    }
  });

  it("leaves the browser's router untouched: the Worker build alone resolves the patched copy", () => {
    expect(readFileSync(BROWSER_ROUTER_FILE, "utf8")).not.toContain("storefront-studio patch");
    const manifest = JSON.parse(
      readFileSync(path.join(path.dirname(BROWSER_ROUTER_FILE), "../package.json"), "utf8"),
    );
    expect(manifest.exports).toEqual(ROUTER_EXPORTS);
    expect(manifest.exports["."].workerd).toBe("./dist/router.server.js");
    const config = readFileSync(path.join(root, "remix.config.js"), "utf8");
    expect(config).toMatch(/serverConditions: \["workerd"/);
  });

  it("builds RemixServer's route tree and its data routes once, in every file a build loads", () => {
    for (const file of REMIX_SERVER_FILES) {
      const source = readFileSync(file, "utf8");
      expect(source, file).toContain(PATCH_MARKER);
      expect(source, file).toContain(
        "serverRoutesOnce(manifest.routes, routeModules, context.future, context.isSpaMode)",
      );
    }
    for (const file of STATIC_ROUTER_FILES) {
      const source = readFileSync(file, "utf8");
      expect(source, file).toContain(PATCH_MARKER);
      expect(source, file).toContain("let { manifest, dataRoutes } = staticDataRoutes(routes);");
    }
  });

  it("hands a loader the request itself when there is no query string to strip", async () => {
    for (const file of REMIX_DATA_FILES) {
      expect(readFileSync(file, "utf8"), file).toContain(PATCH_MARKER);
    }
    const { callRouteLoader } = createRequire(import.meta.url)(REMIX_DATA_FILES[1]!) as {
      callRouteLoader: (args: Record<string, unknown>) => Promise<unknown>;
    };
    const seen = (request: Request) =>
      callRouteLoader({
        loadContext: {},
        loader: ({ request: received }: { request: Request }) => received,
        params: {},
        request,
        routeId: "routes/x",
        singleFetch: true,
      }) as Promise<Request>;
    const plain = new Request("https://shop.test/products/kit");
    expect(await seen(plain)).toBe(plain);
    // Remix's own parameters are still stripped, the others kept, on a copy.
    const withQuery = new Request("https://shop.test/products?index&_routes=root&q=kit");
    const stripped = await seen(withQuery);
    expect(stripped).not.toBe(withQuery);
    expect(stripped.url).toBe("https://shop.test/products?q=kit");
  });

  it("is idempotent", () => {
    const files = [
      ...PATCHED_FILES,
      ...REMIX_SERVER_FILES,
      ...STATIC_ROUTER_FILES,
      ...REMIX_DATA_FILES,
    ];
    const before = files.map((file) => readFileSync(file, "utf8"));
    const output = execFileSync(process.execPath, [script], { cwd: root }).toString();
    expect(output).toContain("already patched");
    expect(files.map((file) => readFileSync(file, "utf8"))).toEqual(before);
  });

  it("refuses text it was not written for", () => {
    expect(() => patchSource("function matchRoutesImpl() {}", "router.js")).toThrow(
      /expected exactly one/,
    );
    expect(() => patchRemixServerSource("function RemixServer({}) {}", "server.js")).toThrow(
      /createServerRoutes/,
    );
    expect(() => patchStaticRouterSource("function createStaticRouter() {}", "server.js")).toThrow(
      /data-route conversion/,
    );
    expect(() => patchRemixDataSource("function stripIndexParam(req) {}", "data.js")).toThrow(
      /expected exactly one/,
    );
    // A file patched by an earlier version of the script asks for a reinstall.
    const older = "// storefront-studio patch: memoised server route matching v2\nfunction x() {}";
    expect(() => patchSource(older, "router.js")).toThrow(/older version of this patch/);
  });

  it("runs on npm install", () => {
    const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
    expect(manifest.scripts.postinstall).toContain("node scripts/patch-remix-server-runtime.mjs");
  });
});
