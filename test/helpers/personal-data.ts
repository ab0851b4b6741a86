import { createId } from "@paralleldrive/cuid2";
import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { createDb } from "#db/client";
import {
  accountTokens,
  creditTransactions,
  deviceSessions,
  downloadResetRequests,
  downloads,
  licenseActivations,
  licenses,
  membershipCheckouts,
  membershipInvoices,
  membershipInvitations,
  membershipMembers,
  projectPhaseHistory,
  rateLimits,
  serviceAddOns,
  sessions,
  type User,
} from "#db/schema";
import { auditStatement } from "~/services/audit.server";
import { queueEmail } from "~/services/email-outbox.server";
import { newSessionStatement } from "~/services/sessions.server";
import { createMembership, createProject, createUser } from "../factories";
import { licenseFor } from "./licenses";

const db = createDb(env.DB);

/** Ids of one person's rows, per export section (app/domain/privacy/personal-data-map.ts). */
export type SeededIds = Record<string, string[]>;

export interface SeededPerson {
  user: User;
  /** The IP hash and device hash recorded for them (erasure must remove both everywhere). */
  ipHash: string;
  fingerprintHash: string;
  licenseKey: string;
  licenseId: string;
  membershipId: string;
  ids: SeededIds;
  /** Values that must never appear in their export. */
  secrets: string[];
}

/**
 * A person with rows in every table that can hold data about them: profile (a minor, so a
 * guardian email too), device, session, emailed link, purchase + license + activation,
 * download, reset request, membership + ledger + checkout, an open project with its stints
 * and an add-on, mail to them and mail naming them, audit rows by, about and mentioning them,
 * and a rate-limit window keyed by their IP hash.
 */
