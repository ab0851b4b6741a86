import { describe, expect, it } from "vitest";
import { deployPlan } from "#db/deploy-plan";

describe("npm run deploy", () => {
  it("backs up before it migrates, builds and deploys", () => {
    const plan = deployPlan({ env: "production", url: "https://store.example", skipBackup: false });
    if (!plan.ok) throw new Error(plan.problem);
    expect(
      plan.steps.map((step) =>
        step.kind === "backup" ? `backup ${step.url}` : [step.command, ...step.args].join(" "),
      ),
    ).toEqual([
      "backup https://store.example",
      "npx wrangler d1 time-travel info DB --env production",
      "npx wrangler d1 migrations apply DB --remote --env production",
      "npm run build",
      "npx wrangler deploy --env production",
    ]);
  });

  it("will not deploy without a backup unless told to skip it", () => {
    expect(deployPlan({ env: "staging", url: null, skipBackup: false })).toMatchObject({
      ok: false,
      problem: expect.stringContaining("--skip-backup"),
    });
    const first = deployPlan({ env: "staging", url: null, skipBackup: true });
    expect(first.ok && first.steps.some((step) => step.kind === "backup")).toBe(false);
  });
});
