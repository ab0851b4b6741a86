/**
 * Turning benchmark measurements into the console table and BENCHMARKS.md.
 */
import { readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { DownloadBenchResult } from "./downloads";
import { CUSTOMER_PAGE_BUDGET_BYTES, type PageJs } from "../build/client-js";
import type { ModeResult, PagesResult } from "./pages";
import type { QueryCountRun } from "./query-count";

export interface SizeRow {
  label: string;
  raw: number;
  gzip: number;
}

export interface BenchEnvironment {
  date: string;
  commit: string;
  node: string;
  wrangler: string;
  machine: string;
  /** 1/5/15-minute load averages when the run began: other work on the machine skews results. */
  loadAverage: string;
}

export interface BenchSettings {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /**
   * Seconds of unmeasured load per page and mode (and bare Worker) before the interleaved
   * rounds: a fresh isolate's CPU per request falls for its first 10–20 s of load while V8
   * optimises its code (/account: 6.1 → 5.3 → 4.6 → 3.7–4.9 ms in consecutive 3 s slices).
   */
  pageWarmupSeconds: number;
  extraProducts: number;
  /** The interleaved pages run: rounds, and seconds per slice. */
  rounds: number;
  sliceSeconds: number;
}

const MiB = 1024 * 1024;
/** Workers script size limits, measured after compression (gzip). */
export const WORKER_LIMITS = { free: 3 * MiB, paid: 10 * MiB };

export function describeLoadAverage(): string {
  return os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(" / ");
}

export function describeMachine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? "unknown CPU";
  const memory = (os.totalmem() / 1024 ** 3).toFixed(1);
  return `${model} × ${cpus.length}, ${memory} GiB RAM, ${os.type()} ${os.release()} (${os.arch()})`;
}

export async function fileSize(label: string, file: string): Promise<SizeRow> {
  const bytes = await readFile(file);
  return { label, raw: bytes.byteLength, gzip: gzipSync(bytes).byteLength };
}

/** All client JavaScript the browser may load (`public/build/**.js`), summed per file. */
export async function clientJsSize(label: string, buildDir: string): Promise<SizeRow> {
  const entries = await readdir(buildDir, { recursive: true, withFileTypes: true });
  const row: SizeRow = { label, raw: 0, gzip: 0 };
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith(".js")) continue;
    const size = await fileSize(entry.name, path.join(entry.parentPath, entry.name));
    row.raw += size.raw;
    row.gzip += size.gzip;
  }
  return row;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < MiB) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / MiB).toFixed(2)} MiB`;
}

const percent = (part: number, whole: number) => `${((part / whole) * 100).toFixed(1)} %`;

function markdownTable(header: string[], rows: string[][], alignRight: boolean[]): string {
  const rule = alignRight.map((right) => (right ? "---:" : "---"));
  return [header, rule, ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

const ratioCell = (result: Pick<ModeResult, "ratio" | "ratioMin" | "ratioMax"> | null) =>
  result
    ? `${result.ratio.toFixed(2)} (${result.ratioMin.toFixed(2)}–${result.ratioMax.toFixed(2)})`
    : "–";
const cpuCell = (result: ModeResult | null) => (result ? result.cpuMsPerRequest.toFixed(1) : "–");
const proxyCell = (result: ModeResult | null) =>
  result ? result.proxyCpuMsPerRequest.toFixed(1) : "–";
const rpsCell = (result: ModeResult | null) => (result ? result.requestsPerSecond.toFixed(0) : "–");

/** The interleaved pages run: each page cached and uncached against the bare Worker. */
export function pagesTable(result: PagesResult): string {
  const rows = [
    [
      "bare Worker",
      "1.00",
      "1.00",
      result.bare.cpuMsPerRequest.toFixed(1),
      result.bare.cpuMsPerRequest.toFixed(1),
      result.bare.proxyCpuMsPerRequest.toFixed(1),
      result.bare.requestsPerSecond.toFixed(0),
      "–",
      "0",
    ],
    ...(result.bareBehindAssets
      ? [
          [
            "bare Worker behind Workers Assets",
            ratioCell(result.bareBehindAssets),
            ratioCell(result.bareBehindAssets),
            result.bareBehindAssets.cpuMsPerRequest.toFixed(1),
            result.bareBehindAssets.cpuMsPerRequest.toFixed(1),
            result.bareBehindAssets.proxyCpuMsPerRequest.toFixed(1),
            result.bareBehindAssets.requestsPerSecond.toFixed(0),
            "–",
            "0",
          ],
        ]
      : []),
    ...result.pages.map((page) => [
      `\`${page.path}\``,
      page.cached ? ratioCell(page.cached) : "not cached",
      ratioCell(page.uncached),
      cpuCell(page.cached),
      cpuCell(page.uncached),
      proxyCell(page.uncached),
      rpsCell(page.cached),
      rpsCell(page.uncached),
      String((page.cached?.non2xx ?? 0) + (page.uncached?.non2xx ?? 0)),
    ]),
  ];
  return markdownTable(
    [
      "page",
      "cached: req/s vs bare",
      "uncached: req/s vs bare",
      "CPU ms/request cached",
      "CPU ms/request uncached",
      "wrangler proxy ms/request uncached",
      "req/s cached",
      "req/s uncached",
      "non-2xx",
    ],
    rows,
    [false, true, true, true, true, true, true, true, true],
  );
}

