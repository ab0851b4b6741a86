import { env } from "cloudflare:test";
import { createId } from "@paralleldrive/cuid2";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { auditLogs, featureFlags } from "#db/schema";
import { auditStatement, recordAudit } from "~/services/audit.server";

const db = createDb(env.DB);

describe("audit service", () => {
  it("writes a redacted row with actor, entity and request details", async () => {
    const entityId = createId();
    await recordAudit(db, {
      actor: { id: "actor-1", role: "ADMIN" },
      action: "FEATURE_FLAG_CHANGED",
      entityType: "feature_flag",
      entityId,
      metadata: { flag: "checkout", enabled: true, secret: "nope" },
      request: { ipHash: "f".repeat(64), userAgent: "Vitest", requestId: "req-1" },
    });
    const [row] = await db.select().from(auditLogs).where(eq(auditLogs.entityId, entityId));
    expect(row).toMatchObject({
      actorId: "actor-1",
      actorRole: "ADMIN",
      action: "FEATURE_FLAG_CHANGED",
      metadata: { flag: "checkout", enabled: true, secret: "[redacted]" },
      requestId: "req-1",
    });
  });

  it("is written in the same atomic batch as the change: both or neither", async () => {
    const flagId = createId();
    const flag = db
      .insert(featureFlags)
      .values({ id: flagId, key: "downloads", environment: "test" as never, enabled: true });
    const audit = auditStatement(db, {
      actor: null,
      action: "FEATURE_FLAG_CHANGED",
      entityType: "feature_flag",
      entityId: flagId,
    });
    // "test" is not a valid flag environment, so the batch fails and the audit row must not exist.
    await expect(db.batch([audit, flag])).rejects.toThrow();
    expect(await db.select().from(auditLogs).where(eq(auditLogs.entityId, flagId))).toHaveLength(0);
  });
});
