/**
 * Shared plumbing for the browser tests and the benchmark: run npm/npx commands, prepare a
 * throw-away wrangler state directory, and start `wrangler dev` in its own process group so
 * it (and its workerd child) can always be stopped together.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Keep wrangler quiet and offline-friendly: no telemetry, no colour codes in captured logs. */
const TOOL_ENV = { WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" };

export class CommandError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
  }
}

export interface RunOptions {
  env?: Record<string, string>;
}

/** Run a command from the repo root; resolves with its combined output, rejects on failure. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...TOOL_ENV, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) resolve(output);
      else {
        const how = signal ? `signal ${signal}` : `exit code ${code}`;
        reject(new CommandError(`\`${command} ${args.join(" ")}\` failed with ${how}`, output));
      }
    });
  });
}

/** A port the OS just handed out on 127.0.0.1 (bound to port 0, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("Could not read the port of a freshly bound socket"));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/** A fresh directory under the OS temp dir, removed by a reaper if this process is killed. */
export async function makeStateDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  startReaper({ dir });
  return dir;
}

/**
 * The watchdog behind every cleanup that must survive us: a detached Node process that
 * polls this process and, once it is gone, stops a process group and/or removes a
 * directory. Needed because the runner can die without running `finally` (tsx answers a
 * Ctrl-C it cannot relay in time with SIGKILL; a CI job can be killed), and a detached
 * wrangler would then run on forever. It exits by itself once there is nothing left to do.
 */
const REAPER_SOURCE = `
const fs = require("node:fs");
const [parent, group, dir] = [Number(process.argv[1]), Number(process.argv[2]), process.argv[3]];
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === "EPERM"; } };
const kill = (signal) => { try { process.kill(-group, signal); } catch {} };
const timer = setInterval(() => {
  const groupAlive = group > 0 && alive(-group);
  const dirExists = dir !== "" && fs.existsSync(dir);
  if (!groupAlive && !dirExists) process.exit(0);
  if (alive(parent)) return;
  clearInterval(timer);
  if (groupAlive) kill("SIGTERM");
  setTimeout(() => {
    if (groupAlive) kill("SIGKILL");
    if (dirExists) fs.rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }, 3000);
}, 1000);
`;

