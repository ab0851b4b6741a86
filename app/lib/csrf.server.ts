/**
 * Cross-site request forgery defence (docs/architecture.md §5): a state-changing request must come from
 * this site's own pages. Browsers send `Origin` (and `Sec-Fetch-Site`) on every POST; a
 * request that proves neither is refused. Endpoints that authenticate themselves (the Stripe
 * webhook's signature, the license API's key, the operations bearer token) are exempt.
 */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const EXEMPT_PATHS = [
  /^\/webhooks\/stripe$/,
  /^\/api\/licenses\/(validate|activate|deactivate)$/,
  /^\/ops\/backups$/,
];

export type CsrfDecision = { ok: true } | { ok: false; reason: string };

export function checkSameOrigin(request: Request): CsrfDecision {
  if (SAFE_METHODS.has(request.method)) return { ok: true };
  const url = new URL(request.url);
  if (EXEMPT_PATHS.some((pattern) => pattern.test(url.pathname))) return { ok: true };

  const origin = request.headers.get("Origin");
  if (origin && origin !== "null") {
    return origin === url.origin
      ? { ok: true }
      : { ok: false, reason: `cross-origin request from ${origin}` };
  }
  const site = request.headers.get("Sec-Fetch-Site");
  if (site === "same-origin") return { ok: true };
  return {
    ok: false,
    reason: site ? `Sec-Fetch-Site is ${site}` : "no Origin or Sec-Fetch-Site header",
  };
}

export function csrfRefusal(requestId: string): Response {
  return new Response(
    "This form was sent from another site, so we refused it. Go back to the page, reload it and try again.",
    {
      status: 403,
      headers: { "Content-Type": "text/plain; charset=utf-8", "X-Request-Id": requestId },
    },
  );
}
