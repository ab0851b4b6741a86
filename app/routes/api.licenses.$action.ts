import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { z } from "~/lib/zod";
import { clientIp } from "~/request/auth.server";
import { requireFeatureJson } from "~/request/feature-gate.server";
import { hashIp } from "~/lib/hmac.server";
import {
  activateLicense,
  consumeLicenseApiRateLimit,
  deactivateLicense,
  validateLicense,
} from "~/services/license-api.server";

/**
 * `POST /api/licenses/validate|activate|deactivate` (docs/architecture.md §7, §12): JSON in, JSON out,
 * callable from any origin (the key is the credential; no cookies are read).
 */

const ACTIONS = ["validate", "activate", "deactivate"] as const;
const ActionParamSchema = z.enum(ACTIONS);

const LicenseApiRequestSchema = z.object({
  key: z.string().trim().min(1, "A license key is required.").max(100),
  instance: z.string().trim().min(1).max(200).optional(),
});

const MAX_BODY_BYTES = 4096;

const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "POST, OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type",
  "Access-Control-Max-Age": "86400",
};

function reply(body: unknown, status = 200, headers: Record<string, string> = {}) {
  return Response.json(body, {
    status,
    headers: { ...CORS_HEADERS, "Cache-Control": "no-store", ...headers },
  });
}

const badRequest = (detail: string, status = 400, headers: Record<string, string> = {}) =>
  reply({ valid: false, code: "BAD_REQUEST", detail, license: null }, status, headers);

function parseAction(params: LoaderFunctionArgs["params"]) {
  const parsed = ActionParamSchema.safeParse(params.action);
  if (!parsed.success) throw badRequest("There is no such license API endpoint.", 404);
  return parsed.data;
}

/** OPTIONS (CORS preflight) reaches the loader; a GET is answered with 405. */
export function loader({ request, params }: LoaderFunctionArgs) {
  parseAction(params);
  if (request.method === "OPTIONS") {
    return new Response(null, {
      status: 204,
      headers: { ...CORS_HEADERS, "Cache-Control": "no-store" },
    });
  }
  return badRequest("Use POST with a JSON body.", 405, { Allow: "POST, OPTIONS" });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const endpoint = parseAction(params);
  if (request.method !== "POST") {
    return badRequest("Use POST with a JSON body.", 405, { Allow: "POST, OPTIONS" });
  }
  // The API paused (feature flag): 503 with Retry-After, before anything is read or counted.
  await requireFeatureJson(
    context,
    "license-api",
    (detail) => ({ valid: false, code: "UNAVAILABLE", detail, license: null }),
    CORS_HEADERS,
  );

  // A key and an instance name fit in far less; refuse bodies meant to waste our time.
  if (Number(request.headers.get("Content-Length") ?? 0) > MAX_BODY_BYTES) {
    return badRequest("The request body is too large.", 413);
  }
  let json: unknown;
  try {
    json = JSON.parse(await request.text());
  } catch {
    return badRequest('The body must be JSON, for example {"key": "…", "instance": "…"}.');
  }
  const parsed = LicenseApiRequestSchema.safeParse(json);
  if (!parsed.success) {
    return badRequest(parsed.error.issues[0]?.message ?? "The request body is not valid.");
  }
  const { key, instance } = parsed.data;
  if (endpoint !== "validate" && instance === undefined) {
    return badRequest(`To ${endpoint} a license, name the instance ("instance": "…").`);
  }

  const now = new Date();
  const deps = { db: context.db, env: context.env };
  const ip = clientIp(request);
  const ipHash = ip ? await hashIp(ip, context.env.hmacSecret) : null;
  const limit = await consumeLicenseApiRateLimit(deps, { key, ipHash, now });
  if (!limit.allowed) {
    return reply(
      {
        valid: false,
        code: "RATE_LIMITED",
        detail: `Too many requests. Try again in ${limit.retryAfterSeconds} seconds.`,
        license: null,
      },
      429,
      { "Retry-After": String(limit.retryAfterSeconds) },
    );
  }

  const input = {
    key,
    now,
    request: {
      ipHash,
      userAgent: request.headers.get("User-Agent"),
      requestId: context.requestId,
    },
  };
  if (instance === undefined) return reply(await validateLicense(deps, input));
  const answer =
    endpoint === "activate"
      ? await activateLicense(deps, { ...input, instance })
      : endpoint === "deactivate"
        ? await deactivateLicense(deps, { ...input, instance })
        : await validateLicense(deps, { ...input, instance });
  return reply(answer);
}
