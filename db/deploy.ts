/**
 * `npm run deploy -- --env production --url https://your-store.example` (ADR 0008): a
 * PRE_DEPLOYMENT backup of the deployed database (through `POST /ops/backups`, with
 * `OPS_TOKEN` in the environment), the Time Travel bookmark of the moment, the migrations, the
 * build and `wrangler deploy`, in that order, stopping at the first failure: no deployment
 * without its backup. `--skip-backup` for a first deployment (nothing to back up yet),
 * `--dry-run` prints the steps. The URL may also come from `DEPLOY_URL`.
 */
import { parseArgs } from "node:util";
import { backupThroughEndpoint, parseParts } from "./backup";
import { runCommand, runMain } from "./cli";
import { DEPLOY_ENVIRONMENTS, deployPlan, type DeployEnvironment } from "./deploy-plan";

async function main() {
  const { values } = parseArgs({
    options: {
      env: { type: "string" },
      url: { type: "string" },
      "skip-backup": { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
    },
  });
  const env = values.env as DeployEnvironment | undefined;
  if (!env || !DEPLOY_ENVIRONMENTS.includes(env)) {
    throw new Error(`--env must be ${DEPLOY_ENVIRONMENTS.join(" or ")}`);
  }
  const plan = deployPlan({
    env,
    url: values.url ?? process.env.DEPLOY_URL ?? null,
    skipBackup: values["skip-backup"],
  });
  if (!plan.ok) throw new Error(plan.problem);

  for (const [index, step] of plan.steps.entries()) {
    const shown = step.kind === "command" ? `${step.command} ${step.args.join(" ")}` : "backup";
    console.log(`\n• ${index + 1}/${plan.steps.length} ${step.description}\n  ${shown}`);
    if (values["dry-run"]) continue;
    if (step.kind === "backup") {
      const token = process.env.OPS_TOKEN;
      if (!token) throw new Error("OPS_TOKEN must be set for the pre-deployment backup");
      const progress = await backupThroughEndpoint({
        url: step.url,
        token,
        trigger: "PRE_DEPLOYMENT",
        parts: parseParts(undefined),
        log: (line) => console.log(`  ${line}`),
      });
      console.log(`  Backup ${progress.backupId} completed.`);
    } else {
      try {
        await runCommand(step.command, step.args);
      } catch (error) {
        if (!step.optional) throw error;
        console.warn(`  (skipped: ${error instanceof Error ? error.message : error})`);
      }
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runMain(main);
