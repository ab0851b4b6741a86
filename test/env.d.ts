import type { D1Migration } from "@cloudflare/vitest-pool-workers";
import type { WorkerBindings } from "~/lib/env.server";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerBindings {
      TEST_MIGRATIONS: D1Migration[];
      /** Backup tests only: the database they back up, and an empty one to restore into. */
      BACKUP_SOURCE_DB: D1Database;
      RESTORE_TARGET_DB: D1Database;
      /** The dashboard test only (test/integration/admin-dashboard.test.ts): exact counts. */
      DASHBOARD_DB: D1Database;
    }
  }
}
