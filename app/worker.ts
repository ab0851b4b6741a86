/**
 * The Worker entry: `fetch` serves the Remix app, `scheduled` runs the cron jobs.
 * Static files (public/, including the client build) are served by Workers Assets without
 * this code; every other path comes straight here (wrangler.toml `run_worker_first`, ADR 0018).
 */
import {
  createRequestHandler,
  logDevReady,
  type AppLoadContext,
  type ServerBuild,
} from "@remix-run/cloudflare";
import * as build from "@remix-run/dev/server-build";
import { createDb, openD1Session, requestDbFor } from "#db/client";
import { JOB_REGISTRY } from "./jobs/registry";
import { runScheduledJobs } from "./jobs/run-scheduled";
import { privatizeForSessions } from "./lib/cache-control.server";
import { checkSameOrigin, csrfRefusal } from "./lib/csrf.server";
import { bookmarkSetCookie, readBookmark, sessionConstraint } from "./lib/d1-session.server";
import { EnvError, parseEnv, type WorkerBindings } from "./lib/env.server";
import { etagMatches } from "./lib/etag";
import { notModified, withEtag, withKnownEtag } from "./lib/etag.server";
import { PUBLIC_PAGE_CACHE } from "./lib/http";
import "./lib/load-context";
import { securityHeaderEntries, withDefaultHeaders } from "./lib/security-headers.server";
import { jobRunRecorder } from "./services/job-runs.server";
import {
  cacheApiPageStore,
  catalogVersion,
  catalogVersionRefreshMs,
  forgetCatalogVersion,
  fromStoredPage,
  isCacheablePageRequest,
  isStorableResponse,
  layeredPageStore,
  memoryPageStore,
  pageCacheKey,
  pageCacheTag,
  toStoredPage,
} from "./services/page-cache.server";

const serverBuild = build as unknown as ServerBuild;
if (serverBuild.mode === "development") logDevReady(serverBuild);

const handleRemixRequest = createRequestHandler(serverBuild, serverBuild.mode);

/** Anonymous pages kept by this isolate (docs/decisions/0011-edge-cache-for-anonymous-pages.md). */
const isolatePages = memoryPageStore();

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
    // The request's D1 session: replicas for reads, its bookmark back to the client after a
    // write (docs/decisions/0013-d1-read-replicas-and-bookmarks.md).
    const d1 = openD1Session(
      bindings.DB,
      sessionConstraint(request.method, readBookmark(request, env.environment)),
    );
    const db = requestDbFor(bindings.DB);
    const freshEntries = (): [string, string][] => [
      ...securityHeaderEntries({ nonce: cspNonce, environment: env.environment }),
      ["X-Request-Id", requestId],
    ];
    const freshHeaders = () => new Headers(freshEntries());

    // Anonymous pages: answered from the page cache when this catalog version has been rendered.
    const cacheable = isCacheablePageRequest(request);
    let cacheKey: string | null = null;
    let pageTag: string | null = null;
    const pages = layeredPageStore(
      isolatePages,
      typeof caches === "undefined"
        ? null
        : cacheApiPageStore((caches as unknown as { default: Cache }).default),
    );
    if (cacheable) {
      cacheKey = pageCacheKey(
        request,
        await d1.run(() =>
          catalogVersion(db, Date.now(), catalogVersionRefreshMs(env.environment)),
        ),
      );
      // The tag follows from the key and the build: a revalidation needs no render, no store
      // read. A plain hit needs no hash at all: the stored page carries its tag.
      const ifNoneMatch = request.headers.get("If-None-Match");
      if (ifNoneMatch && ifNoneMatch.trim() !== "*") {
        pageTag = await pageCacheTag(cacheKey, serverBuild.assets.version);
        if (etagMatches(ifNoneMatch, pageTag)) {
          const unchanged = withDefaultHeaders(
            notModified(pageTag, PUBLIC_PAGE_CACHE),
            freshHeaders(),
          );
          unchanged.headers.set("X-Page-Cache", "not-modified");
          return privatizeForSessions(request, unchanged);
        }
      }
      const stored = await pages.get(cacheKey);
      if (stored)
        return fromStoredPage(stored, request, { nonce: cspNonce, headers: freshEntries() });
      pageTag ??= await pageCacheTag(cacheKey, serverBuild.assets.version);
    }

    const context: AppLoadContext = {
      cloudflare: { env: bindings, ctx },
      env,
      db,
      requestId,
      cspNonce,
    };
    const response = await d1.run(() => handleRemixRequest(request, context));
    const bookmarkCookie = bookmarkSetCookie(
      {
        method: request.method,
        wrote: d1.wrote(),
        bookmark: d1.bookmark(),
        keepsCookies: request.headers.has("Cookie") || response.headers.has("Set-Cookie"),
      },
      env.environment,
    );
    // A write served here may have changed the catalog: read the version again next time.
    if (request.method !== "GET" && request.method !== "HEAD") forgetCatalogVersion();
    const rendered = withDefaultHeaders(response, freshHeaders());
    if (bookmarkCookie) rendered.headers.append("Set-Cookie", bookmarkCookie);
    const sent = privatizeForSessions(request, rendered);
    const tagged =
      pageTag === null
        ? await withEtag(request, sent, { volatile: [cspNonce] })
        : withKnownEtag(sent, pageTag);
    if (cacheKey === null || !isStorableResponse(tagged)) return tagged;

    const body = await tagged.text();
    const page = toStoredPage(body, tagged.headers, cspNonce);
    ctx.waitUntil(
      pages.put(cacheKey, page).catch((error: unknown) => {
        console.warn(
          JSON.stringify({
            level: "warn",
            event: "page-cache.put",
            requestId,
            message: String(error),
          }),
        );
      }),
    );
    const headers = new Headers(tagged.headers);
    headers.set("X-Page-Cache", "miss");
    return new Response(body, { status: tagged.status, headers });
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
