import { env } from "cloudflare:test";
import { createId } from "@paralleldrive/cuid2";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import {
  auditLogs,
  downloads,
  emailOutbox,
  licenseActivations,
  licenses,
  memberships,
  paymentEvents,
} from "#db/schema";
import { parseEnv } from "~/lib/env.server";
import { auditStatement } from "~/services/audit.server";
import { insertWhen, selectInTableOrder } from "~/services/conditional-insert.server";
import { queueEmail } from "~/services/email-outbox.server";
import { issueLicenseStatement } from "~/services/licenses.server";
import { changedRows, namedBatch } from "~/services/named-batch.server";
import { createUser } from "../factories";
import { licenseFor } from "../helpers/licenses";

/**
 * The SQL our batch helpers build on. `insertWhen` rewrites drizzle's `INSERT … VALUES` into
 * `INSERT … SELECT … WHERE`, so the exact text drizzle generates for every statement it is
 * given is pinned here: a drizzle upgrade that changes it fails this file, not production.
 */

const db = createDb(env.DB);
const appEnv = parseEnv(env);
const now = new Date("2031-02-03T04:05:06Z");

const columns = (...names: string[]) => names.map((name) => `"${name}"`).join(", ");
const testEmail = (to: string) => ({ to, template: "test", subject: "Test", bodyText: "Body" });

