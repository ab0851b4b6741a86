import { type AgnosticRouteObject, matchRoutes } from "@remix-run/router";
import { createStaticRouter } from "react-router-dom/server";
import { describe, expect, it } from "vitest";

/**
 * Route matching on the server is memoised per routes array (scripts/patch-remix-server-runtime.mjs,
 * docs/decisions/0012-memoised-route-matching.md). The answers must be the ones an unmemoised
 * match gives: each URL is matched against the same (cached) tree several times, in different
 * orders, and against a fresh copy of the tree, which the cache has never seen.
 */
type Route = AgnosticRouteObject & { id: string };

/** The shapes the app's route files make: layouts, index routes, params, a splat, `_` escapes. */
function appLikeRoutes(): Route[] {
  return [
    {
      id: "root",
      path: "",
      children: [
        { id: "routes/_index", index: true },
        { id: "routes/products._index", path: "products", index: true },
        { id: "routes/products.$slug", path: "products/:slug" },
        { id: "routes/pricing", path: "pricing" },
        {
          id: "routes/account",
          path: "account",
          children: [
            { id: "routes/account._index", index: true },
            { id: "routes/account.licenses._index", path: "licenses", index: true },
            { id: "routes/account.licenses.$licenseId", path: "licenses/:licenseId" },
          ],
        },
        {
          id: "routes/account.licenses.$licenseId_.download",
          path: "account/licenses/:licenseId/download",
        },
        {
          id: "routes/admin.products.$productId_.uploads.$kind",
          path: "admin/products/:productId/uploads/:kind",
        },
        { id: "routes/docs.$", path: "docs/*" },
        { id: "routes/$", path: "*" },
      ],
    },
  ];
}

const URLS: [string, string[], Record<string, string>][] = [
  ["/", ["root", "routes/_index"], {}],
  ["/products", ["root", "routes/products._index"], {}],
  ["/products/", ["root", "routes/products._index"], {}],
  ["/products/ledger-ui-kit", ["root", "routes/products.$slug"], { slug: "ledger-ui-kit" }],
  ["/PRICING", ["root", "routes/pricing"], {}],
  ["/account", ["root", "routes/account", "routes/account._index"], {}],
  ["/account/licenses", ["root", "routes/account", "routes/account.licenses._index"], {}],
  [
    "/account/licenses/lic_1",
    ["root", "routes/account", "routes/account.licenses.$licenseId"],
    { licenseId: "lic_1" },
  ],
  [
    "/account/licenses/lic_1/download",
    ["root", "routes/account.licenses.$licenseId_.download"],
    { licenseId: "lic_1" },
  ],
  [
    "/admin/products/p%201/uploads/preview",
    ["root", "routes/admin.products.$productId_.uploads.$kind"],
    { productId: "p 1", kind: "preview" },
  ],
  ["/docs/a/b", ["root", "routes/docs.$"], { "*": "a/b" }],
  ["/products/a/b", ["root", "routes/$"], { "*": "products/a/b" }],
  ["/no/such/page", ["root", "routes/$"], { "*": "no/such/page" }],
];

function describeMatch(routes: Route[], url: string) {
  const matches = matchRoutes(routes, url);
  if (!matches) return null;
  return {
    ids: matches.map((match) => (match.route as Route).id),
    params: { ...matches.at(-1)!.params },
    pathnames: matches.map((match) => match.pathname),
  };
}

