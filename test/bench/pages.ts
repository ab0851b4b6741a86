/**
 * The pages benchmark (issue 17, item 5): each page cached and uncached as a share of the bare
 * Worker's requests per second, from interleaved slices, and workerd CPU per request.
 *
 * - Cached: a cookie-less GET, answered from the edge page cache (`X-Page-Cache: hit`, checked
 *   before and after every slice). Uncached: the same GET with `Cookie: bench=1`, which
 *   bypasses the cache (`isCacheablePageRequest`), so the page is rendered every time.
 *   `/account` is always uncached (a logged-in page, sent with a session cookie); `/healthz` is
 *   never cached.
 * - Interleaved: `rounds` rounds; each round is a bare-Worker slice followed by one slice per
 *   page and mode (forward in even rounds, reversed in odd ones), and a last bare slice closes
 *   the run. A slice is `sliceSeconds` of autocannon load. A page's ratio in a round is its
 *   req/s over the mean of the two bare slices around that round; the report is the median of
 *   the rounds' ratios (and their range), so drift of the machine's load cancels out instead of
 *   favouring whichever page ran first.
 * - CPU per request: utime + stime of the workerd process that runs the Worker (with its local
 *   D1 and R2) over the slice, divided by the requests it served; the median over the rounds.
 *   `wrangler dev`'s proxy (a second workerd that forwards every request, development only) is
 *   reported apart.
 */
import autocannon from "autocannon";
import type { WranglerDev } from "../e2e/local-stack";
import { clockTicksPerSecond, cpuTicks, workerdRoles } from "./workerd";

export type PageMode = "cached" | "uncached";

export interface PageTarget {
  label: string;
  path: string;
  /** Modes to measure: a cacheable page gets both, `/account` and `/healthz` only "uncached". */
  modes: PageMode[];
  /** Headers every request of the uncached mode sends (`/account`: the session cookie). */
  uncachedHeaders: Record<string, string>;
}

export interface PagesSettings {
  connections: number;
  rounds: number;
  sliceSeconds: number;
  warmupSeconds: number;
}

