import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { requireAccountAction } from "~/request/account.server";
import { refusalResponse } from "~/request/refusals.server";
import { startDataExport } from "~/services/privacy/export.server";

/**
 * GET /account/privacy/export (issue 13 §12): the person's data as one JSON attachment,
 * streamed as it is read. Rate-limited and audited by the service.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const acting = await requireAccountAction(request, context);
  const result = await startDataExport(context.db, {
    userId: acting.user.id,
    actor: acting.actor,
    request: acting.request,
    now: acting.now,
  });
  if (!result.ok) return refusalResponse(result);
  return new Response(result.body, {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${result.fileName}"`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
