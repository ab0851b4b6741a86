import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

/**
 * Two projects, one run (so `npm test` and its JSON report count both): "workers" runs unit,
 * integration and request tests inside workerd; "node" runs what needs Node itself (ESLint).
 */
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(root, "migrations"));

  return {
    root,
    test: {
      reporters: ["default"],
      projects: [
        {
          root,
          plugins: [
            cloudflareTest({
              // Request tests go through the compiled Worker (`npm run build` runs first).
              main: path.join(root, "build/index.js"),
              wrangler: { configPath: path.join(root, "wrangler.toml") },
              miniflare: {
                bindings: {
                  ENVIRONMENT: "test",
                  TEST_MIGRATIONS: migrations,
                  // POST /ops/backups is on in tests (test/integration/requests/admin-backups.test.ts).
                  OPS_TOKEN: "test-ops-token-not-secret-0123456789abcdef",
                  // The audit archive's window (test/integration/audit-archive.test.ts).
                  AUDIT_RETENTION_DAYS: "180",
                },
                // Backup round trips: a source only the backup tests write, and an empty database
                // to restore into (the backup test file migrates both). DASHBOARD_DB: the
                // dashboard test's own database, so its counts are exact.
                d1Databases: ["BACKUP_SOURCE_DB", "RESTORE_TARGET_DB", "DASHBOARD_DB"],
              },
            }),
          ],
          resolve: {
            alias: {
              "~": path.join(root, "app"),
              "#db": path.join(root, "db"),
              // workers-sdk#12899: in the pool these resolve to ESM builds that come back
              // undefined through require(); point them at their CommonJS files.
              "@remix-run/server-runtime":
                require.resolve("@remix-run/server-runtime/dist/index.js"),
              "@remix-run/router": require.resolve("@remix-run/router/dist/router.cjs.js"),
            },
          },
          test: {
            name: "workers",
            include: ["test/unit/**/*.test.{ts,tsx}", "test/integration/**/*.test.{ts,tsx}"],
            // scrypt-heavy and multipart tests take 2–5 s on a loaded 2-core machine; the
            // default 5 s turned load into failures. Timing is measured in benchmarks, not here.
            testTimeout: 20_000,
            setupFiles: ["test/setup/apply-migrations.ts"],
          },
        },
        {
          root,
          test: {
            name: "node",
            environment: "node",
            // test/build: the client-JS-per-page walk of npm run check:bundles (issue 17).
            include: ["test/lint/**/*.test.ts", "test/build/**/*.test.ts"],
            // The first ESLint run in a file loads the whole config and plugins (5–7 s loaded).
            testTimeout: 30_000,
          },
        },
      ],
    },
  };
});
