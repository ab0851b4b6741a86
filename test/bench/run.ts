/**
 * `npm run bench` — load-test the production build in `wrangler dev` against a bare
 * baseline Worker on the same runtime, measure the Worker bundle, and write BENCHMARKS.md.
 *
 * Everything runs on 127.0.0.1 in a throw-away state directory that is removed afterwards,
 * together with both wrangler process groups, even when a step fails.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import {
  buildSnapshot,
  describeError,
  makeStateDir,
  migrateAndSeed,
  onInterrupt,
  removeDir,
  REPO_ROOT,
  run,
  startWranglerDev,
  type WranglerDev,
} from "../e2e/local-stack";
import { clientJsPerPage, CUSTOMER_PAGE_BUDGET_BYTES } from "../build/client-js";
import { prepareDownloadBench, runDownloadBench } from "./downloads";
import { pageTroubles, runPagesBench, type PageTarget, type PagesResult } from "./pages";
import {
  benchmarksMarkdown,
  clientJsSize,
  clientJsTable,
  describeLoadAverage,
  describeMachine,
  downloadsSection,
  downloadTables,
  fileSize,
  growingQueryCounts,
  pagesTable,
  queryCountTable,
  sizeTable,
  type BenchSettings,
} from "./report";
import type { QueryCountRun } from "./query-count";
import type { DownloadBenchSeed } from "./seed-downloads";
import { benchUploads, runUploadBenchAlone, uploadsMarkdown } from "./uploads";
import { runRenewalBench } from "./renewal";
import { runBackupBench } from "./backup";
import { runFlagBench } from "./flags";

/**
 * `BENCH_ONLY=pages|downloads|uploads|renewal|backup|flags npm run bench`: only that benchmark,
 * printed, BENCHMARKS.md left as it is.
 */
const ONLY = process.env.BENCH_ONLY || null;
const ONLY_CHOICES = ["pages", "downloads", "uploads", "renewal", "backup", "flags"];
if (ONLY !== null && !ONLY_CHOICES.includes(ONLY)) {
  throw new Error(`BENCH_ONLY must be one of ${ONLY_CHOICES.join(", ")}`);
}
const DOWNLOADS_ONLY = ONLY === "downloads";
const PAGES_ONLY = ONLY === "pages";
const PRODUCT_SLUG = "ledger-ui-kit";
/** The account `/account` is measured as (logged in through a seeded session). */
const ACCOUNT_EMAIL = "user@demo.test";

function positiveIntFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

const settings: BenchSettings = {
  connections: positiveIntFromEnv("BENCH_CONNECTIONS", 10),
  durationSeconds: positiveIntFromEnv("BENCH_DURATION", 10),
  warmupSeconds: 3,
  pageWarmupSeconds: positiveIntFromEnv("BENCH_WARMUP", 10),
  extraProducts: 1000,
  rounds: positiveIntFromEnv("BENCH_ROUNDS", 6),
  sliceSeconds: positiveIntFromEnv("BENCH_SLICE", 4),
};

/** The pages of the interleaved run; `/account` gets the seeded session's cookie. */
function pageTargets(sessionCookie: string): PageTarget[] {
  // Any cookie bypasses the page cache (isCacheablePageRequest): the page is rendered.
  const render = { Cookie: "bench=1" };
  return [
    { label: "home", path: "/", modes: ["cached", "uncached"], uncachedHeaders: render },
    {
      label: "catalog",
      path: "/products",
      modes: ["cached", "uncached"],
      uncachedHeaders: render,
    },
    {
      label: "product",
      path: `/products/${PRODUCT_SLUG}`,
      modes: ["cached", "uncached"],
      uncachedHeaders: render,
    },
    {
      label: "account",
      path: "/account",
      modes: ["uncached"],
      uncachedHeaders: { Cookie: sessionCookie },
    },
    { label: "healthz", path: "/healthz", modes: ["uncached"], uncachedHeaders: {} },
  ];
}

/** A session cookie for ACCOUNT_EMAIL, inserted into the state directory's D1. */
async function seedSession(stateDir: string): Promise<string> {
  const output = await run("npx", [
    "tsx",
    "test/bench/seed-session.ts",
    "--persist-to",
    stateDir,
    "--email",
    ACCOUNT_EMAIL,
  ]);
  return (JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as { cookie: string }).cookie;
}

async function measurePages(
  app: WranglerDev,
  baseline: WranglerDev,
  baselineBehindAssets: WranglerDev,
  sessionCookie: string,
): Promise<PagesResult> {
  const pages = pageTargets(sessionCookie);
  const slices = 2 + pages.reduce((sum, page) => sum + page.modes.length, 0);
  console.log(
    `• Pages, interleaved: ${settings.rounds} rounds of ${slices} slices of ${settings.sliceSeconds} s (bare Worker first, then behind assets), ${settings.connections} connections…`,
  );
  return runPagesBench({
    app,
    baseline,
    baselineBehindAssets,
    targets: pages,
    settings: {
      connections: settings.connections,
      rounds: settings.rounds,
      sliceSeconds: settings.sliceSeconds,
      warmupSeconds: settings.pageWarmupSeconds,
    },
    log: (line) => console.log(line),
  });
}

