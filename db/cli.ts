/** Small helpers the operator CLIs in db/ share (backup, restore, deploy). */
import { spawn } from "node:child_process";
import path from "node:path";

export const REPO_ROOT = path.resolve(import.meta.dirname, "..");

/** Run a command from the repo root with the terminal attached; rejects when it fails. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { env?: Record<string, string>; capture?: boolean } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", ...options.env },
      stdio: options.capture ? ["ignore", "pipe", "inherit"] : "inherit",
    });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`\`${command} ${args.join(" ")}\` failed with exit code ${code}`)),
    );
  });
}

/** Print the error's message (not a stack) and exit non-zero: for a CLI's `main`. */
export async function runMain(main: () => Promise<void>) {
  try {
    await main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
