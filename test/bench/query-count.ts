/**
 * D1 queries per page render: `tsx test/bench/query-count.ts --persist-to DIR [--slug SLUG]`
 * prints one JSON line `{ products, pages: [{ label, path, statements, batches }] }`.
 *
 * Each page is "rendered" by the data work its loaders do for an anonymous visitor: the root
 * loader (current user, toast) and the route loader's service calls, in the same order and
 * with the same arguments as the route files. The D1 binding is wrapped in a counting proxy,
 * so every `prepare` (one SQL statement) and `batch` (one round trip of several) is counted,
 * whichever layer issues it. Run before and after adding 1,000 products: equal counts mean no
 * query per product (no N+1).
 *
 * The route modules themselves are not imported: they pull in CSS and React, which only the
 * Remix compiler understands. If a loader gains a service call, add it here too.
 */
import { parseArgs } from "node:util";
import type { AppLoadContext } from "@remix-run/cloudflare";
import { createDb } from "#db/client";
import { openLocalPlatform } from "#db/seed";
import { parseCatalogQuery } from "~/domain/catalog/filters";
import { licenseOptions } from "~/domain/catalog/license-options";
import { getCurrentUser } from "~/request/auth.server";
import { parseEnv, type WorkerBindings } from "~/lib/env.server";
import "~/lib/load-context";
import { consumeToast } from "~/lib/toast.server";
import {
  getPublishedProduct,
  listCatalogTags,
  listFeaturedProducts,
  listPublishedProducts,
} from "~/services/catalog.server";

export interface PageQueryCount {
  label: string;
  path: string;
  /** SQL statements prepared (each is one query, alone or inside a batch). */
  statements: number;
  /** `batch` calls (round trips carrying several statements). */
  batches: number;
}

export interface QueryCountRun {
  /** Published products in the database when measured. */
  products: number;
  pages: PageQueryCount[];
}

interface Counter {
  statements: number;
  batches: number;
}

/** The binding, with `prepare` and `batch` counted; everything else passes through. */
export function countingD1(database: D1Database, counter: Counter): D1Database {
  return new Proxy(database, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (property === "prepare") {
        return (...args: Parameters<D1Database["prepare"]>) => {
          counter.statements += 1;
          return target.prepare(...args);
        };
      }
      if (property === "batch") {
        return (...args: Parameters<D1Database["batch"]>) => {
          counter.batches += 1;
          return target.batch(...args);
        };
      }
      return (value as (...args: unknown[]) => unknown).bind(target);
    },
  });
}

type PageData = (context: AppLoadContext, request: Request) => Promise<unknown>;

/** What each page's loaders ask of D1 (mirrors app/routes/_index.tsx, products.*.tsx). */
function pages(slug: string): { label: string; path: string; data: PageData }[] {
  return [
    { label: "home", path: "/", data: (context) => listFeaturedProducts(context.db) },
    {
      label: "catalog",
      path: "/products",
      data: (context, request) =>
        Promise.all([
          listPublishedProducts(context.db, parseCatalogQuery(new URL(request.url).searchParams)),
          listCatalogTags(context.db),
        ]),
    },
    {
      label: "catalog, filtered",
      path: "/products?q=kit&category=UI_KIT&maxPrice=100",
      data: (context, request) =>
        Promise.all([
          listPublishedProducts(context.db, parseCatalogQuery(new URL(request.url).searchParams)),
          listCatalogTags(context.db),
        ]),
    },
    {
      label: "product",
      path: `/products/${slug}`,
      data: async (context) => {
        const product = await getPublishedProduct(context.db, slug);
        if (!product) throw new Error(`The product "${slug}" is not in the bench database`);
        return licenseOptions(product);
      },
    },
  ];
}

export async function countPageQueries(
  bindings: WorkerBindings,
  slug: string,
): Promise<QueryCountRun> {
  const env = parseEnv(bindings);
  const results: PageQueryCount[] = [];
  for (const page of pages(slug)) {
    const counter: Counter = { statements: 0, batches: 0 };
    const context: AppLoadContext = {
      cloudflare: { env: bindings, ctx: { waitUntil: () => {} } },
      env,
      db: createDb(countingD1(bindings.DB, counter)),
      requestId: "bench",
      cspNonce: "bench",
    };
    const request = new Request(`http://127.0.0.1${page.path}`);
    // The root loader runs on every document request, next to the route's loader.
    await Promise.all([
      getCurrentUser(request, context),
      consumeToast(request, context),
      page.data(context, request),
    ]);
    results.push({ label: page.label, path: page.path, ...counter });
  }
  const row = await bindings.DB.prepare(
    "select count(*) as n from digital_products where status = 'PUBLISHED'",
  ).first<{ n: number }>();
  return { products: row?.n ?? 0, pages: results };
}

async function main() {
  const { values } = parseArgs({
    options: {
      "persist-to": { type: "string" },
      slug: { type: "string", default: "ledger-ui-kit" },
    },
  });
  const platform = await openLocalPlatform(values["persist-to"]);
  try {
    const run = await countPageQueries(platform.env, values.slug);
    console.log(JSON.stringify(run));
  } finally {
    await platform.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
