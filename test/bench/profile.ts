/**
 * `npm run bench:profile [-- /products /account …]`: where an uncached page's CPU goes, by
 * package. Builds a readable Worker (SERVER_MINIFY=0, so esbuild's `// node_modules/…` module
 * comments survive), serves it with `wrangler dev` on demo data, samples it with the DevTools
 * profiler over `PROFILE_REQUESTS` sequential requests per page (`Cookie: bench=1`, which
 * bypasses the page cache; `/account…` pages get user@demo.test's session), and prints each
 * package's share of the samples taken inside the Worker's own code (`PROFILE_CACHED=1`: the
 * page-cache hits of cookie-less requests instead; `PROFILE_FUNCTIONS=20`: the top functions).
 */
import { readFile } from "node:fs/promises";
import {
  buildSnapshot,
  describeError,
  makeStateDir,
  migrateAndSeed,
  onInterrupt,
  removeDir,
  run,
  startWranglerDev,
  type WranglerDev,
} from "../e2e/local-stack";
import { workerdPidsOf } from "./pages";
import { clockTicksPerSecond, cpuTicks } from "./workerd";

const REQUESTS = Number(process.env.PROFILE_REQUESTS ?? 200);
const SAMPLING_INTERVAL_US = 100;
const PAGES = process.argv.slice(2).filter((arg: string) => arg.startsWith("/"));
const DEFAULT_PAGES = ["/", "/products", "/products/ledger-ui-kit", "/account"];

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

/** A minimal DevTools protocol client over the inspector's WebSocket. */
async function connect(inspectorUrl: string) {
  const targets = (await (await fetch(`${inspectorUrl}/json`)).json()) as Array<{
    webSocketDebuggerUrl: string;
  }>;
  const target = targets[0];
  if (!target) throw new Error(`No inspector target at ${inspectorUrl}/json`);
  // The inspector proxy refuses a WebSocket without an allowed Origin (Node's WebSocket sends
  // none); undici takes extra headers in its init object.
  const socket = new WebSocket(target.webSocketDebuggerUrl, {
    headers: { Origin: "http://127.0.0.1" },
  } as unknown as string[]);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", reject, { once: true });
  });
  let nextId = 1;
  const waiting = new Map<number, (result: unknown) => void>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) waiting.get(message.id)?.(message.result);
  });
  return {
    send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
      const id = nextId++;
      socket.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve) => waiting.set(id, resolve as (result: unknown) => void));
    },
    close: () => socket.close(),
  };
}

/** For each line of the unminified bundle, the package (or `app`) its module comment names. */
function packageByLine(bundle: string): string[] {
  const owners: string[] = [];
  let current = "worker entry";
  for (const line of bundle.split("\n")) {
    const comment = /^\/\/ (.+)$/.exec(line)?.[1];
    if (comment && /[./]/.test(comment)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(comment)?.[1];
      current = pkg ?? (comment.startsWith("app/") ? `app/${comment.split("/")[1]}` : comment);
    }
    owners.push(current);
  }
  return owners;
}

function shares(profile: CpuProfile, owners: string[], bundleName: string) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const counts = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  let program = 0;
  for (const sample of profile.samples) {
    const frame = byId.get(sample);
    if (!frame) continue;
    let owner: string;
    if (frame.url.endsWith(bundleName)) owner = owners[frame.lineNumber] ?? "worker entry";
    else if (frame.functionName === "(garbage collector)") owner = "(garbage collector)";
    else if (frame.functionName === "(idle)") continue;
    else if (frame.functionName === "(program)") {
      program += 1;
      continue;
    } else
      owner = frame.url ? `runtime: ${frame.url.split("/").at(-1)}` : `(${frame.functionName})`;
    counts.set(owner, (counts.get(owner) ?? 0) + 1);
    const name = `${frame.functionName || "(anonymous)"} (${owner}:${frame.lineNumber + 1})`;
    functions.set(name, (functions.get(name) ?? 0) + 1);
    total += 1;
  }
  return {
    total,
    program,
    rows: [...counts].sort((a, b) => b[1] - a[1]),
    functions: [...functions].sort((a, b) => b[1] - a[1]),
  };
}