/** D1 statements per page render, counted in a separate process against the state directory. */
async function countQueries(stateDir: string): Promise<QueryCountRun> {
  const output = await run("npx", [
    "tsx",
    "test/bench/query-count.ts",
    "--persist-to",
    stateDir,
    "--slug",
    PRODUCT_SLUG,
  ]);
  const line = output.trim().split("\n").at(-1) ?? "";
  const counted = JSON.parse(line) as QueryCountRun;
  console.log(
    `  ${counted.products} products: ${counted.pages.map((page) => `${page.label} ${page.statements}`).join(", ")}`,
  );
  return counted;
}

async function gitCommit(): Promise<string> {
  try {
    const commit = (await run("git", ["rev-parse", "--short", "HEAD"])).trim();
    const dirty = (await run("git", ["status", "--porcelain", "--untracked-files=no"])).trim();
    return dirty ? `${commit} (with uncommitted changes)` : commit;
  } catch {
    return "unknown (not a git checkout)";
  }
}

/** `BENCH_ONLY=renewal`: only the membership renewal bench, printed (BENCHMARKS.md untouched). */
async function renewalOnly(): Promise<number> {
  console.log("• Renewal job over 1,000 and 10,000 due memberships…");
  const renewal = await runRenewalBench();
  console.log(`\n${renewal.markdown}\n`);
  return renewal.ok ? 0 : 1;
}

/** `BENCH_ONLY=backup`: only the backup and restore bench, printed (BENCHMARKS.md untouched). */
async function backupOnly(): Promise<number> {
  console.log("• Backup and restore of the bench database…");
  const backup = await runBackupBench();
  console.log(`\n${backup.markdown}\n`);
  return backup.ok ? 0 : 1;
}

/** `BENCH_ONLY=flags`: only the feature-flag bench, printed (BENCHMARKS.md untouched). */
async function flagsOnly(): Promise<number> {
  console.log("• Feature flags: D1 reads per page request and propagation of a switch…");
  const flags = await runFlagBench();
  console.log(`\n${flags.markdown}\n`);
  return flags.ok ? 0 : 1;
}

