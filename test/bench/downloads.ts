/**
 * The download benchmark (issue 5): large objects streamed through the signed route
 * (`/downloads/:token`: session, token, D1 grant, R2 head + get, redemption batch) against the
 * baseline Worker reading the same object straight from R2 (`/r2/<key>`), on the same runtime.
 *
 * - Throughput for a 20 MB and a 200 MB object (median of a few runs), and the ratio app/baseline.
 * - Peak memory of each wrangler dev's workerd process(es) during those downloads (VmRSS sampled
 *   from /proc every 20 ms): streaming means it stays flat as the file grows.
 * - Concurrent downloads of a 1 MB object (autocannon), each an interrupted download and its
 *   resume: a new grant's first half (`Range: bytes=0-499999`, the redemption), then the rest
 *   (`Range: bytes=500000-`, a resume of that grant, ADR 0004), one grant per download; the
 *   baseline serves the same two ranges straight from R2. req/s and p99 per ranged request.
 *
 * The objects are generated at bench time into the throw-away state directories (random bytes
 * → a temporary file → `wrangler r2 object put --local`), never committed.
 */
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { once } from "node:events";
import autocannon, { type RequestSpec } from "autocannon";
import { run, type WranglerDev } from "../e2e/local-stack";
import type { DownloadBenchSeed } from "./seed-downloads";
import { rssBytes, workerdPids } from "./workerd";

const MB = 1_000_000;
const BUCKET = "storefront-files-dev";
export const DOWNLOAD_SIZES = [
  { label: "1 MB", key: "bench/downloads/file-1mb.bin", size: 1 * MB },
  { label: "20 MB", key: "bench/downloads/file-20mb.bin", size: 20 * MB },
  { label: "200 MB", key: "bench/downloads/file-200mb.bin", size: 200 * MB },
] as const;
const LARGE = DOWNLOAD_SIZES.filter((file) => file.size >= 20 * MB);
const SMALL = DOWNLOAD_SIZES[0];
const RUNS_PER_SIZE = 3;
/**
 * Grants seeded for the 1 MB load row, one per download (two requests each). Warm-up and load
 * stop early if they run out (`maxOverallRequests`), which at ~150 ranged requests per second
 * on this machine would take more than 50 s.
 */
const LOAD_GRANTS = 4000;
/** The two ranges of an interrupted download and its resume. */
const HALF = Math.floor(SMALL.size / 2);
const RANGES = [`bytes=0-${HALF - 1}`, `bytes=${HALF}-`] as const;

export interface LargeDownloadResult {
  label: string;
  size: number;
  appMBps: number;
  baselineMBps: number;
  /** Resident memory of workerd just before the downloads and at its peak during them, bytes. */
  appRss: { before: number; peak: number };
  baselineRss: { before: number; peak: number };
}

