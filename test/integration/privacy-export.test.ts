import { createId } from "@paralleldrive/cuid2";
import { env } from "cloudflare:test";
import { SELF } from "../helpers/worker";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { auditLogs, users } from "#db/schema";
import { EXPORT_PAGE_SIZE, EXPORT_RATE_LIMIT } from "~/domain/privacy/export";
import { PERSONAL_DATA_MAP } from "~/domain/privacy/personal-data-map";
import { auditStatement } from "~/services/audit.server";
import { EXPORT_SECTIONS, startDataExport } from "~/services/privacy/export.server";
import { createUser } from "../factories";
import { seedPerson } from "../helpers/personal-data";
import { sessionCookieFor } from "../helpers/session";

const db = createDb(env.DB);
const request = { ipHash: null, userAgent: "Vitest", requestId: "req-export" };

type ExportDocument = Record<string, unknown> & { profile: Record<string, unknown> };

async function exportOf(userId: string, now = new Date()) {
  const result = await startDataExport(db, {
    userId,
    actor: { id: userId, role: "USER" },
    request,
    now,
  });
  if (!result.ok) throw new Error(`export refused: ${result.reason}`);
  const text = await new Response(result.body).text();
  return { text, document: JSON.parse(text) as ExportDocument, fileName: result.fileName };
}

const idsIn = (document: ExportDocument, section: string): string[] =>
  section === "profile"
    ? [String(document.profile.id)]
    : (document[section] as Array<{ id: string }>).map((row) => row.id);

describe("the personal data map", () => {
  it("lists every table of the database, so a new table must say how it is exported", async () => {
    const { results } = await env.DB.prepare(
      "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%' and name <> 'd1_migrations'",
    ).all<{ name: string }>();
    expect(Object.keys(PERSONAL_DATA_MAP).sort()).toEqual(results.map((row) => row.name).sort());
  });

  it("names exactly the sections the export writes; every exclusion says why", () => {
    const named = Object.values(PERSONAL_DATA_MAP).flatMap((entry) =>
      entry.export ? [entry.export] : [],
    );
    expect([...EXPORT_SECTIONS].sort()).toEqual(named.sort());
    for (const [table, entry] of Object.entries(PERSONAL_DATA_MAP)) {
      if (entry.export === null) expect(entry, table).toHaveProperty("why");
    }
  });
});

describe("export my data", () => {
  it("holds every row about the person in every section and none of anyone else's", async () => {
    const alice = await seedPerson("alice");
    const bob = await seedPerson("bob");
    const { document } = await exportOf(alice.user.id);

    expect(Object.keys(document)).toEqual(["format", "exportedAt", ...EXPORT_SECTIONS]);
    for (const section of EXPORT_SECTIONS) {
      const exported = idsIn(document, section);
      expect(exported, section).toEqual(expect.arrayContaining(alice.ids[section] ?? []));
      expect(alice.ids[section]?.length ?? 0, `seeded rows of ${section}`).toBeGreaterThan(0);
      for (const id of bob.ids[section] ?? []) expect(exported, section).not.toContain(id);
    }
    expect(document.profile).toMatchObject({
      email: alice.user.email,
      name: alice.user.name,
      guardianEmail: alice.user.guardianEmail,
    });
  });

  it("leaves secrets out: password hash, 2FA secret, token hashes, fingerprints, full keys", async () => {
    const carol = await seedPerson("carol");
    await db
      .update(users)
      .set({ twoFactorEnabled: true, twoFactorSecret: "v1:ciphertext-of-the-secret" })
      .where(eq(users.id, carol.user.id));
    const { text, document } = await exportOf(carol.user.id);

    for (const secret of [
      ...carol.secrets,
      carol.user.passwordHash,
      "v1:ciphertext-of-the-secret",
    ]) {
      expect(text).not.toContain(secret);
    }
    for (const key of [
      "passwordHash",
      "twoFactorSecret",
      "twoFactorRecoveryCodes",
      "guardianConsentTokenHash",
      "tokenHash",
      "fingerprintHash",
      "deviceFingerprint",
      "keyEncrypted",
      "keyBlindIndex",
      "keyLast5",
    ]) {
      expect(text).not.toContain(`"${key}"`);
    }
    const [license] = document.licenses as Array<{ maskedKey: string }>;
    expect(license!.maskedKey.endsWith(carol.licenseKey.slice(-4))).toBe(true);
    expect(license!.maskedKey).not.toContain(carol.licenseKey.slice(-5));
  });

  it("pages through large sections without losing or repeating a row", async () => {
    const user = await createUser(db);
    const count = EXPORT_PAGE_SIZE * 2 + 7;
    const statements = Array.from({ length: count }, () =>
      auditStatement(db, {
        actor: { id: user.id, role: "USER" },
        action: "SETTINGS_CHANGED",
        entityType: "user",
        entityId: user.id,
      }),
    );
    await db.batch([statements[0]!, ...statements.slice(1)]);
    const { document } = await exportOf(user.id);
    const ids = idsIn(document, "auditTrail");
    // The export's own DATA_EXPORTED row is about them too.
    expect(ids).toHaveLength(count + 1);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("is audited, and refused after three exports in an hour", async () => {
    const user = await createUser(db);
    const now = new Date(Date.UTC(2026, 6, 1, 10, 5));
    for (let i = 0; i < EXPORT_RATE_LIMIT.limit; i++) await exportOf(user.id, now);
    const refused = await startDataExport(db, {
      userId: user.id,
      actor: { id: user.id, role: "USER" },
      request,
      now,
    });
    expect(refused).toMatchObject({ ok: false, kind: "limit", reason: "export-rate-limited" });

    const audited = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.entityId, user.id), eq(auditLogs.action, "DATA_EXPORTED")));
    expect(audited).toHaveLength(EXPORT_RATE_LIMIT.limit);
    expect(audited[0]).toMatchObject({ actorId: user.id, entityType: "user" });

    const nextHour = new Date(now.getTime() + EXPORT_RATE_LIMIT.windowMs);
    await expect(exportOf(user.id, nextHour)).resolves.toBeTruthy();
  });

  it("GET /account/privacy/export answers a JSON attachment to its owner only", async () => {
    const person = await seedPerson(`web-${createId().slice(0, 4)}`);
    const anonymous = await SELF.fetch("https://store.example/account/privacy/export", {
      redirect: "manual",
    });
    expect(anonymous.status).toBe(302);

    const cookie = await sessionCookieFor(person.user.id);
    const response = await SELF.fetch("https://store.example/account/privacy/export", {
      headers: { Cookie: cookie },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(response.headers.get("Content-Disposition")).toMatch(
      /^attachment; filename="studio-store-my-data-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    expect(response.headers.get("Cache-Control")).toContain("no-store");
    const document = (await response.json()) as ExportDocument;
    expect(document.profile.id).toBe(person.user.id);
    expect(idsIn(document, "licenses")).toEqual(person.ids.licenses);
  });
});
