import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { invariantResponse, requireIdParam } from "~/lib/http";
import { requirePermission } from "~/request/auth.server";
import { openBackupManifest } from "~/services/backups/backup-runs.server";

const ROUTE_ID = "routes/admin.backups.$backupId.manifest";
const NOT_FOUND = "There is no completed backup with this id.";

/** `GET /admin/backups/:backupId/manifest`: the backup's manifest.json, as stored in R2. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
  const backupId = requireIdParam(params, "backupId", NOT_FOUND);
  const manifest = await openBackupManifest(
    { db: context.db, files: context.cloudflare.env.FILES },
    backupId,
  );
  invariantResponse(manifest, NOT_FOUND, { status: 404 });
  return new Response(manifest.body, {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Length": String(manifest.size),
      "Content-Disposition": `attachment; filename="backup-${backupId}-manifest.json"`,
      "Cache-Control": "private, no-store",
    },
  });
}
