import type { Database } from "#db/client";
import type { AppEnv, WorkerBindings } from "./env.server";

/** Everything a loader or action receives besides the request (docs/architecture.md §2). */
export interface AppContext {
  cloudflare: { env: WorkerBindings; ctx: Pick<ExecutionContext, "waitUntil"> };
  env: AppEnv;
  db: Database;
  requestId: string;
  /** Per-request nonce for the Content-Security-Policy's inline scripts. */
  cspNonce: string;
}

declare module "@remix-run/cloudflare" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AppLoadContext extends AppContext {}
}

// Single fetch is on (remix.config.js): loaders and actions return plain objects or `data()`,
// and `useLoaderData<typeof loader>()` infers what arrives, Dates included (turbo-stream).
declare module "@remix-run/server-runtime" {
  interface Future {
    v3_singleFetch: true;
  }
}
