import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { emailOutbox } from "#db/schema";
import { guardianConsentRequestEmail } from "~/domain/email/templates";
import { parseEnv } from "~/lib/env.server";
import { createUser } from "../../factories";
import { ORIGIN, sessionCookieFor } from "../../helpers/session";

const db = createDb(env.DB);

async function adminCookie() {
  const admin = await createUser(
    db,
    { role: "ADMIN", twoFactorSecret: "JBSWY3DPEHPK3PXP" },
    { encryptionKeys: parseEnv(env).encryptionKeys },
  );
  return sessionCookieFor(admin.id, { twoFactorVerified: true });
}

describe("/admin/outbox/:emailId", () => {
  it("shows the email itself, not the outbox list", async () => {
    const cookie = await adminCookie();
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

  it("shows a guardian-consent email's body with its consent link (token hidden outside development)", async () => {
    const cookie = await adminCookie();
    const minorEmail = `minor-${crypto.randomUUID().slice(0, 8)}@example.test`;
    const words = guardianConsentRequestEmail({
      minorName: "Robin",
      minorEmail,
      link: `${ORIGIN}/consent/abc.def-123_token`,
    });
    const [email] = await db
      .insert(emailOutbox)
      .values({ toEmail: "guardian@example.test", ...words, sendAfter: new Date() })
      .returning({ id: emailOutbox.id });

    const list = await SELF.fetch(`${ORIGIN}/admin/outbox`, { headers: { Cookie: cookie } });
    expect(await list.text()).toContain(`/admin/outbox/${email!.id}`);

    const response = await SELF.fetch(`${ORIGIN}/admin/outbox/${email!.id}`, {
      headers: { Cookie: cookie },
    });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Robin would like your consent to use Studio Store");
    expect(html).toContain(`Robin (${minorEmail}) signed up to Studio Store`);
    expect(html).toContain("To give your consent, open this link within 14 days:");
    expect(html).toContain(`${ORIGIN}/consent/[hidden: only the recipient&#x27;s copy works]`);
    expect(html).not.toContain("abc.def-123_token");
  });
});
