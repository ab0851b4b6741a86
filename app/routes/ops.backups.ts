import type { ActionFunctionArgs } from "@remix-run/cloudflare";
import { OpsBackupRequestSchema } from "~/domain/backups/backup-forms";
import { triggerFromCli } from "~/domain/backups/parts";
import { timingSafeEqual } from "~/lib/constant-time";
import { auditRequestInfo } from "~/request/auth.server";
import { refusalStatus } from "~/request/refusals.server";
import { continueBackup, startBackup } from "~/services/backups/backup-runs.server";

/**
 * `POST /ops/backups` (docs/architecture.md §11, ADR 0008): how the backup CLI and
 * `npm run deploy` take a backup of a deployed Worker's database. `Authorization: Bearer
 * <OPS_TOKEN>`; the body is `{"type": "pre-deployment"}` to start a backup (and take its first
 * step), or `{"backupId": "…"}` for the next step. Every call is one invocation with its own
 * limits; the answer says where the backup stands. Without `OPS_TOKEN` the endpoint does not
 * exist (404). It can only take backups: restoring is never done over HTTP.
 */

const MAX_BODY_BYTES = 2048;

const reply = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers: { "Cache-Control": "no-store", ...headers } });

export function loader() {
  return reply({ error: "Use POST." }, 405, { Allow: "POST" });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const token = context.env.opsToken;
  if (!token) return reply({ error: "There is no such endpoint." }, 404);
  if (request.method !== "POST") return reply({ error: "Use POST." }, 405, { Allow: "POST" });
  const provided = /^Bearer (.+)$/.exec(request.headers.get("Authorization") ?? "")?.[1] ?? "";
  if (!timingSafeEqual(token, provided)) {
    return reply({ error: "A valid operations token is required." }, 401, {
      "WWW-Authenticate": "Bearer",
    });
  }
  if (Number(request.headers.get("Content-Length") ?? 0) > MAX_BODY_BYTES) {
    return reply({ error: "The request body is too large." }, 413);
  }
  let json: unknown;
  try {
    json = JSON.parse(await request.text());
  } catch {
    return reply({ error: 'The body must be JSON, e.g. {"type": "pre-deployment"}.' }, 400);
  }
  const parsed = OpsBackupRequestSchema.safeParse(json);
  if (!parsed.success) {
    return reply({ error: parsed.error.issues[0]?.message ?? "The request is not valid." }, 400);
  }

  const deps = { d1: context.cloudflare.env.DB, files: context.cloudflare.env.FILES };
  const now = new Date();
  let backupId: string;
  if ("type" in parsed.data) {
    const started = await startBackup(deps, {
      trigger: triggerFromCli(parsed.data.type)!,
      parts: parsed.data.parts,
      actor: null,
      request: await auditRequestInfo(request, context),
      now,
    });
    if (!started.ok)
      return reply({ error: started.message, reason: started.reason }, refusalStatus(started));
    backupId = started.backupId;
  } else {
    backupId = parsed.data.backupId;
  }
  const step = await continueBackup(deps, { backupId, now });
  if (!step.ok) return reply({ error: step.message, reason: step.reason }, refusalStatus(step));
  return reply(step.progress);
}
