/**
 * The Worker entry: `fetch` serves the Remix app, `scheduled` runs the cron jobs.
 * Static files (public/, including the client build) are served by Workers Assets before
 * this code runs.
 */
import {
  createRequestHandler,
  logDevReady,
  type AppLoadContext,
  type ServerBuild,
} from "@remix-run/cloudflare";
import * as build from "@remix-run/dev/server-build";
import { createDb, dbFor } from "#db/client";
import { JOB_REGISTRY } from "./jobs/registry";
import { runScheduledJobs } from "./jobs/run-scheduled";
import { privatizeForSessions } from "./lib/cache-control.server";
import { checkSameOrigin, csrfRefusal } from "./lib/csrf.server";
import { EnvError, parseEnv, type WorkerBindings } from "./lib/env.server";
import { withEtag } from "./lib/etag.server";
import "./lib/load-context";
import { securityHeaders, withDefaultHeaders } from "./lib/security-headers.server";
import { jobRunRecorder } from "./services/job-runs.server";

const serverBuild = build as unknown as ServerBuild;
if (serverBuild.mode === "development") logDevReady(serverBuild);

const handleRemixRequest = createRequestHandler(serverBuild, serverBuild.mode);

function misconfigured(error: EnvError, requestId: string): Response {
  console.error(
    JSON.stringify({ level: "error", event: "env.invalid", requestId, message: error.message }),
  );
  return new Response(
    "This site is misconfigured: required secrets are missing or invalid. The details are in the Worker's logs.",
    {
      status: 500,
      headers: { "Content-Type": "text/plain; charset=utf-8", "X-Request-Id": requestId },
    },
  );
}

export default {
  async fetch(request, bindings, ctx) {
    const requestId = crypto.randomUUID();
    let env;
    try {
      env = parseEnv(bindings);
    } catch (error) {
      if (error instanceof EnvError) return misconfigured(error, requestId);
      throw error;
    }

    const csrf = checkSameOrigin(request);
    if (!csrf.ok) {
      console.warn(
        JSON.stringify({ level: "warn", event: "csrf.refused", requestId, reason: csrf.reason }),
      );
      return csrfRefusal(requestId);
    }

    const cspNonce = crypto.randomUUID().replaceAll("-", "");
    const context: AppLoadContext = {
      cloudflare: { env: bindings, ctx },
      env,
      db: dbFor(bindings.DB),
      requestId,
      cspNonce,
    };
    const response = await handleRemixRequest(request, context);
    const headers = securityHeaders({ nonce: cspNonce, environment: env.environment });
    headers.set("X-Request-Id", requestId);
    const sent = privatizeForSessions(request, withDefaultHeaders(response, headers));
    return withEtag(request, sent, { volatile: [cspNonce] });
  },

  async scheduled(controller, bindings) {
    const env = parseEnv(bindings);
    const db = createDb(bindings.DB);
    await runScheduledJobs(
      controller.cron,
      JOB_REGISTRY,
      { db, env, bindings, now: new Date(controller.scheduledTime) },
      { recordRun: jobRunRecorder(db) },
    );
  },
} satisfies ExportedHandler<WorkerBindings>;
