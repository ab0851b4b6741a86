import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { emailOutbox } from "#db/schema";
import { parseEnv } from "~/lib/env.server";
import { createUser } from "../../factories";
import { ORIGIN, sessionCookieFor } from "../../helpers/session";

const db = createDb(env.DB);

describe("/admin/outbox/:emailId", () => {
  it("shows the email itself, not the outbox list", async () => {
    const admin = await createUser(
      db,
      { role: "ADMIN", twoFactorSecret: "JBSWY3DPEHPK3PXP" },
      { encryptionKeys: parseEnv(env).encryptionKeys },
    );
    const cookie = await sessionCookieFor(admin.id, { twoFactorVerified: true });
    const marker = crypto.randomUUID();
    const [email] = await db
      .insert(emailOutbox)
      .values({
        toEmail: "reader@example.test",
        template: "test",
        subject: `Subject ${marker}`,
        bodyText: `The body ${marker}`,
        sendAfter: new Date(),
      })
      .returning({ id: emailOutbox.id });
    const response = await SELF.fetch(`${ORIGIN}/admin/outbox/${email!.id}`, {
      headers: { Cookie: cookie },
    });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(`The body ${marker}`);
    expect(html).toContain("<title>Email — Outbox — Admin — Studio Store</title>");
  });
});