async function main(): Promise<void> {
  let stateDir: string | undefined;
  let server: WranglerDev | undefined;
  const cleanup = async () => {
    await server?.stop();
    await removeDir(stateDir);
  };
  onInterrupt(cleanup);
  try {
    stateDir = await makeStateDir("profile-");
    console.log("Building a readable Worker (SERVER_MINIFY=0)…");
    const snapshot = await buildSnapshot(stateDir, { env: { SERVER_MINIFY: "0" } });
    const owners = packageByLine(await readFile(snapshot.script, "utf8"));
    await migrateAndSeed(stateDir);
    const session = JSON.parse(
      (
        await run("npx", [
          "tsx",
          "test/bench/seed-session.ts",
          "--persist-to",
          stateDir,
          "--email",
          "user@demo.test",
        ])
      )
        .trim()
        .split("\n")
        .at(-1)!,
    ) as { cookie: string };
    server = await startWranglerDev({
      // As built: wrangler's own bundling would move every line the module comments name.
      args: ["--no-bundle"],
      snapshot,
      persistTo: stateDir,
      readyPath: "/healthz",
      logLevel: "warn",
    });
    const pids = await workerdPidsOf(server);
    const ticksPerSecond = await clockTicksPerSecond();
    const inspector = await connect(server.inspectorUrl);
    await inspector.send("Profiler.enable");
    await inspector.send("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
    for (const path of PAGES.length > 0 ? PAGES : DEFAULT_PAGES) {
      // PROFILE_CACHED=1: cookie-less requests, answered from the page cache where it can.
      const cached = process.env.PROFILE_CACHED === "1" && !path.startsWith("/account");
      const cookie = path.startsWith("/account") ? `${session.cookie}; bench=1` : "bench=1";
      const get = async () => {
        const headers: Record<string, string> = cached ? {} : { Cookie: cookie };
        const response = await fetch(`${server!.url}${path}`, { headers });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
      };
      for (let i = 0; i < 20; i += 1) await get(); // warm the isolate
      // The process's CPU with the profiler off (its sampling costs the process a lot).
      const ticksBefore = await cpuTicks(pids.worker);
      for (let i = 0; i < REQUESTS; i += 1) await get();
      const ticks = (await cpuTicks(pids.worker)) - ticksBefore;
      await inspector.send("Profiler.start");
      for (let i = 0; i < REQUESTS; i += 1) await get();
      const { profile } = await inspector.send<{ profile: CpuProfile }>("Profiler.stop");
      const { total, program, rows, functions } = shares(profile, owners, "index.js");
      // What the Worker's own isolate ran, against all the workerd process did (its other
      // isolates: the dev entry and assets router, local D1; and native work), sequentially.
      const perRequest = (ms: number) => `${(ms / REQUESTS).toFixed(2)} ms/request`;
      const sampleMs = SAMPLING_INTERVAL_US / 1000;
      console.log(
        `\n${path}: ${total} samples in the Worker over ${REQUESTS} requests` +
          ` (its JavaScript ${perRequest(total * sampleMs)}, native "(program)" ${perRequest(program * sampleMs)};` +
          ` the whole workerd process ${perRequest((1000 * ticks) / ticksPerSecond)})`,
      );
      for (const [owner, count] of rows.slice(0, 14)) {
        console.log(`  ${((100 * count) / total).toFixed(1).padStart(5)} %  ${owner}`);
      }
      // PROFILE_FUNCTIONS=20: also the functions with the most samples of their own.
      const top = Number(process.env.PROFILE_FUNCTIONS ?? 0);
      if (top > 0) console.log("  functions (self):");
      for (const [name, count] of functions.slice(0, top)) {
        console.log(`  ${((100 * count) / total).toFixed(1).padStart(5)} %  ${name}`);
      }
    }
    inspector.close();
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(describeError(error));
  process.exitCode = 1;
});
