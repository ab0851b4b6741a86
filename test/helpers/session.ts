import { createCookie } from "@remix-run/cloudflare";
import { env } from "cloudflare:test";
import { createDb } from "#db/client";
import { parseEnv } from "~/lib/env.server";
import { newSessionStatement } from "~/services/sessions.server";

export const ORIGIN = "https://store.example";

/** A real session row and the signed cookie a browser would send for it. */
export async function sessionCookieFor(
  userId: string,
  options: { twoFactorVerified?: boolean; deviceSessionId?: string | null } = {},
): Promise<string> {
  const db = createDb(env.DB);
  const { token, statement } = await newSessionStatement(db, {
    userId,
    deviceSessionId: options.deviceSessionId ?? null,
    twoFactorVerified: options.twoFactorVerified ?? false,
    now: new Date(),
  });
  await statement;
  const cookie = createCookie("session", {
    secrets: [parseEnv(env).sessionSecret],
    path: "/",
    httpOnly: true,
    sameSite: "lax",
  });
  const header = await cookie.serialize(token);
  return header.split(";")[0]!;
}

/** POST a form the way our own pages do (same-origin). */
export function postForm(
  path: string,
  fields: Record<string, string>,
  init: { cookie?: string; headers?: Record<string, string> } = {},
) {
  return {
    path,
    init: {
      method: "POST",
      body: new URLSearchParams(fields),
      redirect: "manual" as const,
      headers: {
        Origin: ORIGIN,
        // Remix compares Origin with the Host on actions; the pool's SELF.fetch sends no Host
        // header, so name the host the way a proxy would.
        "X-Forwarded-Host": new URL(ORIGIN).host,
        "Content-Type": "application/x-www-form-urlencoded",
        ...(init.cookie ? { Cookie: init.cookie } : {}),
        ...init.headers,
      },
    },
  };
}
