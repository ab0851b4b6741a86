import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CUSTOMER_PAGE_BUDGET_BYTES,
  limitBytes,
  clientJsPerPage,
  filesForRoutes,
  matchRoutes,
  parseManifest,
  staticImports,
  type AssetsManifest,
} from "./client-js";

/**
 * Issue 17: the client JavaScript a first visit loads, per page, from the assets manifest
 * (npm run check:bundles fails a customer page over 90 KiB gzip on these numbers).
 */
const route = (id: string, extra: Partial<AssetsManifest["routes"][string]> = {}) => ({
  id,
  module: `/build/${id}.js`,
  ...extra,
});

const manifest: AssetsManifest = {
  entry: { module: "/build/entry.js", imports: ["/build/_shared/react.js"] },
  routes: {
    root: route("root", { path: "", imports: ["/build/_shared/header.js"] }),
    "routes/$": route("routes/$", { parentId: "root", path: "*" }),
    "routes/_index": route("routes/_index", { parentId: "root", index: true }),
    "routes/products._index": route("routes/products._index", {
      parentId: "root",
      path: "products",
      index: true,
    }),
    "routes/products.$slug": route("routes/products.$slug", {
      parentId: "root",
      path: "products/:slug",
      imports: ["/build/_shared/price.js"],
    }),
    "routes/products.new": route("routes/products.new", { parentId: "root", path: "products/new" }),
    "routes/account": route("routes/account", { parentId: "root", path: "account" }),
    "routes/account._index": route("routes/account._index", {
      parentId: "routes/account",
      index: true,
    }),
    "routes/account.licenses._index": route("routes/account.licenses._index", {
      parentId: "routes/account",
      path: "licenses",
      index: true,
    }),
  },
};

describe("matchRoutes", () => {
  it("matches index routes, nested layouts and dynamic segments, root first", () => {
    expect(matchRoutes(manifest, "/")).toEqual(["root", "routes/_index"]);
    expect(matchRoutes(manifest, "/products")).toEqual(["root", "routes/products._index"]);
    expect(matchRoutes(manifest, "/products/ledger-ui-kit")).toEqual([
      "root",
      "routes/products.$slug",
    ]);
    expect(matchRoutes(manifest, "/account/licenses")).toEqual([
      "root",
      "routes/account",
      "routes/account.licenses._index",
    ]);
  });

  it("prefers a static segment to a dynamic one, and anything to the splat", () => {
    expect(matchRoutes(manifest, "/products/new")).toEqual(["root", "routes/products.new"]);
    expect(matchRoutes(manifest, "/nowhere/at/all")).toEqual(["root", "routes/$"]);
  });
});

describe("staticImports", () => {
  it("finds `from` and bare imports of build files, not dynamic ones", () => {
    const source =
      'import{a as b}from"/build/_shared/a.js";import"/build/_shared/b.js";const c=()=>import("/build/routes/c.js");';
    expect(staticImports(source)).toEqual(["/build/_shared/a.js", "/build/_shared/b.js"]);
  });
});

describe("filesForRoutes", () => {
  it("walks the entry, every matched route and their imports transitively, each file once", () => {
    const imports: Record<string, string[]> = {
      "/build/_shared/header.js": ["/build/_shared/icons.js", "/build/_shared/react.js"],
      "/build/routes/products.$slug.js": ["/build/_shared/icons.js", "/build/_shared/gallery.js"],
      "/build/_shared/gallery.js": ["/build/_shared/lightbox.js"],
    };
    const files = filesForRoutes(manifest, ["root", "routes/products.$slug"], (file) => {
      return imports[file] ?? [];
    });
    expect(files.sort()).toEqual(
      [
        "/build/entry.js",
        "/build/_shared/react.js",
        "/build/root.js",
        "/build/_shared/header.js",
        "/build/_shared/icons.js",
        "/build/routes/products.$slug.js",
        "/build/_shared/price.js",
        "/build/_shared/gallery.js",
        "/build/_shared/lightbox.js",
      ].sort(),
    );
  });
});

describe("clientJsPerPage", () => {
  let dir: string;
  const files: Record<string, string> = {
    "entry.js": 'import"/build/_shared/react.js";hydrate();',
    "_shared/react.js": "react();".repeat(50),
    "_shared/header.js": 'import{r}from"/build/_shared/react.js";header();',
    "root.js": 'import{h}from"/build/_shared/header.js";root();',
    "routes/_index.js": "home();",
    "routes/products.$slug.js": 'import{p}from"/build/_shared/price.js";product();',
    "_shared/price.js": "price();",
    // The other routes of the manifest: read, but not loaded by `/`.
    "routes/$.js": "notFound();",
    "routes/products._index.js": "catalog();",
    "routes/products.new.js": "newProduct();",
    "routes/account.js": "account();",
    "routes/account._index.js": "overview();",
    "routes/account.licenses._index.js": "licenses();",
  };
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "client-js-"));
    for (const [file, source] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), source);
    }
    await writeFile(
      path.join(dir, "manifest-TEST.js"),
      `window.__remixManifest=${JSON.stringify(manifest)};`,
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("sums raw and gzip bytes of each file a page loads, once each", async () => {
    const [home] = await clientJsPerPage(dir, [{ path: "/", customer: true }]);
    const loaded = ["entry.js", "_shared/react.js", "_shared/header.js", "root.js"];
    loaded.push("routes/_index.js");
    expect(home!.routes).toEqual(["root", "routes/_index"]);
    expect(home!.files).toHaveLength(loaded.length);
    expect(home!.raw).toBe(loaded.reduce((sum, file) => sum + files[file]!.length, 0));
    expect(home!.gzip).toBe(
      loaded.reduce((sum, file) => sum + gzipSync(Buffer.from(files[file]!)).byteLength, 0),
    );
  });

  it("parses the manifest file the client build writes", () => {
    const parsed = parseManifest(`window.__remixManifest=${JSON.stringify(manifest)};`);
    expect(parsed.routes["routes/products.$slug"]!.path).toBe("products/:slug");
  });
});

describe("the limit check:bundles enforces", () => {
  it("is the 90 KiB budget for every customer page, none for staff", () => {
    expect(CUSTOMER_PAGE_BUDGET_BYTES).toBe(90 * 1024);
    expect(limitBytes({ path: "/", customer: true })).toBe(90 * 1024);
    expect(limitBytes({ path: "/account/membership", customer: true })).toBe(90 * 1024);
    expect(limitBytes({ path: "/admin", customer: false })).toBeNull();
  });
});
