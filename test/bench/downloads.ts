/**
 * The download benchmark (issue 5): large objects streamed through the signed route
 * (`/downloads/:token`: session, token, D1 grant, R2 head + get, redemption batch) against the
 * baseline Worker reading the same object straight from R2 (`/r2/<key>`), on the same runtime.
 *
 * - Throughput for a 20 MB and a 200 MB object (median of a few runs), and the ratio app/baseline.
 * - Peak memory of each wrangler dev's workerd process(es) during those downloads (VmRSS sampled
 *   from /proc every 20 ms): streaming means it stays flat as the file grows.
 * - Concurrent downloads of a 1 MB object (autocannon, resumed grant): req/s and p99.
 *
 * The objects are generated at bench time into the throw-away state directories (random bytes
 * → a temporary file → `wrangler r2 object put --local`), never committed.
 */
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { once } from "node:events";
import autocannon from "autocannon";
import { run, type WranglerDev } from "../e2e/local-stack";
import type { DownloadBenchSeed } from "./seed-downloads";

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
    ...DOWNLOAD_SIZES.flatMap((file) => ["--file", `${file.key}:${file.size}`]),
  ]);
  return JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as DownloadBenchSeed;
}

// ---- Memory of a wrangler dev's workerd --------------------------------------------------------

/** workerd processes in the process group `group` (npx → wrangler → workerd). */
async function workerdPids(group: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid pgrp …; comm may contain spaces, so split after the last ")".
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (comm.startsWith("workerd") && Number(fields[2]) === group) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

async function rssBytes(pids: number[]): Promise<number> {
  let total = 0;
  for (const pid of pids) {
    try {
      const status = await readFile(`/proc/${pid}/status`, "utf8");
      const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
      total += kb * 1024;
    } catch {
      // Gone.
    }
  }
  return total;
}

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

async function concurrent(
  label: string,
  url: string,
  settings: { connections: number; durationSeconds: number; warmupSeconds: number },
  headers: Record<string, string> = {},
): Promise<ConcurrentDownloadResult> {
  const options = { url, connections: settings.connections, headers, timeout: 30 };
  await autocannon({ ...options, duration: settings.warmupSeconds });
  const result = await autocannon({ ...options, duration: settings.durationSeconds });
  return {
    label,
    path: new URL(url).pathname.replace(/^\/downloads\/.+$/, "/downloads/:token"),
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
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
  const concurrentResults = [
    await concurrent(`baseline (R2 straight)`, `${baseline.url}/r2/${SMALL.key}`, settings),
    await concurrent(`signed route (resumed grant)`, `${app.url}${small.resumable}`, settings, {
      Cookie: seed.cookie,
    }),
  ];
  return {
    large,
    concurrent: concurrentResults,
    connections: settings.connections,
    durationSeconds: settings.durationSeconds,
    runsPerSize: RUNS_PER_SIZE,
  };
}
