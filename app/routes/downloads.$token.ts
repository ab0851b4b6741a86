import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import type { RefusalKind } from "~/domain/refusal";
import { DownloadTokenParamSchema } from "~/domain/downloads/forms";
import { refusalPage } from "~/lib/refusal-page.server";
import { auditRequestInfo, requireUser } from "~/request/auth.server";
import { featureRefusal } from "~/request/feature-gate.server";
import { fileResponse } from "~/request/file-response.server";
import { refusalStatus } from "~/request/refusals.server";
import { openDownload } from "~/services/downloads/deliver.server";

const TITLES: Partial<Record<RefusalKind, string>> = {
  forbidden: "This download isn't allowed",
  "not-found": "Download not found",
  gone: "This download link has expired",
  limit: "No downloads left for now",
  unavailable: "Downloads are paused",
};

/**
 * GET /downloads/:token — the file, streamed from R2 (Range, If-None-Match, If-Range), or a
 * refusal page with its status (403 tampered/blocked/license, 404 not yours, 410 expired).
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const parsed = DownloadTokenParamSchema.safeParse(params);
  // Downloads paused (feature flag): the link is not used up, so it works again afterwards.
  const paused = await featureRefusal(context, "downloads");
  const result =
    paused ??
    (await openDownload(
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
    ));
  if (!result.ok) {
    return refusalPage({
      status: refusalStatus(result),
      title: TITLES[result.kind] ?? "Download refused",
      message: result.message,
      link: { href: "/account/licenses", label: "← Your licenses" },
      requestId: context.requestId,
    });
  }
  return fileResponse(result);
}
