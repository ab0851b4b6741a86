import { openLocalPlatform } from "#db/seed";
import { makeStateDir, migrateState, removeDir } from "../e2e/local-stack";

type LocalPlatform = Awaited<ReturnType<typeof openLocalPlatform>>;

/**
 * `work` against a throw-away local D1 and R2 (migrated, no demo data) through
 * getPlatformProxy; the platform is disposed and the directory removed afterwards.
 */
export async function withMigratedState<T>(
  prefix: string,
  work: (platform: LocalPlatform) => Promise<T>,
): Promise<T> {
  const stateDir = await makeStateDir(prefix);
  try {
    await migrateState(stateDir);
    const platform = await openLocalPlatform(stateDir);
    try {
      return await work(platform);
    } finally {
      await platform.dispose();
    }
  } finally {
    await removeDir(stateDir);
  }
}
