import type { AppLoadContext } from "@remix-run/cloudflare";
import { describe, expect, it } from "vitest";
import { readSignedCookie, sessionCookie } from "~/request/auth.server";

const contextFor = (environment: string) =>
  ({ env: { environment, sessionSecret: "s".repeat(40) } }) as unknown as AppLoadContext;

describe("the session cookie", () => {
  it("is __Host- prefixed, Secure, HttpOnly, SameSite=Lax and Path=/ in production", async () => {
    const header = await sessionCookie(contextFor("production")).serialize(
      "token-value-1234567890",
    );
    expect(header).toMatch(/^__Host-session=/);
    for (const attribute of ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"])
      expect(header).toContain(attribute);
    expect(header).not.toMatch(/Domain=/i);
  });

  it("drops only the prefix and Secure over plain-http development", async () => {
    const header = await sessionCookie(contextFor("development")).serialize(
      "token-value-1234567890",
    );
    expect(header).toMatch(/^session=/);
    expect(header).not.toContain("Secure");
    expect(header).toContain("HttpOnly");
    expect(header).toContain("SameSite=Lax");
  });

  it("is signed: a forged, re-signed or undecodable value reads as no session", async () => {
    const cookie = sessionCookie(contextFor("production"));
    const header = (await cookie.serialize("token-value-1234567890")).split(";")[0]!;
    expect(await readSignedCookie(cookie, header)).toBe("token-value-1234567890");
    const otherKey = sessionCookie({
      env: { environment: "production", sessionSecret: "x".repeat(40) },
    } as unknown as AppLoadContext);
    const forged = (await otherKey.serialize("token-value-1234567890")).split(";")[0]!;
    expect(await readSignedCookie(cookie, forged)).toBeNull();
    expect(await readSignedCookie(cookie, "__Host-session=%%%not-base64")).toBeNull();
    expect(await readSignedCookie(cookie, "__Host-session=forged-value")).toBeNull();
  });
});