/** Client JavaScript a first visit of each page loads, gzip, against the customer-page budget. */
export function clientJsTable(pages: PageJs[], budgetBytes: number): string {
  return markdownTable(
    ["page", "route modules", "files", "raw", "gzip", `within ${budgetBytes / 1024} KiB gzip`],
    pages.map((page) => [
      `\`${page.path}\``,
      page.routes.join(", "),
      String(page.files.length),
      formatBytes(page.raw),
      formatBytes(page.gzip),
      page.customer ? (page.gzip <= budgetBytes ? "yes" : "**no**") : "n/a (staff)",
    ]),
    [false, false, true, true, true, false],
  );
}

export function sizeTable(rows: SizeRow[], workerLabel: string): string {
  return markdownTable(
    ["file", "raw", "gzip", "of Free limit (3 MiB gzip)", "of Paid limit (10 MiB gzip)"],
    rows.map((row) => [
      row.label,
      formatBytes(row.raw),
      formatBytes(row.gzip),
      row.label === workerLabel ? percent(row.gzip, WORKER_LIMITS.free) : "n/a (static assets)",
      row.label === workerLabel ? percent(row.gzip, WORKER_LIMITS.paid) : "n/a (static assets)",
    ]),
    [false, true, true, true, true],
  );
}

/** Pages whose query count differs between runs with different product counts (N+1 suspects). */
export function growingQueryCounts(runs: QueryCountRun[]): string[] {
  const [first, ...rest] = runs;
  if (!first) return [];
  return first.pages
    .filter((page) =>
      rest.some((run) => {
        const other = run.pages.find((candidate) => candidate.path === page.path);
        return !other || other.statements !== page.statements || other.batches !== page.batches;
      }),
    )
    .map((page) => page.path);
}

/** One row per page, one column per run: "statements (batches)". */
export function queryCountTable(runs: QueryCountRun[]): string {
  const first = runs[0];
  if (!first) return "";
  const growing = new Set(growingQueryCounts(runs));
  const rows = first.pages.map((page) => [
    `\`${page.path}\``,
    ...runs.map((run) => {
      const counted = run.pages.find((candidate) => candidate.path === page.path);
      return counted ? `${counted.statements} (${counted.batches})` : "–";
    }),
    growing.has(page.path) ? "**grows**" : "yes",
  ]);
  return markdownTable(
    [
      "page (anonymous)",
      ...runs.map((run) => `${run.products.toLocaleString("en-US")} products`),
      "constant",
    ],
    rows,
    [false, ...runs.map(() => true), false],
  );
}

/** The download benchmark: large-file throughput and memory, then concurrent small downloads. */
export function downloadTables(result: DownloadBenchResult): string {
  const large = markdownTable(
    [
      "object",
      "signed route MB/s",
      "baseline MB/s",
      "ratio",
      "app workerd RSS before → peak",
      "baseline workerd RSS before → peak",
    ],
    result.large.map((row) => [
      row.label,
      row.appMBps.toFixed(0),
      row.baselineMBps.toFixed(0),
      `${((row.appMBps / row.baselineMBps) * 100).toFixed(1)} %`,
      `${formatBytes(row.appRss.before)} → ${formatBytes(row.appRss.peak)}`,
      `${formatBytes(row.baselineRss.before)} → ${formatBytes(row.baselineRss.peak)}`,
    ]),
    [false, true, true, true, true, true],
  );
  const concurrent = markdownTable(
    ["1 MB object", "path", "req/s", "p50 ms", "p99 ms", "non-2xx", "errors"],
    result.concurrent.map((row) => [
      row.label,
      `\`${row.path}\``,
      row.requestsPerSecond.toFixed(0),
      row.p50Ms.toFixed(1),
      row.p99Ms.toFixed(1),
      String(row.non2xx),
      String(row.errors),
    ]),
    [false, false, true, true, true, true, true],
  );
  return `${large}\n\n${concurrent}`;
}