describe("memoised route matching", () => {
  it("gives every URL the same match from a cached tree as from a fresh one", () => {
    const cached = appLikeRoutes();
    for (const order of [URLS, [...URLS].reverse(), URLS]) {
      for (const [url, ids, params] of order) {
        const fresh = describeMatch(appLikeRoutes(), url);
        expect(fresh?.ids, url).toEqual(ids);
        expect(fresh?.params, url).toEqual(params);
        expect(describeMatch(cached, url), url).toEqual(fresh);
      }
    }
  });

  it("answers null for a URL no route takes, cached or not", () => {
    const withoutSplat = appLikeRoutes();
    withoutSplat[0]!.children = withoutSplat[0]!.children!.filter(
      (route) => route.path !== "*" && route.path !== "docs/*",
    );
    expect(describeMatch(withoutSplat, "/no/such/page")).toBeNull();
    expect(describeMatch(withoutSplat, "/no/such/page")).toBeNull();
    expect(describeMatch(withoutSplat, "/products")?.ids).toEqual([
      "root",
      "routes/products._index",
    ]);
  });

  it("keeps each routes array's branches apart", () => {
    const small: Route[] = [{ id: "only", path: "only" }];
    const app = appLikeRoutes();
    expect(describeMatch(small, "/only")?.ids).toEqual(["only"]);
    expect(describeMatch(app, "/only")?.ids).toEqual(["root", "routes/$"]);
    expect(describeMatch(small, "/products")).toBeNull();
  });

  it("flattens a server routes array once: later changes to it are not seen (the server never makes any)", () => {
    const routes: Route[] = [{ id: "a", path: "a" }];
    expect(describeMatch(routes, "/a")?.ids).toEqual(["a"]);
    routes.push({ id: "b", path: "b" });
    // Without the memo this would match "b"; the server's route trees are built once and never
    // patched (lazy route discovery, which patches arrays in place, runs in the browser only).
    expect(describeMatch(routes, "/b")).toBeNull();
  });

  it("keeps each URL's answer, but hands every caller its own copy of it", () => {
    const routes = appLikeRoutes();
    const url = "/account/licenses/lic_1";
    const first = matchRoutes(routes, url)!;
    // A caller that changes its answer (params, pathnames, the list) changes nobody else's.
    (first[0]!.params as Record<string, string>).licenseId = "changed";
    first[1]!.pathname = "/changed";
    first.pop();
    const second = matchRoutes(routes, url)!;
    expect(second).not.toBe(first);
    expect(second.map((match) => (match.route as Route).id)).toEqual([
      "root",
      "routes/account",
      "routes/account.licenses.$licenseId",
    ]);
    expect(second[1]!.pathname).toBe("/account");
    // One params object per answer, as an unmemoised match shares it between its matches.
    expect(second[0]!.params).toBe(second[2]!.params);
    expect(second[2]!.params).toEqual({ licenseId: "lic_1" });
    // The route objects are the tree's own, so callers can compare them by identity.
    const account = routes[0]!.children!.find((route) => route.id === "routes/account")!;
    expect(second[2]!.route).toBe(account.children![2]);
  });

  it("remembers a bounded number of URLs: many product slugs still match correctly", () => {
    const routes = appLikeRoutes();
    for (let i = 0; i < 2500; i++) {
      expect(matchRoutes(routes, `/products/kit-${i}`)!.at(-1)!.params).toEqual({
        slug: `kit-${i}`,
      });
    }
    expect(describeMatch(routes, "/products/kit-1")?.params).toEqual({ slug: "kit-1" });
  });

  it("converts a routes tree to data routes once: two static routers over it share them", () => {
    // RemixServer renders every page through createStaticRouter; a fresh conversion per render
    // gave matchRoutes a new array each time, so the branch memo above never hit.
    const routes = appLikeRoutes();
    const context = {
      basename: "/",
      location: { pathname: "/products", search: "", hash: "", state: null, key: "default" },
      matches: [],
      loaderData: {},
      actionData: null,
      errors: null,
      statusCode: 200,
      loaderHeaders: {},
      actionHeaders: {},
      activeDeferreds: null,
    };
    const first = createStaticRouter(routes, context as never);
    const second = createStaticRouter(routes, context as never);
    expect(second.routes).toBe(first.routes);
    expect(createStaticRouter(appLikeRoutes(), context as never).routes).not.toBe(first.routes);
  });
});
