import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { parseEnv } from "~/lib/env.server";
import { createUser } from "../../factories";
import { ORIGIN, postForm, sessionCookieFor } from "../../helpers/session";

const db = createDb(env.DB);

const get = (path: string, cookie?: string) =>
  SELF.fetch(new URL(path, ORIGIN), {
    redirect: "manual",
    headers: cookie ? { Cookie: cookie } : {},
  });

describe("Cache-Control of personal responses", () => {
  it("pages with personal data or secrets are private, no-store for the logged-in user", async () => {
    const user = await createUser(db);
    const cookie = await sessionCookieFor(user.id);
    for (const path of [
      "/account",
      "/account/security",
      "/account/purchases",
      "/account/licenses",
      "/account/two-factor",
      "/account/membership",
      "/account.data", // the single-fetch data request behind client navigations
    ]) {
      const response = await get(path, cookie);
      expect(response.status, path).toBeLessThan(400);
      expect(response.headers.get("Cache-Control"), path).toBe("private, no-store");
    }
  });

  it("staff pages are private, no-store too", async () => {
    const admin = await createUser(
      db,
      { role: "ADMIN", twoFactorSecret: "JBSWY3DPEHPK3PXP" },
      { encryptionKeys: parseEnv(env).encryptionKeys },
    );
    const cookie = await sessionCookieFor(admin.id, { twoFactorVerified: true });
    for (const path of ["/admin", "/admin/users", "/admin/purchases", `/admin/users/${admin.id}`]) {
      const response = await get(path, cookie);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("Cache-Control"), path).toBe("private, no-store");
    }
  });

  it("any other answer to a logged-in user (a 404 page with their name, a redirect) is too", async () => {
    const user = await createUser(db);
    const cookie = await sessionCookieFor(user.id);
    for (const path of ["/no-such-page", "/checkout/test/no-such-purchase", "/login"]) {
      const response = await get(path, cookie);
      expect(response.headers.get("Cache-Control"), path).toBe("private, no-store");
    }
  });

  it("a public page asked for with a session cookie is private too", async () => {
    const user = await createUser(db);
    const response = await get("/products", await sessionCookieFor(user.id));
    expect(response.headers.get("Cache-Control")).toBe("private, no-store");
  });

  it("a response that sets a cookie (the log-in form) is never stored", async () => {
    const { path, init } = postForm("/login", { email: "nobody@example.test", password: "x" });
    const response = await SELF.fetch(new URL(path, ORIGIN), init);
    if (response.headers.has("Set-Cookie")) {
      expect(response.headers.get("Cache-Control")).toBe("private, no-store");
    }
    const page = await get("/login");
    expect(page.headers.get("Cache-Control") ?? "").not.toContain("public");
  });

  it("anonymous public pages stay cacheable, varying on Cookie", async () => {
    const response = await get("/products");
    expect(response.headers.get("Cache-Control")).toContain("public");
    expect(response.headers.get("Vary")).toContain("Cookie");
  });
});