describe("drizzle's INSERT … VALUES, as insertWhen reads it", () => {
  it("audit rows (auditStatement)", () => {
    const audit = auditStatement(db, {
      actor: null,
      action: "DOWNLOAD_FAILED",
      entityType: "license",
      entityId: "lic",
      at: now,
    });
    expect(audit.toSQL().sql).toBe(
      `insert into "audit_logs" (${columns("id", "actor_id", "actor_role", "action", "entity_type", "entity_id", "ip_hash", "user_agent", "request_id", "metadata", "created_at")}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  });

  it("download attempts", () => {
    const row = db.insert(downloads).values({
      licenseId: "lic",
      userId: "user",
      productId: "product",
      status: "GRANTED",
      grantExpiresAt: now,
      ipHash: null,
      deviceFingerprint: null,
      userAgent: null,
      createdAt: now,
    });
    expect(row.toSQL().sql).toBe(
      `insert into "downloads" (${columns("id", "license_id", "user_id", "product_id", "status", "failure_reason", "ip_hash", "device_fingerprint", "user_agent", "grant_expires_at", "redeemed_at", "bytes_served", "resume_of_id", "created_at")}) values (?, ?, ?, ?, ?, null, ?, ?, ?, ?, null, null, null, ?)`,
    );
  });

  it("payment events, memberships and license activations", () => {
    const event = db.insert(paymentEvents).values({
      provider: "TEST",
      eventId: "evt",
      type: "test.payment_succeeded",
      status: "PROCESSED",
      purchaseId: "purchase",
      summary: {},
      error: null,
      processedAt: now,
      createdAt: now,
    });
    expect(event.toSQL().sql).toBe(
      `insert into "payment_events" (${columns("id", "provider", "event_id", "type", "status", "purchase_id", "membership_checkout_id", "summary", "error", "processed_at", "created_at")}) values (?, ?, ?, ?, ?, ?, null, ?, ?, ?, ?)`,
    );
    const membership = db.insert(memberships).values({
      userId: "user",
      tier: "PRO",
      status: "ACTIVE",
      autoRenew: true,
      totalCredits: 0,
      usedCredits: 0,
      currentPeriodStart: now,
      currentPeriodEnd: now,
      paidThrough: now,
      providerSubscriptionId: null,
      cancelledAt: null,
      createdAt: now,
      updatedAt: now,
    });
    expect(membership.toSQL().sql).toBe(
      `insert into "memberships" (${columns("id", "user_id", "tier", "status", "total_credits", "used_credits", "auto_renew", "current_period_start", "current_period_end", "paid_through", "provider_subscription_id", "cancelled_at", "paid_credits", "paused_at", "pause_ends_at", "grace_ends_at", "pending_tier", "created_at", "updated_at")}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, null, null, null, ?, ?)`,
    );
    const activation = db
      .insert(licenseActivations)
      .values({
        licenseId: "lic",
        instance: "laptop",
        ipHash: null,
        lastValidatedAt: now,
        createdAt: now,
      })
      .onConflictDoNothing();
    expect(activation.toSQL().sql).toBe(
      `insert into "license_activations" (${columns("id", "license_id", "instance", "ip_hash", "last_validated_at", "created_at")}) values (?, ?, ?, ?, ?, ?) on conflict do nothing`,
    );
  });

  it("licenses (issueLicenseStatement), with their ON CONFLICT", async () => {
    const issued = await issueLicenseStatement(db, appEnv, {
      purchaseId: "purchase",
      userId: "user",
      productId: "product",
      licenseType: "PERSONAL",
      teamSeats: 5,
      durationMonths: null,
      now,
    });
    expect(issued.statement.toSQL().sql).toBe(
      `insert into "licenses" (${columns("id", "purchase_id", "user_id", "product_id", "license_type", "status", "key_encrypted", "key_blind_index", "key_last5", "max_users", "current_users", "expires_at", "abuse_detected", "abuse_reason", "abuse_detected_at", "status_reason", "download_window_reset_at", "revoked_at", "created_at", "updated_at")}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, null, null, null, null, ?, ?) on conflict ("licenses"."purchase_id") do nothing`,
    );
  });
});

describe("insertWhen", () => {
  const audit = (entityId: string) =>
    auditStatement(db, {
      actor: null,
      action: "DOWNLOAD_FAILED",
      entityType: "license",
      entityId,
      metadata: { note: "a ? in a value stays a value" },
      at: now,
    });
  const rowsAbout = (entityId: string) =>
    db.select().from(auditLogs).where(eq(auditLogs.entityId, entityId));

  it("swaps VALUES for SELECT … WHERE and keeps every value", async () => {
    const statement = insertWhen(db, auditLogs, audit("x"), sql`1 = 1`);
    expect(statement.toSQL().sql).toBe(
      `insert into "audit_logs" (${columns("id", "actor_id", "actor_role", "action", "entity_type", "entity_id", "ip_hash", "user_agent", "request_id", "metadata", "created_at")}) select ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? where 1 = 1`,
    );

    const [yes, no] = [createId(), createId()];
    await db.batch([
      insertWhen(db, auditLogs, audit(yes), sql`1 = 1`),
      insertWhen(db, auditLogs, audit(no), sql`1 = 0`),
    ]);
    const [row] = await rowsAbout(yes);
    expect(row).toMatchObject({
      action: "DOWNLOAD_FAILED",
      entityType: "license",
      metadata: { note: "a ? in a value stays a value" },
      createdAt: now,
    });
    expect(await rowsAbout(no)).toHaveLength(0);
  });

  it("keeps the statement's ON CONFLICT … DO NOTHING", async () => {
    const user = await createUser(db);
    const { licenseId } = await licenseFor(user.id);
    const [license] = await db.select().from(licenses).where(eq(licenses.id, licenseId));
    const again = await issueLicenseStatement(db, appEnv, {
      purchaseId: license!.purchaseId,
      userId: user.id,
      productId: license!.productId,
      licenseType: "PERSONAL",
      teamSeats: 5,
      durationMonths: null,
      now,
    });
    const statement = insertWhen(db, licenses, again.statement, sql`1 = 1`);
    expect(statement.toSQL().sql).toMatch(
      / where 1 = 1 on conflict \("licenses"\."purchase_id"\) do nothing$/,
    );
    await statement;
    expect(
      await db.select().from(licenses).where(eq(licenses.purchaseId, license!.purchaseId)),
    ).toHaveLength(1);
  });

  it("refuses any other shape instead of writing the wrong columns", () => {
    expect(() => insertWhen(db, emailOutbox, audit("x"), sql`1 = 1`)).toThrow(
      /unexpected INSERT shape/,
    );
    const twoRows = db.insert(auditLogs).values([
      { action: "DOWNLOAD_FAILED", entityType: "license", createdAt: now },
      { action: "DOWNLOAD_FAILED", entityType: "license", createdAt: now },
    ]);
    expect(() => insertWhen(db, auditLogs, twoRows, sql`1 = 1`)).toThrow(/unexpected INSERT shape/);
    const upsert = db
      .insert(auditLogs)
      .values({ action: "DOWNLOAD_FAILED", entityType: "license", createdAt: now })
      .onConflictDoUpdate({ target: auditLogs.id, set: { entityId: "changed" } });
    expect(() => insertWhen(db, auditLogs, upsert, sql`1 = 1`)).toThrow(/unexpected INSERT shape/);
  });
});

describe("selectInTableOrder", () => {
  it("needs a value for every column, and only for columns", () => {
    expect(() => selectInTableOrder(auditLogs, { id: sql`1` }, sql``)).toThrow(/missing actor_id/);
  });
});

describe("queueEmail", () => {
  it("queues once per dedupe key, only when its condition holds", async () => {
    const key = `batch-test:${createId()}`;
    const email = { ...testEmail("once@example.test"), dedupeKey: key, at: now };
    const conditional = queueEmail(db, email, { when: sql`1 = 1` });
    expect(conditional.toSQL().sql).toBe(
      `insert into "email_outbox" (${columns("id", "to_email", "template", "subject", "body_text", "status", "attempts", "last_error", "send_after", "sent_at", "dedupe_key", "created_at", "updated_at")}) select ?, ?, ?, ?, ?, ?, ?, null, ?, null, ?, ?, ? where 1 = 1 on conflict ("email_outbox"."dedupe_key") do nothing`,
    );
    await db.batch([
      queueEmail(db, { ...email, dedupeKey: `${key}:never` }, { when: sql`1 = 0` }),
      conditional,
      queueEmail(db, email),
    ]);
    const rows = await db.select().from(emailOutbox).where(eq(emailOutbox.toEmail, email.to));
    expect(rows.map((row) => row.dedupeKey)).toEqual([key]);
    expect(rows[0]).toMatchObject({ status: "PENDING", sendAfter: now, createdAt: now });
  });

  it("sends a role's email to each active member, once each", async () => {
    const [admin, banned, user] = await Promise.all([
      createUser(db, { role: "ADMIN" }),
      createUser(db, { role: "ADMIN", accountStatus: "BANNED" }),
      createUser(db),
    ]);
    const key = `batch-test:${createId()}`;
    const email = {
      to: { activeRoles: ["ADMIN"] as const },
      template: "test-staff",
      subject: "Staff",
      bodyText: "Body",
      dedupeKey: key,
      at: now,
    };
    await db.batch([queueEmail(db, email), queueEmail(db, email)]);
    const mine = (to: string) => db.select().from(emailOutbox).where(eq(emailOutbox.toEmail, to));
    const [sent] = await mine(admin.email);
    expect(sent).toMatchObject({ template: "test-staff", dedupeKey: `${key}:${admin.id}` });
    expect(await mine(admin.email)).toHaveLength(1);
    expect(await mine(banned.email)).toHaveLength(0);
    expect(await mine(user.email)).toHaveLength(0);
  });
});

describe("namedBatch", () => {
  it("returns each statement's result under its name, lists as lists", async () => {
    const key = `batch-test:${createId()}`;
    const email = testEmail("named@example.test");
    const byKey = (dedupeKey: string) =>
      db
        .select({ id: emailOutbox.id })
        .from(emailOutbox)
        .where(eq(emailOutbox.dedupeKey, dedupeKey));
    const results = await namedBatch(db, {
      queued: queueEmail(db, { ...email, dedupeKey: key }),
      none: [],
      both: [byKey(key), byKey(`${key}:other`)],
      touched: db
        .update(emailOutbox)
        .set({ subject: "Renamed" })
        .where(eq(emailOutbox.dedupeKey, key)),
    });
    expect(changedRows(results.queued)).toBe(1);
    expect(results.none).toEqual([]);
    expect(results.both.map((rows) => rows.length)).toEqual([1, 0]);
    expect(changedRows(results.touched)).toBe(1);
  });

  it("refuses names that would not keep their order", async () => {
    await expect(
      namedBatch(db, {
        1: queueEmail(db, testEmail("x@example.test")),
      }),
    ).rejects.toThrow(/would not keep its place/);
  });
});