export function downloadsSection(result: DownloadBenchResult): string {
  return `## Downloads

Random-byte objects generated at bench time into local R2 (never committed). Each large object
is downloaded ${result.runsPerSize} times through the signed route (\`/downloads/:token\`: session,
token check, D1 grant, R2 head and get, redemption batch; a fresh grant per run) and
${result.runsPerSize} times by the baseline Worker reading it straight from R2 (\`/r2/<key>\`);
MB/s is the median (1 MB = 10^6 bytes), read to the end by a Node client on the same machine.
RSS is the resident memory of each \`wrangler dev\`'s workerd process, sampled every 20 ms
from /proc while that Worker served the downloads: streaming keeps it flat as the file grows.
The 1 MB rows are ${result.durationSeconds} s of autocannon with ${result.connections} connections, each
connection downloading the file over and over as an interrupted download and its resume: the first
half (\`Range: bytes=0-499999\`), then the rest (\`Range: bytes=500000-\`), two 206 responses of
500,000 bytes; req/s counts ranged requests (two per file). On the signed route every download
takes a new seeded grant: the first range redeems it (the redemption batch), the second is a
resume of it (its own conditional row within the grant's byte cap, audited), the pattern ADR 0004
allows — a grant serves one whole download plus Range resumes, so repeating whole downloads on one
grant would measure refusals. The baseline Worker serves the same two ranges straight from R2.
Non-2xx must be 0.

${downloadTables(result)}
`;
}