export interface Slice {
  requestsPerSecond: number;
  requests: number;
  /** The Worker's workerd (with local D1 and R2). */
  cpuMsPerRequest: number;
  /** wrangler dev's proxy workerd. */
  proxyCpuMsPerRequest: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

export interface ModeResult {
  /** Median over the rounds. */
  ratio: number;
  ratioMin: number;
  ratioMax: number;
  requestsPerSecond: number;
  cpuMsPerRequest: number;
  proxyCpuMsPerRequest: number;
  p50Ms: number;
  non2xx: number;
  errors: number;
  /** Cached mode: responses checked after a slice that were not `X-Page-Cache: hit`. */
  cacheMisses: number;
}

export interface PageRow {
  label: string;
  path: string;
  cached: ModeResult | null;
  uncached: ModeResult | null;
}

/** A yardstick Worker measured like a page: its ratio to the bare Worker per round. */
/** The bare Worker behind Workers Assets: a yardstick row, measured like a page's mode. */
export type YardstickResult = Pick<
  ModeResult,
  | "ratio"
  | "ratioMin"
  | "ratioMax"
  | "requestsPerSecond"
  | "cpuMsPerRequest"
  | "proxyCpuMsPerRequest"
>;

export interface PagesResult {
  settings: PagesSettings;
  /**
   * The bare Worker again, served with the app's static assets and the app's assets routing
   * (test/bench/baseline-assets.wrangler.toml): in `wrangler dev` every request first goes
   * through the Workers Assets router in the Worker's workerd, which the bare Worker does not
   * pay (in production that routing is the platform's, not the Worker's CPU). Null when not
   * measured.
   */
  bareBehindAssets: YardstickResult | null;
  bare: {
    requestsPerSecond: number;
    cpuMsPerRequest: number;
    proxyCpuMsPerRequest: number;
    p50Ms: number;
  };
  pages: PageRow[];
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** A page's ratio per round: its req/s over the mean of the bare slices before and after. */
export function roundRatios(pageRps: number[], bareRps: number[]): number[] {
  if (bareRps.length !== pageRps.length + 1) {
    throw new Error("Each round needs a bare slice before it and one after it");
  }
  return pageRps.map((rps, round) => rps / ((bareRps[round]! + bareRps[round + 1]!) / 2));
}

const cacheHeaders = (mode: PageMode, target: PageTarget): Record<string, string> =>
  mode === "cached" ? {} : target.uncachedHeaders;

/** Whether one cookie-less GET of `path` is answered from the page cache. */
async function servedFromCache(server: WranglerDev, path: string): Promise<boolean> {
  const response = await fetch(`${server.url}${path}`);
  await response.arrayBuffer();
  return response.status === 200 && response.headers.get("X-Page-Cache") === "hit";
}

/** Fail loudly before the load when a page does not answer as its mode expects. */
async function assertModes(server: WranglerDev, target: PageTarget): Promise<void> {
  for (const mode of target.modes) {
    const headers = cacheHeaders(mode, target);
    const first = await fetch(`${server.url}${target.path}`, { headers });
    const body = await first.text();
    if (first.status !== 200) {
      throw new Error(`${target.path} (${mode}) answered ${first.status}: ${body.slice(0, 300)}`);
    }
    if (mode === "cached" && !(await servedFromCache(server, target.path))) {
      throw new Error(`${target.path}: a second cookie-less GET was not a page-cache hit`);
    }
    if (mode === "uncached") {
      const again = await fetch(`${server.url}${target.path}`, { headers });
      await again.arrayBuffer();
      if (again.headers.get("X-Page-Cache") === "hit") {
        throw new Error(`${target.path} with ${Object.keys(headers).join(", ")} hit the cache`);
      }
    }
  }
}

/** The workerd processes of a `wrangler dev`: the one running the Worker, and its dev proxy. */
export type ServerPids = { worker: number[]; proxy: number[] };

export async function workerdPidsOf(server: WranglerDev): Promise<ServerPids> {
  const roles = server.pid ? await workerdRoles(server.pid) : { worker: [], proxy: [] };
  if (roles.worker.length === 0) throw new Error(`No workerd process found for ${server.url}`);
  return roles;
}

/**
 * One slice of load: autocannon on `url` for `seconds`, with the CPU the Worker's workerd (and
 * apart, its dev proxy) used meanwhile, per request served.
 */
export async function measureSlice(input: {
  url: string;
  pids: ServerPids;
  headers: Record<string, string>;
  seconds: number;
  connections: number;
  ticksPerSecond: number;
}): Promise<Slice> {
  const { pids, ticksPerSecond } = input;
  const before = await cpuTicks(pids.worker);
  const proxyBefore = await cpuTicks(pids.proxy);
  const result = await autocannon({
    url: input.url,
    connections: input.connections,
    duration: input.seconds,
    headers: input.headers,
    timeout: 10,
  });
  const cpuMs = (((await cpuTicks(pids.worker)) - before) / ticksPerSecond) * 1000;
  const proxyCpuMs = (((await cpuTicks(pids.proxy)) - proxyBefore) / ticksPerSecond) * 1000;
  const requests = result.requests.total;
  return {
    requestsPerSecond: requests / result.duration,
    requests,
    cpuMsPerRequest: requests > 0 ? cpuMs / requests : 0,
    proxyCpuMsPerRequest: requests > 0 ? proxyCpuMs / requests : 0,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

export async function runPagesBench(input: {
  app: WranglerDev;
  baseline: WranglerDev;
  /** The bare Worker served with the app's assets (see PagesResult.bareBehindAssets). */
  baselineBehindAssets?: WranglerDev;
  targets: PageTarget[];
  settings: PagesSettings;
  log?: (line: string) => void;
}): Promise<PagesResult> {
  const { app, baseline, baselineBehindAssets, targets, settings } = input;
  const log = input.log ?? console.log;
  const ticksPerSecond = await clockTicksPerSecond();
  const appPids = await workerdPidsOf(app);
  const baselinePids = await workerdPidsOf(baseline);
  const behindAssetsPids = baselineBehindAssets ? await workerdPidsOf(baselineBehindAssets) : null;

  const slice = (
    server: WranglerDev,
    pids: ServerPids,
    path: string,
    headers: Record<string, string>,
    seconds: number,
  ): Promise<Slice> =>
    measureSlice({
      url: `${server.url}${path}`,
      pids,
      headers,
      seconds,
      connections: settings.connections,
      ticksPerSecond,
    });

  for (const target of targets) await assertModes(app, target);

  // Warm-up: every page and mode once, and the bare Worker, not measured.
  const jobs = targets.flatMap((target) => target.modes.map((mode) => ({ target, mode })));
  log(`  warm-up: ${settings.warmupSeconds} s per page and mode, and the bare Worker`);
  await slice(baseline, baselinePids, "/", {}, settings.warmupSeconds);
  if (baselineBehindAssets && behindAssetsPids) {
    await slice(baselineBehindAssets, behindAssetsPids, "/", {}, settings.warmupSeconds);
  }
  for (const { target, mode } of jobs) {
    await slice(app, appPids, target.path, cacheHeaders(mode, target), settings.warmupSeconds);
  }

  const bare: Slice[] = [];
  const behindAssets: Slice[] = [];
  const measured = new Map<string, Slice[]>();
  const misses = new Map<string, number>();
  const key = (target: PageTarget, mode: PageMode) => `${target.path} ${mode}`;
  const bareSlice = async () => {
    const result = await slice(baseline, baselinePids, "/", {}, settings.sliceSeconds);
    bare.push(result);
    log(
      `    bare Worker: ${result.requestsPerSecond.toFixed(0)} req/s, ${result.cpuMsPerRequest.toFixed(1)} ms CPU/request`,
    );
  };
  for (let round = 0; round < settings.rounds; round++) {
    log(`  round ${round + 1}/${settings.rounds}: bare, then ${jobs.length} page slices`);
    await bareSlice();
    if (baselineBehindAssets && behindAssetsPids) {
      const result = await slice(
        baselineBehindAssets,
        behindAssetsPids,
        "/",
        {},
        settings.sliceSeconds,
      );
      behindAssets.push(result);
      log(
        `    bare Worker behind assets: ${result.requestsPerSecond.toFixed(0)} req/s, ${result.cpuMsPerRequest.toFixed(1)} ms CPU/request`,
      );
    }
    const order = round % 2 === 0 ? jobs : [...jobs].reverse();
    for (const { target, mode } of order) {
      const result = await slice(
        app,
        appPids,
        target.path,
        cacheHeaders(mode, target),
        settings.sliceSeconds,
      );
      measured.set(key(target, mode), [...(measured.get(key(target, mode)) ?? []), result]);
      log(
        `    ${target.path} ${mode}: ${result.requestsPerSecond.toFixed(0)} req/s, ${result.cpuMsPerRequest.toFixed(1)} ms CPU/request`,
      );
      if (mode === "cached" && !(await servedFromCache(app, target.path))) {
        misses.set(key(target, mode), (misses.get(key(target, mode)) ?? 0) + 1);
      }
    }
  }
  await bareSlice();

  const bareRps = bare.map((entry) => entry.requestsPerSecond);
  const summarize = (target: PageTarget, mode: PageMode): ModeResult | null => {
    const slices = measured.get(key(target, mode));
    if (!slices) return null;
    const ratios = roundRatios(
      slices.map((entry) => entry.requestsPerSecond),
      bareRps,
    );
    return {
      ratio: median(ratios),
      ratioMin: Math.min(...ratios),
      ratioMax: Math.max(...ratios),
      requestsPerSecond: median(slices.map((entry) => entry.requestsPerSecond)),
      cpuMsPerRequest: median(slices.map((entry) => entry.cpuMsPerRequest)),
      proxyCpuMsPerRequest: median(slices.map((entry) => entry.proxyCpuMsPerRequest)),
      p50Ms: median(slices.map((entry) => entry.p50Ms)),
      non2xx: slices.reduce((sum, entry) => sum + entry.non2xx, 0),
      errors: slices.reduce((sum, entry) => sum + entry.errors, 0),
      cacheMisses: misses.get(key(target, mode)) ?? 0,
    };
  };
  const behindAssetsRatios =
    behindAssets.length > 0
      ? roundRatios(
          behindAssets.map((entry) => entry.requestsPerSecond),
          bareRps,
        )
      : [];
  return {
    settings,
    bareBehindAssets:
      behindAssets.length > 0
        ? {
            ratio: median(behindAssetsRatios),
            ratioMin: Math.min(...behindAssetsRatios),
            ratioMax: Math.max(...behindAssetsRatios),
            requestsPerSecond: median(behindAssets.map((entry) => entry.requestsPerSecond)),
            cpuMsPerRequest: median(behindAssets.map((entry) => entry.cpuMsPerRequest)),
            proxyCpuMsPerRequest: median(behindAssets.map((entry) => entry.proxyCpuMsPerRequest)),
          }
        : null,
    bare: {
      requestsPerSecond: median(bareRps),
      cpuMsPerRequest: median(bare.map((entry) => entry.cpuMsPerRequest)),
      proxyCpuMsPerRequest: median(bare.map((entry) => entry.proxyCpuMsPerRequest)),
      p50Ms: median(bare.map((entry) => entry.p50Ms)),
    },
    pages: targets.map((target) => ({
      label: target.label,
      path: target.path,
      cached: summarize(target, "cached"),
      uncached: summarize(target, "uncached"),
    })),
  };
}

/** Pages whose responses were not all 2xx, or whose cached slices were not cache hits. */
export function pageTroubles(result: PagesResult): string[] {
  const troubles: string[] = [];
  for (const page of result.pages) {
    for (const [mode, measured] of [
      ["cached", page.cached],
      ["uncached", page.uncached],
    ] as const) {
      if (!measured) continue;
      if (measured.non2xx > 0 || measured.errors > 0) {
        troubles.push(
          `${page.path} (${mode}): ${measured.non2xx} non-2xx responses, ${measured.errors} errors`,
        );
      }
      if (measured.cacheMisses > 0) {
        troubles.push(`${page.path} (cached): ${measured.cacheMisses} slices ended off the cache`);
      }
    }
  }
  return troubles;
}
