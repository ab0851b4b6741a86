/**
 * Turning benchmark measurements into the console table and BENCHMARKS.md.
 */
import { readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { DownloadBenchResult } from "./downloads";
import type { QueryCountRun } from "./query-count";

export interface RouteResult {
  label: string;
  path: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  totalRequests: number;
  /** Average response size (headers and body), bytes. */
  bytesPerResponse: number;
}

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
  extraProducts: number;
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

export function routeTable(results: RouteResult[], baselineLabel: string): string {
  const baseline = results.find((result) => result.label === baselineLabel);
  const rows = results.map((result) => [
    result.label === baselineLabel ? `${result.label} (bare Worker)` : `\`${result.path}\``,
    result.requestsPerSecond.toFixed(0),
    result.p50Ms.toFixed(1),
    result.p99Ms.toFixed(1),
    String(result.non2xx),
    String(result.errors),
    result.totalRequests.toLocaleString("en-US"),
    formatBytes(Math.round(result.bytesPerResponse)),
    baseline
      ? `${((result.requestsPerSecond / baseline.requestsPerSecond) * 100).toFixed(1)} %`
      : "–",
  ]);
  return markdownTable(
    [
      "route",
      "req/s",
      "p50 ms",
      "p99 ms",
      "non-2xx",
      "errors",
      "requests",
      "size/resp",
      "req/s vs baseline",
    ],
    rows,
    [false, true, true, true, true, true, true, true, true],
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
The 1 MB rows are ${result.durationSeconds} s of autocannon with ${result.connections} connections; the signed
route serves a redeemed grant (a resume), which never counts again but is audited.

${downloadTables(result)}
`;
}

export function benchmarksMarkdown(input: {
  environment: BenchEnvironment;
  settings: BenchSettings;
  routes: string;
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

## Requests per second and latency

Production build (\`NODE_ENV=production npm run build\`) served by \`wrangler dev\` (local workerd, local D1 and R2) with the demo data plus ${settings.extraProducts.toLocaleString("en-US")} extra published products. Each route gets a ${settings.warmupSeconds} s warm-up, then ${settings.durationSeconds} s of load from autocannon with ${settings.connections} connections (no pipelining), one route at a time. The baseline is a bare Worker returning a fixed small HTML page on the same runtime; the last column is each route's req/s as a share of it. Latency percentiles are per request, in milliseconds; size/resp includes headers.

${input.routes}

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
  roughly, a route at 20 % of it costs about five times as much per request (Remix
  rendering, D1 queries) as a bare Worker.

## How to reproduce

\`\`\`sh
npm run bench
\`\`\`

Optional: \`BENCH_DURATION\` (seconds per route, default 10), \`BENCH_CONNECTIONS\` (default 10).
The run builds, migrates and seeds a throw-away state directory, and removes it afterwards.
`;
}