export interface ConcurrentDownloadResult {
  label: string;
  path: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

export interface DownloadBenchResult {
  large: LargeDownloadResult[];
  concurrent: ConcurrentDownloadResult[];
  connections: number;
  durationSeconds: number;
  runsPerSize: number;
}

async function writeRandomFile(file: string, size: number): Promise<void> {
  const out = createWriteStream(file);
  const chunk = 4 * 1024 * 1024;
  for (let written = 0; written < size; written += chunk) {
    if (!out.write(randomBytes(Math.min(chunk, size - written)))) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

/**
 * Generate the objects, put them into the app's and the baseline's local R2, and seed the bench
 * customer, licenses and links into the app's D1. Run before the servers start.
 */
export async function prepareDownloadBench(input: {
  stateDir: string;
  baselineStateDir: string;
}): Promise<DownloadBenchSeed> {
  const scratch = path.join(input.stateDir, "bench-objects");
  await mkdir(scratch, { recursive: true });
  try {
    for (const file of DOWNLOAD_SIZES) {
      const local = path.join(scratch, path.basename(file.key));
      await writeRandomFile(local, file.size);
      for (const [config, persistTo] of [
        ["wrangler.toml", input.stateDir],
        ["test/bench/baseline.wrangler.toml", input.baselineStateDir],
      ] as const) {
        await run("npx", [
          "wrangler",
          "r2",
          "object",
          "put",
          `${BUCKET}/${file.key}`,
          "--file",
          local,
          "--content-type",
          "application/octet-stream",
          "--local",
          "--persist-to",
          persistTo,
          "-c",
          config,
        ]);
      }
      await rm(local);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const output = await run("npx", [
    "tsx",
    "test/bench/seed-downloads.ts",
    "--persist-to",
    input.stateDir,
    "--grants",
    String(RUNS_PER_SIZE),
    "--load-file",
    SMALL.key,
    "--load-grants",
    String(LOAD_GRANTS),
    ...DOWNLOAD_SIZES.flatMap((file) => ["--file", `${file.key}:${file.size}`]),
  ]);
  return JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as DownloadBenchSeed;
}

// ---- Memory of a wrangler dev's workerd --------------------------------------------------------

/** Sample the RSS of `server`'s workerd while `work` runs; returns the work's result and the peak. */
async function withMemorySampling<T>(
  server: WranglerDev,
  work: () => Promise<T>,
): Promise<{ result: T; before: number; peak: number }> {
  const pids = server.pid ? await workerdPids(server.pid) : [];
  if (pids.length === 0) throw new Error(`No workerd process found for ${server.url}`);
  const before = await rssBytes(pids);
  let peak = before;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await rssBytes(pids));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    const result = await work();
    return { result, before, peak };
  } finally {
    sampling = false;
    await sampler;
  }
}

// ---- Measurements ----------------------------------------------------------------------------

/** GET `url` and read the body to the end; MB/s. Throws unless the whole file arrived. */
async function timedDownload(url: string, size: number, cookie?: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { headers: cookie ? { Cookie: cookie } : {} });
  if (response.status !== 200 || !response.body) {
    throw new Error(`${url} answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
  }
  let bytes = 0;
  const reader = response.body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    bytes += read.value.byteLength;
  }
  const seconds = (performance.now() - started) / 1000;
  if (bytes !== size) throw new Error(`${url} sent ${bytes} bytes, expected ${size}`);
  return size / MB / seconds;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/**
 * `settings.connections` connections, each downloading in two ranges (first half, then the
 * rest) over and over; `nextPath` gives each download its URL (a new grant on the signed route).
 * Every response must be a 206.
 */
async function concurrentRanged(
  label: string,
  path: string,
  baseUrl: string,
  nextPath: () => string | undefined,
  settings: { connections: number; durationSeconds: number; warmupSeconds: number },
  headers: Record<string, string> = {},
  budget = Number.MAX_SAFE_INTEGER,
): Promise<ConcurrentDownloadResult> {
  let sent = 0;
  const requests: RequestSpec[] = [
    {
      method: "GET",
      setupRequest: (request, context) => {
        const next = nextPath();
        // Out of grants: repeat the last one, which the route refuses (shows up as non-2xx).
        if (next !== undefined) context.path = next;
        return {
          ...request,
          path: String(context.path),
          headers: { ...headers, Range: RANGES[0] },
        };
      },
    },
    {
      method: "GET",
      setupRequest: (request, context) => ({
        ...request,
        path: String(context.path),
        headers: { ...headers, Range: RANGES[1] },
      }),
    },
  ];
  const options = { url: baseUrl, connections: settings.connections, requests, timeout: 30 };
  const warmup = await autocannon({
    ...options,
    duration: settings.warmupSeconds,
    maxOverallRequests: Math.max(settings.connections, budget),
  });
  sent += warmup.requests.sent;
  const result = await autocannon({
    ...options,
    duration: settings.durationSeconds,
    maxOverallRequests: Math.max(settings.connections, budget - sent),
  });
  return {
    label,
    path,
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx + warmup.non2xx,
    errors: result.errors + result.timeouts,
  };
}

export async function runDownloadBench(input: {
  app: WranglerDev;
  baseline: WranglerDev;
  seed: DownloadBenchSeed;
  settings: { connections: number; durationSeconds: number; warmupSeconds: number };
}): Promise<DownloadBenchResult> {
  const { app, baseline, seed, settings } = input;
  const large: LargeDownloadResult[] = [];
  for (const file of LARGE) {
    const links = seed.files.find((entry) => entry.key === file.key);
    if (!links) throw new Error(`No bench links for ${file.key}`);
    console.log(`• download ${file.label}: ${RUNS_PER_SIZE} runs through each Worker…`);
    const appRun = await withMemorySampling(app, async () => {
      const speeds: number[] = [];
      // A fresh grant per run: each download is redeemed and counted, like a real one.
      for (const link of links.fresh) {
        speeds.push(await timedDownload(`${app.url}${link}`, file.size, seed.cookie));
      }
      return median(speeds);
    });
    const baselineRun = await withMemorySampling(baseline, async () => {
      const speeds: number[] = [];
      for (let i = 0; i < RUNS_PER_SIZE; i++) {
        speeds.push(await timedDownload(`${baseline.url}/r2/${file.key}`, file.size));
      }
      return median(speeds);
    });
    large.push({
      label: file.label,
      size: file.size,
      appMBps: appRun.result,
      baselineMBps: baselineRun.result,
      appRss: { before: appRun.before, peak: appRun.peak },
      baselineRss: { before: baselineRun.before, peak: baselineRun.peak },
    });
  }

  const small = seed.files.find((entry) => entry.key === SMALL.key);
  if (!small) throw new Error(`No bench links for ${SMALL.key}`);
  console.log(
    `• ${SMALL.label} downloads, ${settings.connections} connections: ${settings.warmupSeconds} s warm-up, ${settings.durationSeconds} s load…`,
  );
  let next = 0;
  const signed = () => small.load[next++];
  const straight = () => `/r2/${SMALL.key}`;
  const concurrentResults = [
    await concurrentRanged(
      "baseline (R2 straight, same two ranges)",
      `/r2/${SMALL.key}`,
      baseline.url,
      straight,
      settings,
    ),
    await concurrentRanged(
      "signed route (new grant: first half redeems, second half resumes)",
      "/downloads/:token",
      app.url,
      signed,
      settings,
      { Cookie: seed.cookie },
      small.load.length * 2,
    ),
  ];
  return {
    large,
    concurrent: concurrentResults,
    connections: settings.connections,
    durationSeconds: settings.durationSeconds,
    runsPerSize: RUNS_PER_SIZE,
  };
}
