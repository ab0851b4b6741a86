import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../build/index.js";

/**
 * The built Worker, called in this isolate: a drop-in for the pool's `SELF.fetch`.
 *
 * Under @cloudflare/vitest-pool-workers 0.23 every `SELF.fetch` costs more than the one before
 * it in the same workerd instance (workers-sdk#15446: 6 ms → 370 ms per request after 1,500;
 * measured here, /healthz went from 5 ms to 254 ms in 900 requests), so request-heavy files
 * such as the permission matrix spent most of CI in the harness. Calling the Worker's `fetch`
 * handler directly stays flat (0.2 ms for a refused request) and runs the same code.
 *
 * Like `fetch`, it sends a Content-Length for bodies of known size, follows redirects unless `redirect: "manual"`, and it does not wait for the
 * Worker's `waitUntil` work before returning; that work is awaited in the background so it
 * still completes (the page cache's writes, for example).
 */
const handler = worker as unknown as ExportedHandler<typeof env>;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;

async function dispatch(request: Request): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await handler.fetch!(
    request as Request<unknown, IncomingRequestCfProperties>,
    env,
    ctx,
  );
  void waitOnExecutionContext(ctx).catch(() => undefined);
  return response;
}

/**
 * `fetch` sends a Content-Length for a body of known size (bytes, text, a form); a `Request`
 * built in the isolate has none, and the upload and API routes judge size by it. A stream
 * body stays a stream, sent without a length, as `fetch` would.
 */
async function withContentLength(request: Request, init?: RequestInit): Promise<Request> {
  if (!request.body || request.headers.has("Content-Length")) return request;
  if (init?.body instanceof ReadableStream) return request;
  const bytes = await request.arrayBuffer();
  const headers = new Headers(request.headers);
  headers.set("Content-Length", String(bytes.byteLength));
  return new Request(request, { headers, body: bytes });
}

async function workerFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  let request = await withContentLength(new Request(input, init), init);
  const mode = init?.redirect ?? (input instanceof Request ? input.redirect : "follow");
  // A body can be sent once; 307/308 resend it, so keep a copy while it may be needed.
  let replay = request.body ? request.clone() : null;
  for (let hops = 0; ; hops += 1) {
    const response = await dispatch(request);
    const location = response.headers.get("Location");
    if (mode === "manual" || !REDIRECT_STATUSES.has(response.status) || location === null) {
      return response;
    }
    if (mode === "error") throw new TypeError(`Redirect to ${location} with redirect: "error"`);
    if (hops >= MAX_REDIRECTS) throw new TypeError("Too many redirects");
    const url = new URL(location, request.url);
    const keepsMethod =
      response.status === 307 ||
      response.status === 308 ||
      (request.method !== "POST" && response.status !== 303);
    const headers = new Headers(request.headers);
    if (keepsMethod && replay) {
      const body = replay;
      replay = body.clone();
      request = new Request(url, { method: body.method, headers, body: body.body });
    } else {
      headers.delete("Content-Type");
      headers.delete("Content-Length");
      const method = keepsMethod ? request.method : "GET";
      request = new Request(url, { method, headers });
      replay = null;
    }
  }
}

export const SELF = { fetch: workerFetch };
