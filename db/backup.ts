/**
 * `npm run backup -- --type pre-deployment` (docs/architecture.md §11, ADR 0008).
 *
 * - Local (the default): backs up the local D1 into the local R2 through getPlatformProxy,
 *   exactly what `wrangler dev` serves (`--persist-to <dir>` as for wrangler). It runs the
 *   Worker's own backup service, step after step, until the backup is done.
 * - Deployed: `--url https://your-store.example` with `OPS_TOKEN` in the environment calls
 *   `POST /ops/backups` on that Worker, one step per request (each request is an invocation
 *   with its own limits), until the backup is done.
 *
 * `--type scheduled|manual|pre-deployment` (default manual), `--parts database,config,
 * audit-logs,files` (default: all). Prints a line per step and the backup id; exits with 1 when
 * the backup failed or was refused.
 */
import { parseArgs } from "node:util";
import type { BackupTrigger } from "#db/schema/enums";
import { BACKUP_PARTS, triggerFromCli, type BackupPart } from "~/domain/backups/parts";
import { runBackup, type BackupProgress } from "~/services/backups/backup-runs.server";
import { runMain } from "./cli";
import { openLocalPlatform } from "./seed";

export interface BackupRequest {
  trigger: BackupTrigger;
  parts: BackupPart[];
  log: (line: string) => void;
}

export class BackupFailedError extends Error {
  override name = "BackupFailedError";
}

const describe = (progress: BackupProgress) =>
  `${progress.backupId}: ${progress.status.toLowerCase()}, ${progress.tablesDone}/${progress.tablesTotal ?? "?"} tables, ${progress.rows.toLocaleString("en-US")} rows, ${progress.bytes.toLocaleString("en-US")} bytes`;

/** Against the local state, in this process. */
export async function backupLocally(
  input: BackupRequest & { persistTo?: string },
): Promise<BackupProgress> {
  const platform = await openLocalPlatform(input.persistTo);
  try {
    const run = await runBackup(
      { d1: platform.env.DB, files: platform.env.FILES },
      {
        trigger: input.trigger,
        parts: input.parts,
        actor: null,
        clock: () => new Date(),
        onStep: (progress) => input.log(describe(progress)),
      },
    );
    if (!run.ok) throw new BackupFailedError(run.message);
    if (run.progress.status !== "COMPLETED") {
      throw new BackupFailedError(`Backup ${run.progress.backupId} failed: ${run.progress.error}`);
    }
    return run.progress;
  } finally {
    await platform.dispose();
  }
}

const BUSY_RETRY_MS = 5_000;
const MAX_REQUESTS = 2_000;

/** Against a deployed Worker, through `POST /ops/backups`. */
export async function backupThroughEndpoint(
  input: BackupRequest & { url: string; token: string },
): Promise<BackupProgress> {
  const endpoint = new URL("/ops/backups", input.url);
  const call = async (body: unknown) => {
    const response = await fetch(endpoint, {
      method: "POST",
      headers: { Authorization: `Bearer ${input.token}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const json = (await response.json().catch(() => ({}))) as Partial<BackupProgress> & {
      error?: string;
      reason?: string;
    };
    return { status: response.status, json };
  };

  let backupId: string | undefined;
  let answer = await call({
    type: input.trigger.toLowerCase().replace("_", "-"),
    parts: input.parts,
  });
  for (let requests = 1; requests < MAX_REQUESTS; requests++) {
    if (answer.status === 409 && answer.json.reason === "busy" && backupId) {
      // Another step (the hourly job, an admin) holds the backup: wait for it.
      await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_MS));
    } else if (answer.status !== 200) {
      throw new BackupFailedError(
        `${endpoint} answered ${answer.status}: ${answer.json.error ?? "no explanation"}`,
      );
    } else {
      const progress = answer.json as BackupProgress;
      backupId = progress.backupId;
      input.log(describe(progress));
      if (progress.status === "COMPLETED") return progress;
      if (progress.status === "FAILED") {
        throw new BackupFailedError(`Backup ${progress.backupId} failed: ${progress.error}`);
      }
    }
    answer = await call({ backupId });
  }
  throw new BackupFailedError(`The backup did not finish in ${MAX_REQUESTS} requests`);
}

export function parseParts(value: string | undefined): BackupPart[] {
  if (!value) return [...BACKUP_PARTS];
  const parts = value.split(",").map((part) => part.trim());
  const unknown = parts.filter((part) => !(BACKUP_PARTS as readonly string[]).includes(part));
  if (unknown.length > 0) {
    throw new Error(`Unknown part ${unknown.join(", ")}; parts are ${BACKUP_PARTS.join(", ")}`);
  }
  return parts as BackupPart[];
}

async function main() {
  const { values } = parseArgs({
    options: {
      type: { type: "string", default: "manual" },
      parts: { type: "string" },
      url: { type: "string" },
      "persist-to": { type: "string" },
    },
  });
  const trigger = triggerFromCli(values.type);
  if (!trigger) throw new Error("--type must be scheduled, manual or pre-deployment");
  const request = { trigger, parts: parseParts(values.parts), log: console.log };
  const progress = values.url
    ? await backupThroughEndpoint({
        ...request,
        url: values.url,
        token: process.env.OPS_TOKEN ?? "",
      })
    : await backupLocally({ ...request, persistTo: values["persist-to"] });
  console.log(`Backup ${progress.backupId} completed.`);
}

if (import.meta.url === `file://${process.argv[1]}`) await runMain(main);
