import { describe, expect, it } from "vitest";
import { securityHeaders, withDefaultHeaders } from "~/lib/security-headers.server";

describe("security headers", () => {
  it("allows only nonce'd inline scripts and forbids framing", () => {
    const headers = securityHeaders({ nonce: "abc123", environment: "production" });
    const csp = headers.get("Content-Security-Policy")!;
    expect(csp).toContain("script-src 'self' 'nonce-abc123'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(headers.get("Strict-Transport-Security")).toContain("max-age=");
  });

  it("sends HSTS only where the site is served over HTTPS", () => {
    expect(
      securityHeaders({ nonce: "n", environment: "development" }).has("Strict-Transport-Security"),
    ).toBe(false);
  });

  it("never overrides a header a route set on purpose", () => {
    const response = withDefaultHeaders(
      new Response("x", { headers: { "Referrer-Policy": "no-referrer" } }),
      securityHeaders({ nonce: "n", environment: "test" }),
    );
    expect(response.headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(response.headers.get("X-Frame-Options")).toBe("DENY");
  });
});
