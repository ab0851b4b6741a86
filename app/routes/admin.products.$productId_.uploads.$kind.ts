import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import {
  isUploadKind,
  MAX_PREVIEWS,
  UPLOAD_RULES,
  acceptAttribute,
} from "~/domain/catalog/upload-rules";
import { auditActor, auditRequestInfo, requirePermission } from "~/request/auth.server";
import { refusalStatus } from "~/request/refusals.server";
import { storeProductUpload } from "~/services/product-uploads.server";

/**
 * `POST /admin/products/:productId/uploads/:kind` (kind: file | thumbnail | preview): the raw
 * file is the request body (the upload widget sends it with XHR to report progress), its name
 * in `?name=`, its type in `Content-Type`, its size in `Content-Length` (required), and
 * optionally its SHA-256 in `X-Content-SHA256`. Answers JSON: `{ ok: true, sha256, size, … }`
 * or `{ ok: false, error }` with 400/403/404/409/411/413/415. Same-origin only (app/worker.ts).
 *
 * `GET` answers the kind's limits, for scripts that want to check before sending.
 *
 * A resource route: it answers Responses itself (single fetch wants them from resource routes).
 */
const ROUTE_ID = "routes/admin.products.$productId_.uploads.$kind";

/** The upload contract's statuses where HTTP has a word for the refusal. */
const UPLOAD_STATUS = { "length-required": 411, "too-large": 413, "unsupported-type": 415 };

const jsonError = (status: number, error: string) =>
  Response.json({ ok: false, error }, { status, headers: { "Cache-Control": "no-store" } });

/** A role without the capability gets JSON too, so the widget can show the sentence. */
async function requireUploader(request: Request, context: LoaderFunctionArgs["context"]) {
  try {
    return await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].action);
  } catch (thrown) {
    if (thrown instanceof Response && thrown.status === 403) {
      throw jsonError(403, "Your role can't upload product files.");
    }
    throw thrown;
  }
}

function parseParams(params: LoaderFunctionArgs["params"]) {
  const productId = params.productId ?? "";
  const kind = params.kind;
  if (!/^[a-z0-9]{1,64}$/.test(productId)) throw jsonError(404, "There is no such product.");
  if (!isUploadKind(kind)) throw jsonError(404, "Uploads are file, thumbnail or preview.");
  return { productId, kind };
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
  const { kind } = parseParams(params);
  const rule = UPLOAD_RULES[kind];
  return Response.json(
    {
      kind,
      maxBytes: rule.maxBytes,
      accept: acceptAttribute(kind),
      ...(kind === "preview" ? { maxPreviews: MAX_PREVIEWS } : {}),
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const actor = await requireUploader(request, context);
  if (request.method !== "POST") return jsonError(405, "Send the file with POST.");
  const { productId, kind } = parseParams(params);
  const result = await storeProductUpload(
    { db: context.db, files: context.cloudflare.env.FILES },
    {
      actor: auditActor(actor),
      productId,
      kind,
      fileName: new URL(request.url).searchParams.get("name") ?? "",
      contentType: request.headers.get("Content-Type"),
      contentLength: request.headers.get("Content-Length"),
      declaredSha256: request.headers.get("X-Content-SHA256"),
      body: request.body,
      now: new Date(),
      request: await auditRequestInfo(request, context),
    },
  );
  if (!result.ok) {
    // Refused before reading it all: stop the client's transfer instead of draining it.
    await request.body?.cancel().catch(() => undefined);
    return jsonError(refusalStatus(result, UPLOAD_STATUS), result.message);
  }
  const { ok, key: _key, replacedKey, ...stored } = result;
  return Response.json(
    { ok, ...stored, replaced: replacedKey !== null },
    { headers: { "Cache-Control": "no-store" } },
  );
}
