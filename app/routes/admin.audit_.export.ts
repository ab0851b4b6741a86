import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { parseAuditSearch } from "~/domain/audit/filters";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { auditActor, auditRequestInfo, requirePermission } from "~/request/auth.server";
import { refusalResponse } from "~/request/refusals.server";
import { auditCsvStream, recordAuditExport, resolveActor } from "~/services/audit-viewer.server";

const ROUTE_ID = "routes/admin.audit_.export";

/**
 * `GET /admin/audit/export?<the viewer's filters>` (`/admin/audit?…&format=csv` lands here):
 * the matching live rows as CSV, streamed a keyset page at a time. A resource route, because a
 * page's loader cannot answer with a stream. The export is audited before the first row goes.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const staff = await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
  const search = parseAuditSearch(new URL(request.url).searchParams);
  if (!search.ok) {
    return new Response(Object.values(search.errors).join("\n"), {
      status: 400,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  if (search.filters.archive) {
    return new Response(
      "The CSV export reads the live log. An archived day is its own gzip NDJSON object in R2 (docs/operations/audit-archive.md).",
      { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } },
    );
  }
  const actor = await resolveActor(context.db, search.filters);
  if (!actor.ok) return refusalResponse(actor);
  const now = new Date();
  const before = await recordAuditExport(context.db, {
    actor: auditActor(staff),
    request: await auditRequestInfo(request, context),
    filters: search.filters,
    now,
  });
  const stream = auditCsvStream(
    { db: context.db, d1: context.cloudflare.env.DB },
    { filters: search.filters, actorId: actor.actorId, before },
  );
  const stamp = now.toISOString().slice(0, 19).replaceAll(":", "-");
  return new Response(stream, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="audit-log-${stamp}.csv"`,
      "Cache-Control": "private, no-store",
    },
  });
}
