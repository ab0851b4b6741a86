/**
 * A session for the pages bench: `tsx test/bench/seed-session.ts --persist-to DIR --email E`
 * inserts a session for the existing account E into the local D1 in DIR, the way a login would
 * (`newSessionStatement`), and prints one JSON line: `{ "cookie": "session=…" }`. The bench
 * measures `/account` with it. Refused unless ENVIRONMENT is "development".
 */
import { createCookie } from "@remix-run/cloudflare";
import { eq } from "drizzle-orm";
import { parseArgs } from "node:util";
import { createDb, type Database } from "#db/client";
import { users } from "#db/schema";
import { openLocalPlatform } from "#db/seed";
import { parseEnv, type AppEnv } from "~/lib/env.server";
import { newSessionStatement } from "~/services/sessions.server";

/** The local platform in `persistTo`, refused unless it is a development one. */
export async function openDevelopmentPlatform(persistTo: string | undefined) {
  const platform = await openLocalPlatform(persistTo);
  const bindings = platform.env;
  if (bindings.ENVIRONMENT !== "development") {
    await platform.dispose();
    throw new Error(`Refusing to seed: ENVIRONMENT is "${bindings.ENVIRONMENT}".`);
  }
  return { platform, env: parseEnv(bindings), db: createDb(bindings.DB) };
}

/** A new session for `userId`, as a login writes it; the `Cookie` header value that carries it. */
export async function sessionCookieFor(db: Database, env: AppEnv, userId: string): Promise<string> {
  const session = await newSessionStatement(db, {
    userId,
    deviceSessionId: null,
    twoFactorVerified: false,
    now: new Date(),
  });
  await session.statement;
  const cookie = createCookie("session", { secrets: [env.sessionSecret], path: "/" });
  return (await cookie.serialize(session.token)).split(";")[0]!;
}

async function main() {
  const { values } = parseArgs({
    options: { "persist-to": { type: "string" }, email: { type: "string" } },
  });
  if (!values.email) throw new Error("--email is required");
  const { platform, env, db } = await openDevelopmentPlatform(values["persist-to"]);
  try {
    const [user] = await db
      .select({ id: users.id })
      .from(users)
      .where(eq(users.email, values.email))
      .limit(1);
    if (!user) throw new Error(`No account ${values.email} in the local D1`);
    console.log(JSON.stringify({ cookie: await sessionCookieFor(db, env, user.id) }));
  } finally {
    await platform.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
