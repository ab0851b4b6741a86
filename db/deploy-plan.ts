/**
 * What `npm run deploy` does, in order (docs/architecture.md §11, ADR 0008), as data: the CLI
 * (db/deploy.ts) prints it with `--dry-run` and runs it otherwise; a unit test pins it.
 */
export const DEPLOY_ENVIRONMENTS = ["staging", "production"] as const;
export type DeployEnvironment = (typeof DEPLOY_ENVIRONMENTS)[number];

export type DeployStep =
  | { kind: "backup"; url: string; description: string }
  | { kind: "command"; command: string; args: string[]; description: string; optional?: boolean };

export interface DeployOptions {
  env: DeployEnvironment;
  /** The deployed Worker's origin, for the pre-deployment backup; null with `skipBackup`. */
  url: string | null;
  skipBackup: boolean;
}

export type DeployPlan = { ok: true; steps: DeployStep[] } | { ok: false; problem: string };

export function deployPlan(options: DeployOptions): DeployPlan {
  const envArgs = ["--env", options.env];
  const steps: DeployStep[] = [];
  if (!options.skipBackup) {
    if (!options.url) {
      return {
        ok: false,
        problem:
          "The pre-deployment backup needs the deployed site's URL (--url or DEPLOY_URL) and OPS_TOKEN; on a first deployment, pass --skip-backup.",
      };
    }
    steps.push({
      kind: "backup",
      url: options.url,
      description: `PRE_DEPLOYMENT backup of the ${options.env} database through ${options.url}/ops/backups`,
    });
  }
  steps.push(
    {
      kind: "command",
      command: "npx",
      args: ["wrangler", "d1", "time-travel", "info", "DB", ...envArgs],
      description:
        "the D1 Time Travel bookmark of this moment (to return to with `time-travel restore`)",
      optional: true,
    },
    {
      kind: "command",
      command: "npx",
      args: ["wrangler", "d1", "migrations", "apply", "DB", "--remote", ...envArgs],
      description: "apply pending migrations to the remote database",
    },
    { kind: "command", command: "npm", args: ["run", "build"], description: "production build" },
    {
      kind: "command",
      command: "npx",
      args: ["wrangler", "deploy", ...envArgs],
      description: "deploy the Worker",
    },
  );
  return { ok: true, steps };
}
