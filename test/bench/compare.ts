/**
 * Two builds of the app side by side, for deciding whether a change makes pages cheaper: the
 * same pages, uncached, in interleaved slices on two `wrangler dev` servers, with the workerd
 * CPU per request of each. Run-to-run noise on a shared machine is larger than most single
 * changes (the bare Worker moves 15–30 % between runs); within one interleaved run both builds
 * see the same load, so their ratio is what to read.
 *
 *   npm run bench:compare -- --save before      # build the working tree, keep it as "before"
 *   (change something)
 *   npm run bench:compare -- --save after
 *   npm run bench:compare -- before after [/ /products …]
 *
 * Saved builds live under $TMPDIR/storefront-builds/<name> (a snapshot of build/, public/ and
 * wrangler.toml).
 * BENCH_ROUNDS (default 4), BENCH_SLICE (seconds, default 4) and BENCH_WARMUP (seconds per build
 * and page before the rounds, default 10) set the length; BENCH_CACHED=1
 * measures the page-cache hits of cookie-less requests instead of renders (/account stays
 * logged in, so uncached).
 */
import { cp, mkdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import {
  buildSnapshot,
  makeStateDir,
  migrateAndSeed,
  onInterrupt,
  removeDir,
  run,
  startWranglerDev,
  type BuildSnapshot,
  type WranglerDev,
} from "../e2e/local-stack";
import { measureSlice, median, workerdPidsOf, type ServerPids, type Slice } from "./pages";
import { clockTicksPerSecond } from "./workerd";

const BUILDS_DIR = path.join(os.tmpdir(), "storefront-builds");
const DEFAULT_PATHS = ["/", "/products", "/products/ledger-ui-kit", "/account"];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const SLICE_SECONDS = Number(process.env.BENCH_SLICE ?? 4);
/** Unmeasured load per build and page first: a fresh isolate gets cheaper as V8 optimises. */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 10);
const CONNECTIONS = 10;
const CACHED = process.env.BENCH_CACHED === "1";

const savedBuild = (name: string): BuildSnapshot => ({
  script: path.join(BUILDS_DIR, name, "build", "index.js"),
  assets: path.join(BUILDS_DIR, name, "public"),
  config: path.join(BUILDS_DIR, name, "wrangler.toml"),
});

async function save(name: string): Promise<void> {
  const work = await makeStateDir("storefront-compare-build-");
  try {
    const snapshot = await buildSnapshot(work, { env: { NODE_ENV: "production" } });
    const target = path.join(BUILDS_DIR, name);
    await rm(target, { recursive: true, force: true });
    await mkdir(target, { recursive: true });
    await cp(path.dirname(snapshot.script), path.join(target, "build"), { recursive: true });
    await cp(snapshot.assets, path.join(target, "public"), { recursive: true });
    // The configuration is part of what is compared (Workers Assets routing, flags).
    await cp("wrangler.toml", path.join(target, "wrangler.toml"));
    console.log(`Saved the working tree's build as "${name}" (${target}).`);
  } finally {
    await removeDir(work);
  }
}

interface Contender {
  name: string;
  server: WranglerDev;
  pids: ServerPids;
}

async function compare(names: [string, string], paths: string[]): Promise<void> {
  let stateDir: string | undefined;
  const servers: WranglerDev[] = [];
  const cleanup = async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    await removeDir(stateDir);
    stateDir = undefined;
  };
  onInterrupt(cleanup);
  try {
    stateDir = await makeStateDir("storefront-compare-");
    await migrateAndSeed(stateDir);
    await run("npx", [
      "tsx",
      "test/bench/seed-catalog.ts",
      "--persist-to",
      stateDir,
      "--count",
      "1000",
    ]);
    const session = await run("npx", [
      "tsx",
      "test/bench/seed-session.ts",
      "--persist-to",
      stateDir,
      "--email",
      "user@demo.test",
    ]);
    const { cookie } = JSON.parse(session.trim().split("\n").at(-1) ?? "{}") as {
      cookie: string;
    };
    // Each build gets its own copy of the state: two workerds never share one SQLite file.
    const stateOf = (index: number) => path.join(stateDir!, `copy-${index}`);
    const ticksPerSecond = await clockTicksPerSecond();
    const contenders: Contender[] = [];
    for (const [index, name] of names.entries()) {
      await cp(path.join(stateDir, "v3"), path.join(stateOf(index), "v3"), { recursive: true });
      const server = await startWranglerDev({
        snapshot: savedBuild(name),
        persistTo: stateOf(index),
        readyPath: "/healthz",
        logLevel: "warn",
        asDeployed: true,
      });
      servers.push(server);
      contenders.push({ name, server, pids: await workerdPidsOf(server) });
    }
    // Any cookie bypasses the page cache; /account gets the session's.
    const headersFor = (pagePath: string): Record<string, string> =>
      pagePath.startsWith("/account") ? { Cookie: cookie } : CACHED ? {} : { Cookie: "bench=1" };
    const slice = (contender: Contender, pagePath: string, seconds: number) =>
      measureSlice({
        url: `${contender.server.url}${pagePath}`,
        pids: contender.pids,
        headers: headersFor(pagePath),
        seconds,
        connections: CONNECTIONS,
        ticksPerSecond,
      });
    for (const contender of contenders) {
      for (const pagePath of paths) await slice(contender, pagePath, WARMUP_SECONDS);
    }
    const results = new Map<string, Slice[]>();
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? contenders : [...contenders].reverse();
      for (const pagePath of paths) {
        for (const contender of order) {
          const result = await slice(contender, pagePath, SLICE_SECONDS);
          if (result.non2xx > 0 || result.errors > 0) {
            throw new Error(`${contender.name} ${pagePath}: ${result.non2xx} non-2xx responses`);
          }
          const key = `${contender.name} ${pagePath}`;
          results.set(key, [...(results.get(key) ?? []), result]);
          console.log(
            `  round ${round + 1} ${key}: ${result.requestsPerSecond.toFixed(0)} req/s, ${result.cpuMsPerRequest.toFixed(2)} ms CPU/request`,
          );
        }
      }
    }
    const [a, b] = names;
    console.log(
      `\n| page | ${a} CPU ms/req | ${b} CPU ms/req | ${b} / ${a} CPU | ${b} / ${a} req/s |`,
    );
    console.log("| --- | ---: | ---: | ---: | ---: |");
    for (const pagePath of paths) {
      const of = (name: string) => results.get(`${name} ${pagePath}`)!;
      const cpu = (name: string) => median(of(name).map((entry) => entry.cpuMsPerRequest));
      const ratios = of(a).map(
        (entry, round) => of(b)[round]!.requestsPerSecond / entry.requestsPerSecond,
      );
      console.log(
        `| \`${pagePath}\` | ${cpu(a).toFixed(2)} | ${cpu(b).toFixed(2)} | ${(cpu(b) / cpu(a)).toFixed(3)} | ${median(ratios).toFixed(3)} |`,
      );
    }
  } finally {
    await cleanup();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--save" && args[1]) return save(args[1]);
  const [a, b, ...paths] = args;
  if (!a || !b) {
    throw new Error("Usage: bench:compare -- --save <name> | <name A> <name B> [paths…]");
  }
  await compare([a, b], paths.length > 0 ? paths : DEFAULT_PATHS);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
