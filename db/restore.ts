/**
 * `npm run restore -- --backup <id>` (docs/architecture.md §11, ADR 0008): restore a backup into
 * an EMPTY local database, through getPlatformProxy, with the Worker's own restore service.
 *
 * - `--from <dir>`: the local state whose R2 holds `backups/<id>/` (default: wrangler's,
 *   `.wrangler/state`).
 * - `--to <dir>`: where the restored database goes (default `.wrangler/restored/<id>`); it is
 *   migrated first and must hold no rows.
 * - `--download-from <bucket>`: first copy `backups/<id>/` from that deployed R2 bucket into the
 *   `--from` state (`wrangler r2 object get --remote`; needs `wrangler login`). With `--env`,
 *   the bucket of that environment in wrangler.toml.
 * - `--dry-run`: every check, nothing written.
 *
 * Everything is verified before anything is written (the manifest, every object's SHA-256, the
 * schema version, empty tables); afterwards the row counts and every membership's ledger are
 * checked. Exits with 1 when the restore was refused or a check failed. The restored database
 * is an ordinary local D1: serve it with `npx wrangler dev --persist-to <dir>`, or export it
 * with `npx wrangler d1 export DB --local --persist-to <dir> --output restored.sql`.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileListingKey, manifestKey } from "~/domain/backups/keys";
import { parseManifest } from "~/domain/backups/manifest";
import { dryRunRestore, restoreBackup, type RestorePlan } from "~/services/backups/restore.server";
import { REPO_ROOT, runCommand, runMain } from "./cli";
import { openLocalPlatform } from "./seed";

const BACKUP_ID = /^[a-z0-9]{8,64}$/;

/** Copy a backup's objects from a deployed bucket into the local R2 of `bucket`. */
async function downloadBackup(input: {
  remoteBucket: string;
  backupId: string;
  into: R2Bucket;
  log: (line: string) => void;
}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), "storefront-backup-"));
  const fetchObject = async (key: string) => {
    const file = path.join(dir, "object");
    await runCommand("npx", [
      "wrangler",
      "r2",
      "object",
      "get",
      `${input.remoteBucket}/${key}`,
      "--remote",
      "--file",
      file,
    ]);
    const bytes = await readFile(file);
    await input.into.put(key, bytes);
    return bytes;
  };
  try {
    const manifestBytes = await fetchObject(manifestKey(input.backupId));
    const parsed = parseManifest(manifestBytes.toString("utf8"));
    if (!parsed.ok) throw new Error(parsed.message);
    const keys = parsed.manifest.tables.flatMap((table) => table.objects.map((o) => o.key));
    if (parsed.manifest.files) keys.push(fileListingKey(input.backupId));
    for (const [index, key] of keys.entries()) {
      input.log(`  ${index + 1}/${keys.length} ${key}`);
      await fetchObject(key);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The bucket_name of `env`'s FILES binding in wrangler.toml (top level without `--env`). */
async function bucketOf(env: string | undefined): Promise<string> {
  const toml = await readFile(path.join(REPO_ROOT, "wrangler.toml"), "utf8");
  const section = env ? `[[env.${env}.r2_buckets]]` : "[[r2_buckets]]";
  const start = toml.indexOf(section);
  const name = start >= 0 ? /bucket_name\s*=\s*"([^"]+)"/.exec(toml.slice(start))?.[1] : undefined;
  if (!name) throw new Error(`No ${section} with a bucket_name in wrangler.toml`);
  return name;
}

function printPlan(plan: RestorePlan) {
  console.log(
    `Backup ${plan.backupId} (${plan.trigger.toLowerCase()}, taken ${plan.createdAt}), schema ${plan.schema.version}; target schema ${plan.targetSchema.version}.`,
  );
  console.log(
    `${plan.verifiedObjects} objects verified against their SHA-256; ${plan.totals.rows.toLocaleString("en-US")} rows in ${plan.totals.tables} tables; parts: ${plan.includes.join(", ")}.`,
  );
  if (plan.files) {
    console.log(
      `Product files: ${plan.files.listed} listed, ${plan.files.present} present and unchanged, ${plan.files.missing} missing, ${plan.files.changed} changed in the source bucket.`,
    );
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      backup: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      "download-from": { type: "string" },
      env: { type: "string" },
      "dry-run": { type: "boolean", default: false },
    },
  });
  const backupId = values.backup ?? "";
  if (!BACKUP_ID.test(backupId)) throw new Error("--backup <id> is required (a backup id)");
  const to = path.resolve(values.to ?? path.join(REPO_ROOT, ".wrangler", "restored", backupId));

  console.log(`• Migrating the target database in ${to}…`);
  await runCommand(
    "npx",
    ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", to],
    { env: { CI: "true" } },
  );

  const source = await openLocalPlatform(values.from);
  const target = await openLocalPlatform(to);
  try {
    if (values["download-from"] !== undefined || values.env) {
      const remoteBucket = values["download-from"] || (await bucketOf(values.env));
      console.log(`• Downloading backups/${backupId}/ from ${remoteBucket}…`);
      await downloadBackup({ remoteBucket, backupId, into: source.env.FILES, log: console.log });
    }
    const deps = { d1: target.env.DB, files: source.env.FILES };
    if (values["dry-run"]) {
      console.log("• Dry run: checking, writing nothing…");
      const dryRun = await dryRunRestore(deps, { backupId });
      if (!dryRun.ok) throw new Error(dryRun.message);
      printPlan(dryRun.plan);
      if (dryRun.plan.nonEmpty.length > 0) {
        console.log(
          `The target holds rows in ${dryRun.plan.nonEmpty.join(", ")}: a restore would be refused.`,
        );
      }
      return;
    }

    console.log("• Verifying, then restoring…");
    const restored = await restoreBackup(deps, {
      backupId,
      actor: null,
      now: new Date(),
      onTable: (table, rows) => console.log(`  ${table}: ${rows.toLocaleString("en-US")} rows`),
    });
    if (!restored.ok) throw new Error(restored.message);
    printPlan(restored.plan);
    const wrongCounts = restored.checks.counts.filter((count) => count.expected !== count.actual);
    for (const count of wrongCounts) {
      console.error(`✗ ${count.table}: ${count.actual} rows, the manifest says ${count.expected}`);
    }
    for (const failure of restored.checks.ledger.failures) {
      console.error(`✗ membership ${failure.membershipId}: ${failure.problems.join(" ")}`);
    }
    console.log(
      `Restored ${restored.rows.toLocaleString("en-US")} rows in ${restored.statements.toLocaleString("en-US")} statements; row counts ${wrongCounts.length === 0 ? "match" : "DIFFER"}; ledger checked for ${restored.checks.ledger.memberships} memberships, ${restored.checks.ledger.failures.length} failing.`,
    );
    if (!restored.checks.ok) throw new Error("The restored database failed its checks.");
    const shown = to.startsWith(`${REPO_ROOT}${path.sep}`) ? path.relative(REPO_ROOT, to) : to;
    console.log(`Serve it: npx wrangler dev --persist-to ${shown}`);
  } finally {
    await Promise.all([source.dispose(), target.dispose()]);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runMain(main);
