/**
 * Shared plumbing for the browser tests and the benchmark: run npm/npx commands, prepare a
 * throw-away wrangler state directory, and start `wrangler dev` in its own process group so
 * it (and its workerd child) can always be stopped together.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
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
  /** Stream the command's output to this process instead of collecting it. */
  inherit?: boolean;
}

/** Run a command from the repo root; resolves with its combined output, rejects on failure. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...TOOL_ENV, ...options.env },
      stdio: options.inherit ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
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

export async function makeStateDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

/** Apply the D1 migrations to `stateDir` and load the demo data into it. */
export async function migrateAndSeed(stateDir: string): Promise<void> {
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
  const seedOutput = await run("npx", ["tsx", "db/seed.ts", "--persist-to", stateDir]);
  console.log(`  ${seedOutput.trim().split("\n").at(-1) ?? ""}`);
}

export interface BuildSnapshot {
  /** The Worker bundle (`build/index.js`) copied into the state directory. */
  script: string;
  /** The static assets (`public/`, with the client build) copied next to it. */
  assets: string;
}

/**
 * Copy the fresh build out of the working tree, so a teammate's `npm run build` while the
 * tests run cannot swap the Worker (wrangler dev watches and reloads it) or the hashed
 * client files under the running server.
 */
export async function snapshotBuild(stateDir: string): Promise<BuildSnapshot> {
  const site = path.join(stateDir, "site");
  await cp(path.join(REPO_ROOT, "build"), path.join(site, "build"), { recursive: true });
  await cp(path.join(REPO_ROOT, "public"), path.join(site, "public"), { recursive: true });
  return { script: path.join(site, "build", "index.js"), assets: path.join(site, "public") };
}

export interface WranglerDev {
  url: string;
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
  const args = [
    "wrangler",
    "dev",
    ...(options.snapshot ? [options.snapshot.script, "--assets", options.snapshot.assets] : []),
    ...(options.args ?? []),
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

  const url = `http://127.0.0.1:${port}`;
  const server: WranglerDev = { url, log: () => log, stop: () => stopProcessGroup(child) };
  try {
    await waitForOk(`${url}${options.readyPath}`, child, options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    await server.stop();
    const message = error instanceof Error ? error.message : String(error);
    throw new CommandError(`wrangler dev did not become ready: ${message}`, log);
  }
  return server;
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

/** Run `cleanup` once when the process is interrupted, then exit with 130/143. */
export function onInterrupt(cleanup: () => Promise<void>): void {
  let running = false;
  const handler = (signal: NodeJS.Signals) => {
    if (running) return;
    running = true;
    console.error(`\nReceived ${signal}, cleaning up…`);
    cleanup()
      .catch((error: unknown) => console.error(error))
      .finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", handler);
  process.once("SIGTERM", handler);
}

/** Print a failed command's captured output (tail) so the reason is on screen. */
export function describeError(error: unknown): string {
  if (error instanceof CommandError) {
    const tail = error.output.trim().split("\n").slice(-80).join("\n");
    return `${error.message}\n--- output (last lines) ---\n${tail}\n---`;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
