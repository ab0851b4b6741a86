/**
 * What the bench reads about a `wrangler dev`'s workerd from /proc: its processes (under the
 * wrangler's process group), their resident memory and their CPU time.
 */
import { readdir, readFile } from "node:fs/promises";
import { run } from "../e2e/local-stack";

/** workerd processes in the process group `group` (npx → wrangler → workerd). */
export async function workerdPids(group: number): Promise<number[]> {
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

/**
 * The group's workerd processes by role. `wrangler dev` runs two: a proxy that owns the public
 * port and forwards every request (development only; nothing like it runs in production), and
 * the workerd that runs the Worker with its local D1 and R2, the one started with an inspector
 * (`--inspector-addr`). Without such a process all of them count as the Worker's.
 */
export async function workerdRoles(group: number): Promise<{ worker: number[]; proxy: number[] }> {
  const pids = await workerdPids(group);
  const worker: number[] = [];
  const proxy: number[] = [];
  for (const pid of pids) {
    let commandLine = "";
    try {
      commandLine = await readFile(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      continue;
    }
    (commandLine.includes("--inspector-addr") ? worker : proxy).push(pid);
  }
  return worker.length > 0 ? { worker, proxy } : { worker: pids, proxy: [] };
}

export async function rssBytes(pids: number[]): Promise<number> {
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

/**
 * utime + stime of the processes, in clock ticks (fields 14 and 15 of /proc/<pid>/stat, i.e.
 * the 12th and 13th after the command name).
 */
export async function cpuTicks(pids: number[]): Promise<number> {
  let total = 0;
  for (const pid of pids) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Gone.
    }
  }
  return total;
}

/** Clock ticks per second (`getconf CLK_TCK`, 100 on Linux in practice). */
export async function clockTicksPerSecond(): Promise<number> {
  try {
    const ticks = Number((await run("getconf", ["CLK_TCK"])).trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}
