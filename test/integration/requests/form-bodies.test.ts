import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { parseEnv } from "~/lib/env.server";
import { createUser } from "../../factories";
import { ORIGIN, sessionCookieFor } from "../../helpers/session";

/**
 * Issue 14.7: a body that is not a form (JSON, plain text) or a form body that does not parse
 * (multipart without its boundary, or cut off) used to end in a 500 from `request.formData()`.
 * Every action reads its form through `readForm`: 415 or 400, with a sentence.
 */

const db = createDb(env.DB);
const appEnv = parseEnv(env);

const BODIES = [
  {
    name: "JSON",
    contentType: "application/json",
    body: '{"intent":"ban","reason":"x"}',
    status: 415,
    says: "This address takes a form",
  },
  {
    name: "plain text",
    contentType: "text/plain",
    body: "intent=ban",
    status: 415,
    says: "This address takes a form",
  },
  {
    name: "no Content-Type",
    contentType: null,
    body: "intent=ban",
    status: 415,
    says: "This address takes a form",
  },
  {
    name: "multipart without a boundary",
    contentType: "multipart/form-data",
    body: '--x\r\nContent-Disposition: form-data; name="intent"\r\n\r\nban\r\n--x--\r\n',
    status: 400,
    says: "The form could not be read",
  },
  {
    name: "multipart cut off",
    contentType: "multipart/form-data; boundary=xyz",
    body: '--xyz\r\nContent-Disposition: form-data; name="intent"\r\n\r\nban',
    status: 400,
    says: "The form could not be read",
  },
] as const;

const cookies: Record<string, string> = {};
let adminPath = "";

beforeAll(async () => {
  const member = await createUser(db);
  cookies.member = await sessionCookieFor(member.id);
  const admin = await createUser(
    db,
    { role: "OWNER", twoFactorSecret: "JBSWY3DPEHPK3PXP" },
    { encryptionKeys: appEnv.encryptionKeys },
  );
  cookies.admin = await sessionCookieFor(admin.id, { twoFactorVerified: true });
  adminPath = `/admin/users/${(await createUser(db)).id}`;
});

function post(path: string, body: (typeof BODIES)[number], cookie?: string) {
  const body_ = new Blob([body.body]);
  return SELF.fetch(`${ORIGIN}${path}`, {
    method: "POST",
    body: body_,
    redirect: "manual",
    headers: {
      Origin: ORIGIN,
      "X-Forwarded-Host": new URL(ORIGIN).host,
      ...(body.contentType ? { "Content-Type": body.contentType } : {}),
      ...(cookie ? { Cookie: cookie } : {}),
    },
  });
}

describe("an action sent something that is not a form", () => {
  const targets = [
    { name: "log-in", path: () => "/login", cookie: undefined },
    { name: "an account action", path: () => "/account/security", cookie: "member" },
    { name: "an account action (privacy)", path: () => "/account/privacy", cookie: "member" },
    { name: "an admin action", path: () => adminPath, cookie: "admin" },
    { name: "the backups page", path: () => "/admin/backups?index", cookie: "admin" },
  ] as const;

  for (const target of targets) {
    for (const body of BODIES) {
      it(`${target.name} answers ${body.name} with ${body.status} and a sentence`, async () => {
        const response = await post(
          target.path(),
          body,
          target.cookie ? cookies[target.cookie] : undefined,
        );
        expect(response.status).toBe(body.status);
        expect(await response.text()).toContain(body.says);
      });
    }
  }
});