export function benchmarksMarkdown(input: {
  environment: BenchEnvironment;
  settings: BenchSettings;
  routes: string;
  /** Client JavaScript per page (test/build/client-js.ts). */
  clientJs: string;
  queries: string;
  sizes: string;
  /** The download benchmark's section (test/bench/downloads.ts), when it ran. */
  downloads?: string;
}): string {
  const { environment, settings } = input;
  return `# Benchmarks

Generated by \`npm run bench\` (test/bench/run.ts). Overwritten on every run.

| | |
|---|---|
| date | ${environment.date} |
| commit | ${environment.commit} |
| Node | ${environment.node} |
| wrangler | ${environment.wrangler} |
| machine | ${environment.machine} |
| load average at start | ${environment.loadAverage} |

## Pages: requests per second against the bare Worker, and workerd CPU per request

Production build (\`NODE_ENV=production npm run build\`) served by \`wrangler dev\` (local workerd, local D1 and R2) with the demo data plus ${settings.extraProducts.toLocaleString("en-US")} extra published products, loaded by autocannon with ${settings.connections} connections (no pipelining) on the same machine. The bare Worker is a Worker returning a fixed small HTML page on the same runtime (test/bench/baseline-worker.js). Every Worker is served as \`wrangler deploy\` uploads it (the bundle of its \`--dry-run --outdir\`, run with \`--no-bundle\`): the bundle \`wrangler dev\` makes itself wraps a Worker in development-only middleware (request-body draining, JSON error pages, a checked \`fetch\`) that cost 1–1.5 ms of CPU per request here and never runs in production.

- **Cached**: a cookie-less GET, answered from the edge page cache (ADR 0011; every cached slice is checked to end on an \`X-Page-Cache: hit\`). **Uncached**: the same GET with \`Cookie: bench=1\`, which bypasses the cache, so the page is rendered every time. \`/account\` is always uncached (logged in as user@demo.test with a session cookie); \`/healthz\` is never cached.
- **Interleaved slices**: after ${settings.pageWarmupSeconds} s of unmeasured load per page and mode and per bare Worker (a fresh isolate's CPU per request falls for its first 10–20 s of load while V8 optimises its code), ${settings.rounds} rounds; each round is a ${settings.sliceSeconds} s slice of the bare Worker, then one ${settings.sliceSeconds} s slice per page and mode (in reverse order every other round), and a last bare slice closes the run. A page's ratio in a round is its req/s over the mean of the bare slices before and after that round; the table shows the **median ratio over the rounds** and, in brackets, the lowest and highest. The machine's changing load (other work shares its CPUs) then moves page and bare Worker together instead of favouring whichever ran first.
- **CPU ms/request**: utime + stime of the workerd process that runs the Worker, with its local D1 and R2 (from /proc/<pid>/stat: the \`wrangler dev\`'s workerd started with an inspector), over the slice, divided by the requests it served; median over the rounds. The bare Worker's row is its own workerd's. \`wrangler dev\` runs a second workerd, a proxy that forwards every request to the first (development only, nothing like it runs in production): its CPU per request is the **wrangler proxy** column, not in the others. The load generator's CPU is in neither.
- **bare Worker behind Workers Assets**: the same bare Worker served with the app's \`public/\` directory as static assets and the app's assets routing (\`run_worker_first\`: page paths go straight to the Worker, ADR 0018), as the app is. In \`wrangler dev\` every request to such a Worker first goes through the Workers Assets router inside the same workerd; in production that routing happens before the Worker and is not its CPU. The row is the floor any page of the app starts from here, in req/s and in CPU.
- req/s columns: median over the rounds of each slice's requests / seconds. Other work on the
  machine (see the load average above) moves the ratios' ranges; the medians and the CPU per
  request are the numbers to compare.

${input.routes}

## Client JavaScript per page

What a first visit of each page loads, summed per file as served (gzip level 6, 1 KiB = 1024 bytes): the entry module, the root route and every route matching the URL, with their imports from the assets manifest (public/build/manifest-*.js) and the static imports of those files, transitively, each file once per page (test/build/client-js.ts). The manifest file itself is not loaded (lazy route discovery inlines the matched routes' part into the document). A customer page's budget is ${CUSTOMER_PAGE_BUDGET_BYTES / 1024} KiB gzip and \`npm run check:bundles\` (in CI) fails a customer page over it; \`/admin\` is staff-only and only reported.

${input.clientJs}

## D1 queries per page render

SQL statements each page's loaders send to D1 for an anonymous visitor (root loader and route
loader; in brackets, how many \`batch\` round trips), counted by test/bench/query-count.ts
with a counting proxy around the D1 binding, on the same local database before and after the
extra products were added. A count that grows with the number of products would be an N+1.

${input.queries}

## Worker bundle size

Cloudflare limits a Worker's script to 3 MiB on the Free plan and 10 MiB on the Paid plan,
measured after compression. \`build/index.js\` is the Worker; the client JavaScript is served
as static assets and does not count against that limit (shown for page weight).

${input.sizes}
${input.downloads ? `\n${input.downloads}` : ""}
## Caveats

- These are \`wrangler dev\` numbers: one local workerd process, D1 as a local SQLite file
  and the load generator on the same machine, sharing its CPUs. They are **not production
  edge numbers**: on Cloudflare, requests spread over many isolates and locations, D1 is a
  network hop away from the Worker, and cached public pages may never reach it. Use them to
  compare commits and routes on the same machine, not as capacity planning.
- The baseline shows the ceiling of the local runtime and the load generator together;
  roughly, a page at 0.20 of it costs about five times as much per request (Remix
  rendering, D1 queries) as a bare Worker. Cached pages are answered by the Worker from its
  page cache here; on Cloudflare, Workers Caching can answer them without starting the
  isolate at all, which \`wrangler dev\` cannot measure.

## How to reproduce

\`\`\`sh
npm run bench
\`\`\`

Optional: \`BENCH_ROUNDS\` (interleaved rounds, default 6), \`BENCH_SLICE\` (seconds per slice,
default 4), \`BENCH_WARMUP\` (seconds of warm-up per page and mode, default 10), \`BENCH_DURATION\` (seconds per download load row, default 10), \`BENCH_CONNECTIONS\`
(default 10). \`BENCH_ONLY=pages\` (or downloads, uploads, renewal, backup, flags) runs only that
part and prints it, leaving BENCHMARKS.md as it is.
The run builds, migrates and seeds a throw-away state directory, and removes it afterwards.
`;
}
