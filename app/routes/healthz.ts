import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { pingDatabase } from "~/services/health.server";

/** Liveness and D1 reachability for uptime checks: `{ ok, db }`, 503 when D1 is down. */
export async function loader({ context }: LoaderFunctionArgs) {
  const db = await pingDatabase(context.db);
  return Response.json(
    { ok: db, db: db ? "reachable" : "unreachable" },
    { status: db ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
