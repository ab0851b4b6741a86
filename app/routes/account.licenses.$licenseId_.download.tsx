import type {
  ActionFunctionArgs,
  HeadersFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import { data, redirect } from "@remix-run/cloudflare";
import { Link, useActionData, useParams } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { LicenseIdParamSchema } from "~/domain/downloads/forms";
import { auditRequestInfo, requireUser } from "~/request/auth.server";
import { featureRefusal } from "~/request/feature-gate.server";
import { invariantResponse } from "~/lib/http";
import { refusalStatus } from "~/request/refusals.server";
import { requestDownloadGrant } from "~/services/downloads/grant.server";

/**
 * POST /account/licenses/:licenseId/download (docs/architecture.md §12): issue a grant and go to the
 * signed link, or explain the refusal (429 with the free-up time, 403, 404).
 */
export const meta: MetaFunction = () => [{ title: "Download — Studio Store" }];

export const headers: HeadersFunction = () => ({ "Cache-Control": "private, no-store" });

const NOT_FOUND = "We couldn't find that license in your account.";

/** A GET shows the page without a refusal: the download starts from the license page. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requireUser(request, context);
  invariantResponse(LicenseIdParamSchema.safeParse(params).success, NOT_FOUND, { status: 404 });
  return null;
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const parsed = LicenseIdParamSchema.safeParse(params);
  invariantResponse(parsed.success, NOT_FOUND, { status: 404 });
  // Downloads paused (feature flag): no grant is issued and nothing is counted.
  const paused = await featureRefusal(context, "downloads");
  const result =
    paused ??
    (await requestDownloadGrant(
      { db: context.db, env: context.env },
      {
        user,
        licenseId: parsed.data.licenseId,
        now: new Date(),
        request: await auditRequestInfo(request, context),
      },
    ));
  if (result.ok) return redirect(`/downloads/${result.token}`);
  return data(
    {
      reason: result.reason,
      message: result.message,
      nextFreeAt: "nextFreeAt" in result ? result.nextFreeAt : null,
    },
    { status: refusalStatus(result), headers: { "Cache-Control": "private, no-store" } },
  );
}

export default function DownloadRefused() {
  const refused = useActionData<typeof action>();
  const { licenseId } = useParams();
  return (
    <>
      <header className="page-header">
        <h1>Download not started</h1>
      </header>
      <p className="notice" role="alert" data-testid="download-refusal">
        {refused?.message ?? "Start your download from the license page."}
      </p>
      {refused?.nextFreeAt ? (
        <p>Need the file sooner? You can ask us to reset your downloads on the license page.</p>
      ) : null}
      <p>
        <Link to={`/account/licenses/${licenseId ?? ""}`}>← Back to the license</Link>
      </p>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
