/**
 * `npm run db:seed` — fill the local D1 and R2 with demo data (docs/architecture.md §12).
 *
 * Runs in Node against wrangler's local state through getPlatformProxy, so what it writes
 * is exactly what `wrangler dev` serves. Refused unless the Worker's ENVIRONMENT is
 * "development". Options: `--persist-to <dir>` (same meaning as wrangler's flag).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { getPlatformProxy } from "wrangler";
import { parseEnv, type WorkerBindings } from "~/lib/env.server";
import { createDb } from "./client";
import { seedDemoData } from "./demo-data";

export async function openLocalPlatform(persistTo?: string) {
  return getPlatformProxy<WorkerBindings>({
    configPath: path.resolve(import.meta.dirname, "../wrangler.toml"),
    persist: persistTo ? { path: path.join(path.resolve(persistTo), "v3") } : true,
    remoteBindings: false,
  });
}

/** A file of db/demo-media/ (the products' cover and preview PNGs), or null if it is missing. */
async function readDemoMedia(fileName: string): Promise<Uint8Array | null> {
  if (!/^[a-z0-9-]+\.png$/.test(fileName)) return null;
  try {
    return new Uint8Array(await readFile(path.join(import.meta.dirname, "demo-media", fileName)));
  } catch {
    return null;
  }
}

async function main() {
  const { values } = parseArgs({ options: { "persist-to": { type: "string" } } });
  const platform = await openLocalPlatform(values["persist-to"]);
  try {
    const bindings = platform.env;
    if (bindings.ENVIRONMENT !== "development") {
      console.error(
        `Refusing to seed: ENVIRONMENT is "${bindings.ENVIRONMENT}", demo data is for development only.`,
      );
      process.exitCode = 1;
      return;
    }
    const env = parseEnv(bindings);
    const result = await seedDemoData({
      db: createDb(bindings.DB),
      files: bindings.FILES,
      encryptionKeys: env.encryptionKeys,
      readMedia: readDemoMedia,
    });
    console.log(
      result.seeded
        ? `Seeded ${result.users} demo accounts and ${result.products} products. Log in as owner@demo.test / demo-password-owner.`
        : "Database already has data; demo seed skipped.",
    );
  } finally {
    await platform.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
