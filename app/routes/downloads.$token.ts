import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { DownloadTokenParamSchema } from "~/domain/downloads/forms";
import { auditRequestInfo, requireUser } from "~/request/auth.server";
import { refusalPage } from "~/lib/refusal-page.server";
import { openDownload } from "~/services/downloads.server";

const TITLES: Record<number, string> = {
  403: "This download isn't allowed",
  404: "Download not found",
  410: "This download link has expired",
  429: "No downloads left for now",
};

/**
 * GET /downloads/:token — the file, streamed from R2 (Range, If-None-Match, If-Range), or a
 * refusal page with its status (403 tampered/blocked/license, 404 not yours, 410 expired).
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const parsed = DownloadTokenParamSchema.safeParse(params);
  const result = await openDownload(
    { db: context.db, env: context.env, files: context.cloudflare.env.FILES },
    {
      user,
      token: parsed.success ? parsed.data.token : "",
      headers: {
        headOnly: request.method === "HEAD",
        range: request.headers.get("Range"),
        ifNoneMatch: request.headers.get("If-None-Match"),
        ifRange: request.headers.get("If-Range"),
      },
      now: new Date(),
      request: await auditRequestInfo(request, context),
    },
  );
  if (!result.ok) {
    return refusalPage({
      status: result.status,
      title: TITLES[result.status] ?? "Download refused",
      message: result.message,
      link: { href: "/account/licenses", label: "← Your licenses" },
      requestId: context.requestId,
    });
  }
  // R2's stream goes straight into the Response: the file is never held in memory.
  return new Response(result.body, { status: result.status, headers: result.headers });
}
