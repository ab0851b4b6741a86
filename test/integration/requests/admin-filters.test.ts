import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { parseEnv } from "~/lib/env.server";
import { createUser } from "../../factories";
import { ORIGIN, sessionCookieFor } from "../../helpers/session";

const db = createDb(env.DB);
let cookie: string;

beforeAll(async () => {
  const owner = await createUser(
    db,
    { role: "OWNER", twoFactorSecret: "JBSWY3DPEHPK3PXP" },
    { encryptionKeys: parseEnv(env).encryptionKeys },
  );
  cookie = await sessionCookieFor(owner.id, { twoFactorVerified: true });
});

/** The options of the page's search/filter form, as `value → text`. */
async function filterOptions(path: string): Promise<Map<string, string>> {
  const response = await SELF.fetch(`${ORIGIN}${path}`, { headers: { Cookie: cookie } });
  expect(response.status).toBe(200);
  const html = await response.text();
  const form = /<form[^>]*role="search"[\s\S]*?<\/form>/.exec(html)?.[0] ?? "";
  expect(form).not.toBe("");
  const options = new Map<string, string>();
  for (const match of form.matchAll(/<option value="([^"]*)"[^>]*>([^<]*)<\/option>/g)) {
    if (match[1]) options.set(match[1], match[2]!);
  }
  return options;
}

describe("staff filters show words, not enum names", () => {
  it.each([
    ["/admin/users", { USER: "Customer", ACTIVE: "Active", MODERATOR: "Moderator" }],
    ["/admin/licenses", { SUSPENDED: "Suspended", FLAGGED: "Flagged for abuse" }],
    ["/admin/purchases", { PENDING: "Pending payment", REFUNDED: "Refunded" }],
    ["/admin/products", { DRAFT: "Draft", PUBLISHED: "Published" }],
    ["/admin/outbox", { PENDING: "Waiting to send", SENT: "Sent" }],
    ["/admin/reset-requests", { PENDING: "Waiting for review" }],
    ["/admin/memberships", { BASIC_ACCESS: "Basic access", PAST_DUE: "Past due" }],
    [
      "/admin/audit",
      { TWO_FACTOR_ENABLED: "Two factor enabled", device_session: "Device session" },
    ],
  ])("%s", async (path, expected) => {
    const options = await filterOptions(path);
    expect(options.size).toBeGreaterThan(0);
    for (const [value, text] of Object.entries(expected)) expect(options.get(value)).toBe(text);
    for (const [value, text] of options) {
      expect(text, `${path}: ${value}`).not.toMatch(/_/);
      expect(text, `${path}: ${value}`).toMatch(/^[A-Z0-9]/);
    }
  });
});