export async function seedPerson(tag: string): Promise<SeededPerson> {
  const unique = `${tag}-${createId().slice(0, 8)}`;
  const user = await createUser(db, {
    email: `${unique}@example.test`,
    name: `Person ${unique}`,
    birthDate: "2012-03-04",
    isMinor: true,
    guardianEmail: `${unique}-guardian@example.test`,
    guardianConsentAt: new Date(),
  });
  const ipHash = `ip${createId()}${createId()}`;
  const fingerprintHash = `fp${createId()}${createId()}`;
  const now = new Date();

  const [device] = await db
    .insert(deviceSessions)
    .values({
      userId: user.id,
      fingerprintHash,
      userAgent: `Browser of ${unique}`,
      label: "Firefox on Linux",
      ipHash,
      lastSeenAt: now,
    })
    .returning();
  const session = await newSessionStatement(db, {
    userId: user.id,
    deviceSessionId: device!.id,
    twoFactorVerified: false,
    now,
  });
  await session.statement;
  const [sessionRow] = await db
    .select({ id: sessions.id, tokenHash: sessions.tokenHash })
    .from(sessions)
    .where(eq(sessions.userId, user.id));
  const [token] = await db
    .insert(accountTokens)
    .values({
      userId: user.id,
      purpose: "PASSWORD_RESET",
      tokenHash: `reset-hash-${createId()}`,
      expiresAt: new Date(now.getTime() + 30 * 60_000),
    })
    .returning();

  const license = await licenseFor(user.id, { now });
  const [activation] = await db
    .insert(licenseActivations)
    .values({ licenseId: license.licenseId, instance: `laptop-${unique}`, ipHash })
    .returning();
  const [download] = await db
    .insert(downloads)
    .values({
      licenseId: license.licenseId,
      userId: user.id,
      productId: license.product.id,
      status: "COMPLETED",
      ipHash,
      deviceFingerprint: fingerprintHash,
      userAgent: `Browser of ${unique}`,
      grantExpiresAt: new Date(now.getTime() + 60_000),
      redeemedAt: now,
    })
    .returning();
  const [reset] = await db
    .insert(downloadResetRequests)
    .values({ licenseId: license.licenseId, userId: user.id, reason: "New laptop" })
    .returning();

  const membership = await createMembership(db, { userId: user.id, credits: 12 });
  const [checkout] = await db
    .insert(membershipCheckouts)
    .values({
      userId: user.id,
      kind: "SUBSCRIPTION",
      tier: "PRO",
      credits: 12,
      amountCents: 4900,
      currency: "USD",
      status: "COMPLETED",
      provider: "TEST",
      membershipId: membership.id,
    })
    .returning();
  const [invoice] = await db
    .insert(membershipInvoices)
    .values({
      membershipId: membership.id,
      userId: user.id,
      kind: "RENEWAL",
      tier: "PRO",
      status: "PAID",
      amountCents: 4900,
      currency: "USD",
      provider: "TEST",
      providerInvoiceId: `in_test_${unique}`,
    })
    .returning();

  const [seat] = await db
    .select({ id: membershipMembers.id })
    .from(membershipMembers)
    .where(eq(membershipMembers.userId, user.id));
  const [invitation] = await db
    .insert(membershipInvitations)
    .values({
      membershipId: membership.id,
      email: `teammate-of-${user.id}@example.com`,
      tokenHash: `invitation-hash-${createId()}`,
      invitedById: user.id,
      expiresAt: new Date(now.getTime() + 7 * 86_400_000),
    })
    .returning();

  const project = await createProject(db, {
    clientId: user.id,
    phase: "BUILD",
    history: [{ phase: "DESIGN", days: 3 }],
  });
  const [addOn] = await db
    .insert(serviceAddOns)
    .values({
      projectId: project.id,
      requestedById: user.id,
      type: "EXTRA_REVISION",
      description: "One more round",
      creditCost: 2,
    })
    .returning();

  const mailId = createId();
  const staffMailId = createId();
  const byThem = createId();
  const aboutThem = createId();
  const mentioningThem = createId();
  await db.batch([
    queueEmail(db, {
      id: mailId,
      to: user.email,
      template: "test-mail",
      subject: `Hello ${user.name}`,
      bodyText: `Hello ${user.name}, this is for ${user.email}.`,
    }),
    queueEmail(db, {
      id: staffMailId,
      to: `${unique}-staff@example.test`,
      template: "test-staff-mail",
      subject: `New request from ${user.name}`,
      bodyText: `${user.name} <${user.email}> asked for something.`,
    }),
    auditStatement(db, {
      id: byThem,
      actor: { id: user.id, role: "USER" },
      action: "SETTINGS_CHANGED",
      entityType: "user",
      entityId: user.id,
      metadata: { email: user.email, name: user.name, nested: { guardian: user.guardianEmail } },
      request: { ipHash, userAgent: `Browser of ${unique}`, requestId: `req-${unique}` },
    }),
    auditStatement(db, {
      id: aboutThem,
      actor: null,
      action: "LOGIN_FAILED",
      entityType: "user",
      entityId: user.id,
      metadata: { reason: "wrong-password" },
      request: { ipHash, userAgent: `Browser of ${unique}` },
    }),
    // Not by or about them, but from their address and naming their email.
    auditStatement(db, {
      id: mentioningThem,
      actor: null,
      action: "LOGIN_FAILED",
      entityType: "user",
      metadata: { email: user.email, reason: "unknown-email" },
      request: { ipHash, userAgent: `Browser of ${unique}` },
    }),
    db.insert(rateLimits).values({
      key: `license-api-ip:${ipHash}:1700000000000`,
      count: 1,
      expiresAt: new Date(now.getTime() + 60_000),
    }),
  ]);

  const [purchase] = await db
    .select({ id: licenses.purchaseId })
    .from(licenses)
    .where(eq(licenses.id, license.licenseId));
  const ledger = await db
    .select({ id: creditTransactions.id })
    .from(creditTransactions)
    .where(eq(creditTransactions.membershipId, membership.id));
  const stints = await db
    .select({ id: projectPhaseHistory.id })
    .from(projectPhaseHistory)
    .where(eq(projectPhaseHistory.projectId, project.id));

  return {
    user,
    ipHash,
    fingerprintHash,
    licenseKey: license.key,
    licenseId: license.licenseId,
    membershipId: membership.id,
    ids: {
      profile: [user.id],
      devices: [device!.id],
      sessions: [sessionRow!.id],
      accountLinks: [token!.id],
      purchases: [purchase!.id],
      licenses: [license.licenseId],
      licenseActivations: [activation!.id],
      downloads: [download!.id],
      resetRequests: [reset!.id],
      memberships: [membership.id],
      creditLedger: ledger.map((row) => row.id),
      membershipCheckouts: [checkout!.id],
      membershipInvoices: [invoice!.id],
      membershipSeats: [seat!.id],
      membershipInvitations: [invitation!.id],
      projects: [project.id],
      projectPhaseHistory: stints.map((row) => row.id),
      projectAddOns: [addOn!.id],
      emails: [mailId],
      auditTrail: [byThem, aboutThem],
    },
    secrets: [
      sessionRow!.tokenHash,
      token!.tokenHash,
      invitation!.tokenHash,
      fingerprintHash,
      license.key,
    ],
  };
}
