import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import remixConfig from "../../remix.config.js";

/**
 * docs/decisions/0018-assets-routing.md: page paths go straight to the Worker and only the
 * static files are routed to Workers Assets. A file at the top of public/ without its "!/…"
 * rule would reach the Worker, which has no route for it (a 404 instead of the file).
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const publicDir = path.join(root, "public");

function runWorkerFirst(configFile: string): string[] {
  const toml = readFileSync(path.join(root, configFile), "utf8");
  const lines = [...toml.matchAll(/^run_worker_first = (\[.*\])$/gm)];
  expect(lines, `${configFile} has one run_worker_first`).toHaveLength(1);
  return JSON.parse(lines[0]![1]!) as string[];
}

/** The rule that keeps a top-level entry of public/ out of the Worker. */
function assetRule(name: string, isDirectory: boolean): string {
  return isDirectory ? `!/${name}/*` : `!/${name}`;
}

describe("assets routing (run_worker_first)", () => {
  const rules = runWorkerFirst("wrangler.toml");

  it("sends every path to the Worker except the static files", () => {
    expect(rules[0]).toBe("/*");
    expect(rules.slice(1).every((rule) => rule.startsWith("!/"))).toBe(true);
  });

  it("routes every top-level file and folder of public/ to Workers Assets", () => {
    // The client build folder exists only after a build; its rule must be there before.
    const buildDirectory = remixConfig.assetsBuildDirectory ?? "public/build";
    const clientBuild = path.relative(publicDir, path.join(root, buildDirectory));
    const expected = new Set([assetRule(clientBuild, true)]);
    for (const entry of readdirSync(publicDir, { withFileTypes: true })) {
      // _headers and _redirects configure Workers Assets; they are never served.
      if (entry.name.startsWith("_")) continue;
      expected.add(assetRule(entry.name, entry.isDirectory()));
    }
    expect(new Set(rules.slice(1))).toEqual(expected);
  });

  it("is not overridden per environment (the top-level [assets] is inherited)", () => {
    const toml = readFileSync(path.join(root, "wrangler.toml"), "utf8");
    expect(toml).not.toMatch(/^\[env\.[\w-]+\.assets\]/m);
  });

  it("is the bench's floor Worker's routing too", () => {
    expect(runWorkerFirst("test/bench/baseline-assets.wrangler.toml")).toEqual(rules);
  });
});