function startReaper(target: { group?: number; dir?: string }): void {
  const args = [
    "-e",
    REAPER_SOURCE,
    String(process.pid),
    String(target.group ?? 0),
    target.dir ?? "",
  ];
  spawn(process.execPath, args, { detached: true, stdio: "ignore" }).unref();
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

/** Apply the D1 migrations to `stateDir` and load the demo data into it. */
/** Apply the migrations to the local D1 in `stateDir`. */
export async function migrateState(stateDir: string): Promise<void> {
  await run("npx", [
    "wrangler",
    "d1",
    "migrations",
    "apply",
    "DB",
    "--local",
    "--persist-to",
    stateDir,
  ]);
}

export async function migrateAndSeed(stateDir: string): Promise<void> {
  await migrateState(stateDir);
  const seedOutput = await run("npx", ["tsx", "db/seed.ts", "--persist-to", stateDir]);
  console.log(`  ${seedOutput.trim().split("\n").at(-1) ?? ""}`);
}

export interface BuildSnapshot {
  /** The Worker bundle (`build/index.js`) copied into the state directory. */
  script: string;
  /** The static assets (`public/`, with the client build) copied next to it. */
  assets: string;
  /** The Worker configuration to serve it with; the repository's `wrangler.toml` if unset. */
  config?: string;
}

/**
 * Build, then copy the result out of the working tree, so a teammate's `npm run build` while
 * the tests run cannot swap the Worker (wrangler dev watches and reloads it) or the hashed
 * client files under the running server. If another build overlapped ours, the Worker and
 * the client files disagree about hashes; then it builds again.
 */
export async function buildSnapshot(
  stateDir: string,
  options: { env?: Record<string, string> } = {},
): Promise<BuildSnapshot> {
  const site = path.join(stateDir, "site");
  const attempts = 3;
  for (let attempt = 1; ; attempt += 1) {
    await run("npm", ["run", "build"], { env: options.env });
    await rm(site, { recursive: true, force: true });
    await cp(path.join(REPO_ROOT, "build"), path.join(site, "build"), { recursive: true });
    await cp(path.join(REPO_ROOT, "public"), path.join(site, "public"), { recursive: true });
    const snapshot = {
      script: path.join(site, "build", "index.js"),
      assets: path.join(site, "public"),
    };
    const missing = await missingClientFiles(snapshot);
    if (missing.length === 0) return snapshot;
    if (attempt === attempts) {
      throw new Error(
        `The build keeps changing under us (another build running?); missing: ${missing.join(", ")}`,
      );
    }
    console.log(`  another build overlapped ours (${missing[0]} missing); building again…`);
  }
}

/** Client files the Worker bundle links to (`/build/…`) that the snapshot does not have. */
async function missingClientFiles(snapshot: BuildSnapshot): Promise<string[]> {
  const bundle = await readFile(snapshot.script, "utf8");
  const urls = new Set(
    [...bundle.matchAll(/["'`](\/build\/[^"'`?#\s]+)/g)].map((match) => match[1]!),
  );
  const missing: string[] = [];
  for (const url of urls) {
    const file = path.join(snapshot.assets, ...url.split("/").filter(Boolean));
    if (!existsSync(file)) missing.push(url);
  }
  return missing;
}

export interface WranglerDev {
  url: string;
  /** The process group (npx → wrangler → workerd), e.g. to sample workerd's memory. */
  pid: number | undefined;
  /** The DevTools inspector's HTTP endpoint (`/json` lists the Worker), e.g. to profile it. */
  inspectorUrl: string;
  /** Everything wrangler printed so far (capped). */
  log(): string;
  stop(): Promise<void>;
}

export interface WranglerDevOptions {
  /** Extra arguments before the flags this helper adds (script path, `-c config`…). */
  args?: string[];
  /** Serve this copy of the build instead of the working tree's `build/` and `public/`. */
  snapshot?: BuildSnapshot;
  persistTo: string;
  /** A path that must answer 200 before the server counts as ready. */
  readyPath: string;
  readyTimeoutMs?: number;
  logLevel?: "debug" | "info" | "log" | "warn" | "error" | "none";
  /**
   * Serve the Worker exactly as `wrangler deploy` uploads it (the bundle of its dry run, with
   * `--no-bundle`) instead of the bundle `wrangler dev` makes, which wraps the Worker in
   * development-only middleware (request-body draining, JSON error pages, a checked `fetch`)
   * that costs 1–1.5 ms of CPU per request here and never runs in production. For benchmarks.
   */
  asDeployed?: boolean;
}

const MAX_LOG_CHARS = 200_000;

/**
 * Start `npx wrangler dev` on free ports (HTTP and inspector, so several can run side by
 * side) and wait until `readyPath` answers 200. On timeout the process group is stopped and
 * the error carries wrangler's log.
 */
export async function startWranglerDev(options: WranglerDevOptions): Promise<WranglerDev> {
  const port = await freePort();
  let inspectorPort = await freePort();
  while (inspectorPort === port) inspectorPort = await freePort();
  // The explicit config matters with a snapshot: wrangler would otherwise look for one next
  // to the script, find none, and start the Worker without bindings or vars.
  const target = [
    ...(options.snapshot
      ? ["--assets", options.snapshot.assets, "-c", options.snapshot.config ?? "wrangler.toml"]
      : []),
    ...(options.args ?? []),
  ];
  const script = options.snapshot ? [options.snapshot.script] : [];
  const served = options.asDeployed
    ? [await deployBundle([...script, ...target], options.persistTo), "--no-bundle"]
    : script;
  const args = [
    "wrangler",
    "dev",
    ...served,
    ...target,
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    "--inspector-port",
    String(inspectorPort),
    "--inspector-ip",
    "127.0.0.1",
    "--persist-to",
    options.persistTo,
    "--show-interactive-dev-session=false",
    ...(options.logLevel ? ["--log-level", options.logLevel] : []),
  ];
  const child = spawn("npx", args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...TOOL_ENV },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: `process.kill(-pid)` then reaches npx, wrangler and workerd.
    detached: true,
  });
  let log = "";
  const append = (chunk: Buffer) => {
    log += chunk.toString();
    if (log.length > MAX_LOG_CHARS) log = log.slice(-MAX_LOG_CHARS);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  if (child.pid !== undefined) startReaper({ group: child.pid });

  const url = `http://127.0.0.1:${port}`;
  const server: WranglerDev = {
    url,
    pid: child.pid,
    inspectorUrl: `http://127.0.0.1:${inspectorPort}`,
    log: () => log,
    stop: () => stopProcessGroup(child),
  };
  try {
    await waitForOk(`${url}${options.readyPath}`, child, options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    await server.stop();
    const message = error instanceof Error ? error.message : String(error);
    throw new CommandError(`wrangler dev did not become ready: ${message}`, log);
  }
  return server;
}

/**
 * `wrangler deploy --dry-run` of the Worker `target` names (script, config, assets): the
 * file it would upload, written under `stateDir`.
 */
async function deployBundle(target: string[], stateDir: string): Promise<string> {
  const outDir = path.join(stateDir, "deploy-bundle");
  await rm(outDir, { recursive: true, force: true });
  await run("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outDir, ...target]);
  const scripts = (await readdir(outDir)).filter((file) => file.endsWith(".js"));
  if (scripts.length !== 1) {
    throw new Error(`wrangler deploy --dry-run wrote ${scripts.length} scripts to ${outDir}`);
  }
  return path.join(outDir, scripts[0]!);
}

async function waitForOk(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`wrangler exited early (${child.exitCode ?? child.signalCode})`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s (last: ${last})`);
}

/** SIGTERM the whole group, give it a few seconds, then SIGKILL whatever is left. */
async function stopProcessGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
      return true;
    } catch {
      return false; // ESRCH: the group is already gone
    }
  };
  if (!signalGroup("SIGTERM")) return;
  const exited = child.exitCode !== null || child.signalCode !== null;
  if (!exited) {
    await Promise.race([
      new Promise((resolve) => child.once("exit", resolve)),
      new Promise((resolve) => setTimeout(resolve, 5_000)),
    ]);
  }
  // workerd can outlive its parent for a moment; make sure nothing of the group survives.
  await new Promise((resolve) => setTimeout(resolve, 200));
  signalGroup("SIGKILL");
}

/** Run `cleanup` once when the process is interrupted or hung up, then exit (128 + signal). */
export function onInterrupt(cleanup: () => Promise<void>): void {
  let running = false;
  const handler = (signal: NodeJS.Signals) => {
    if (running) return;
    running = true;
    console.error(`\nReceived ${signal}, cleaning up…`);
    cleanup()
      .catch((error: unknown) => console.error(error))
      .finally(() => process.exit(128 + os.constants.signals[signal]));
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, handler);
}

/** Print a failed command's captured output (tail) so the reason is on screen. */
export function describeError(error: unknown): string {
  if (error instanceof CommandError) {
    const tail = error.output.trim().split("\n").slice(-80).join("\n");
    return `${error.message}\n--- output (last lines) ---\n${tail}\n---`;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
