import type { Environment } from "./env.server";

/**
 * Headers every HTML response carries (docs/architecture.md §5). Scripts run only with the
 * per-request nonce; the page can never be framed.
 */
export function securityHeaders(options: { nonce: string; environment: Environment }): Headers {
  return new Headers(securityHeaderEntries(options));
}

/** The same headers as name/value pairs, for responses built without a Headers in between. */
export function securityHeaderEntries(options: {
  nonce: string;
  environment: Environment;
}): [string, string][] {
  const { nonce, environment } = options;
  const development = environment === "development";
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    // Remix's live reload talks over a websocket in development only.
    development ? "connect-src 'self' ws://localhost:* ws://127.0.0.1:*" : "connect-src 'self'",
    "form-action 'self' https://checkout.stripe.com",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "object-src 'none'",
  ].join("; ");

  const entries: [string, string][] = [
    ["Content-Security-Policy", csp],
    ["X-Content-Type-Options", "nosniff"],
    ["Referrer-Policy", "strict-origin-when-cross-origin"],
    ["X-Frame-Options", "DENY"],
    ["Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"],
    ["Cross-Origin-Opener-Policy", "same-origin"],
  ];
  if (environment === "production" || environment === "staging") {
    entries.push(["Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload"]);
  }
  return entries;
}

/** Copy headers onto a response without replacing ones a route set on purpose. */
export function withDefaultHeaders(response: Response, defaults: Headers): Response {
  const result = new Response(response.body, response);
  defaults.forEach((value, name) => {
    if (!result.headers.has(name)) result.headers.set(name, value);
  });
  return result;
}