async function main(): Promise<number> {
  if (ONLY === "uploads") return runUploadBenchAlone();
  if (ONLY === "renewal") return renewalOnly();
  if (ONLY === "backup") return backupOnly();
  if (ONLY === "flags") return flagsOnly();
  let stateDir: string | undefined;
  const servers: WranglerDev[] = [];
  const cleanup = async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    await removeDir(stateDir);
    stateDir = undefined;
  };
  onInterrupt(cleanup);

  try {
    const started = Date.now();
    const loadAverage = describeLoadAverage();
    stateDir = await makeStateDir("storefront-bench-");
    console.log("• Building for production (NODE_ENV=production npm run build)…");
    const snapshot = await buildSnapshot(stateDir, { env: { NODE_ENV: "production" } });

    console.log(`• Migrating and seeding ${stateDir}…`);
    await migrateAndSeed(stateDir);
    const queryRuns: QueryCountRun[] = [];
    if (!DOWNLOADS_ONLY && !PAGES_ONLY) {
      console.log("• Counting D1 queries per page with the demo catalog…");
      queryRuns.push(await countQueries(stateDir));
    }
    if (!DOWNLOADS_ONLY) {
      const extra = await run("npx", [
        "tsx",
        "test/bench/seed-catalog.ts",
        "--persist-to",
        stateDir,
        "--count",
        String(settings.extraProducts),
      ]);
      console.log(`  ${extra.trim().split("\n").at(-1) ?? ""}`);
    }
    if (!DOWNLOADS_ONLY && !PAGES_ONLY) {
      console.log("• Counting D1 queries per page again…");
      queryRuns.push(await countQueries(stateDir));
    }
    const sessionCookie = DOWNLOADS_ONLY ? "" : await seedSession(stateDir);
    const baselineStateDir = path.join(stateDir, "baseline");
    let downloadSeed: DownloadBenchSeed | null = null;
    if (!PAGES_ONLY) {
      console.log("• Generating the download objects (1, 20, 200 MB) into local R2…");
      downloadSeed = await prepareDownloadBench({ stateDir, baselineStateDir });
    }

    console.log("• Starting the app and the baseline Worker (wrangler dev, as deployed)…");
    // Request logging off: printing every request would be part of what gets measured.
    const app = await startWranglerDev({
      snapshot,
      persistTo: stateDir,
      readyPath: "/healthz",
      logLevel: "warn",
      asDeployed: true,
    });
    servers.push(app);
    const baseline = await startWranglerDev({
      args: ["-c", "test/bench/baseline.wrangler.toml"],
      persistTo: baselineStateDir,
      readyPath: "/",
      logLevel: "warn",
      asDeployed: true,
    });
    servers.push(baseline);
    console.log(`  app ${app.url}, baseline ${baseline.url}`);

    // The bare Worker again, with the app's static assets: the floor of a Worker behind the
    // Workers Assets router (test/bench/pages.ts, PagesResult.bareBehindAssets).
    const baselineBehindAssets = DOWNLOADS_ONLY
      ? null
      : await startWranglerDev({
          args: ["-c", "test/bench/baseline-assets.wrangler.toml", "--assets", snapshot.assets],
          persistTo: path.join(stateDir, "baseline-assets"),
          readyPath: "/",
          logLevel: "warn",
          asDeployed: true,
        });
    if (baselineBehindAssets) servers.push(baselineBehindAssets);
    const pages =
      DOWNLOADS_ONLY || !baselineBehindAssets
        ? null
        : await measurePages(app, baseline, baselineBehindAssets, sessionCookie);
    const pageJs = await clientJsPerPage(path.join(snapshot.assets, "build"));
    const jsTable = clientJsTable(pageJs, CUSTOMER_PAGE_BUDGET_BYTES);
    if (pages && PAGES_ONLY) {
      console.log(`\n${pagesTable(pages)}\n\n${jsTable}\n`);
      const troubles = pageTroubles(pages);
      for (const trouble of troubles) console.warn(`⚠ ${trouble}`);
      console.log("BENCH_ONLY=pages: BENCHMARKS.md left as it is.");
      return troubles.length === 0 ? 0 : 1;
    }

    if (!downloadSeed) throw new Error("The download objects were not prepared");
    const downloadResult = await runDownloadBench({
      app,
      baseline,
      seed: downloadSeed,
      settings,
    });
    const downloadTroubles = downloadResult.concurrent.filter(
      (result) => result.non2xx > 0 || result.errors > 0,
    );
    for (const result of downloadTroubles) {
      console.warn(`⚠ ${result.path}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
    }
    if (DOWNLOADS_ONLY || !pages) {
      console.log(`\n${downloadTables(downloadResult)}\n`);
      console.log("BENCH_ONLY=downloads: BENCHMARKS.md left as it is.");
      return downloadTroubles.length === 0 ? 0 : 1;
    }
    console.log("• Product uploads, streamed to local R2…");
    const uploads = await benchUploads(app);

    const sizes = [
      await fileSize("build/index.js (Worker)", snapshot.script),
      await clientJsSize(
        "public/build/**/*.js (client, all routes)",
        path.join(snapshot.assets, "build"),
      ),
    ];
    const routes = pagesTable(pages);
    const sizesTable = sizeTable(sizes, "build/index.js (Worker)");
    const queriesTable = queryCountTable(queryRuns);
    console.log("• Renewal job over 1,000 and 10,000 due memberships…");
    const renewal = await runRenewalBench();
    console.log("• Backup and restore of the bench database…");
    const backup = await runBackupBench();
    console.log("• Feature flags: D1 reads per page request and propagation of a switch…");
    const flags = await runFlagBench();
    const wranglerVersion = (await run("npx", ["wrangler", "--version"])).trim().split("\n").at(-1);
    const markdown = benchmarksMarkdown({
      environment: {
        date: new Date().toISOString(),
        commit: await gitCommit(),
        node: process.version,
        wrangler: wranglerVersion ?? "unknown",
        machine: describeMachine(),
        loadAverage,
      },
      settings,
      routes,
      clientJs: jsTable,
      queries: queriesTable,
      sizes: sizesTable,
      downloads: downloadsSection(downloadResult),
    });
    await writeFile(
      path.join(REPO_ROOT, "BENCHMARKS.md"),
      `${markdown.trimEnd()}\n\n${uploadsMarkdown(uploads).trim()}\n\n${renewal.markdown}\n\n${backup.markdown}\n\n${flags.markdown}\n`,
    );

    console.log(`\n${routes}\n\n${jsTable}\n\n${queriesTable}\n\n${sizesTable}\n`);
    const troubled = pageTroubles(pages);
    for (const trouble of troubled) console.warn(`⚠ ${trouble}`);
    const growing = growingQueryCounts(queryRuns);
    for (const page of growing) {
      console.warn(`⚠ ${page}: its D1 query count changes with the number of products (N+1?)`);
    }
    if (!renewal.ok) console.warn("⚠ renewal: its D1 statement count grows with the memberships");
    if (!backup.ok) {
      console.warn("⚠ backup: statements did not follow rows / chunk size, or the restore failed");
    }
    if (!flags.ok) {
      console.warn("⚠ flags: more than one D1 read per interval, or a switch took too long");
    }
    console.log(`Wrote BENCHMARKS.md in ${Math.round((Date.now() - started) / 1000)} s.`);
    const healthy = troubled.length === 0 && growing.length === 0 && downloadTroubles.length === 0;
    return healthy && renewal.ok && backup.ok && flags.ok ? 0 : 1;
  } catch (error) {
    console.error(`Benchmark failed:\n${describeError(error)}`);
    return 1;
  } finally {
    await cleanup();
  }
}

process.exitCode = await main();
