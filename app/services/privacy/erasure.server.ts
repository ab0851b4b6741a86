import { and, asc, eq, inArray, isNotNull, isNull, lte, sql, type SQL } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database } from "#db/client";
import {
  accountTokens,
  auditLogs,
  deviceSessions,
  downloads,
  emailOutbox,
  licenseActivations,
  licenses,
  membershipInvitations,
  membershipMembers,
  memberships,
  projectPhaseHistory,
  rateLimits,
  serviceAddOns,
  serviceProjects,
  sessions,
  users,
} from "#db/schema";
import {
  ERASED_NAME,
  ERASED_PASSWORD_HASH,
  ERASED_TEXT,
  ERASURES_PER_RUN,
  erasedEmail,
} from "~/domain/privacy/deletion";
import type { AppEnv } from "~/lib/env.server";
import { auditStatement } from "../audit.server";
import { createStripeClient } from "../checkout.server";
import { insertWhen } from "../conditional-insert.server";
import { forfeitMembershipStatements } from "../ledger.server";
import { changedRows, namedBatch } from "../named-batch.server";

/**
 * The erasure of accounts whose grace period is over (issue 13 item 7; ADR 0009). Each account
 * is one batch (one D1 transaction): everything happens or nothing does. Every statement is
 * guarded by "this account is still due and not erased", evaluated inside the batch, so a
 * log-in that cancels the deletion a moment earlier wins, and a second run changes nothing.
 *
 * What stays: purchases, licenses (revoked), ledger rows, projects (cancelled) and audit rows,
 * pointing at a row that says "Deleted user". What goes: the email, name, birth date,
 * guardian, password and 2FA; sessions, devices and emailed links; IP hashes, device hashes
 * and browsers wherever they were recorded for this person; mail to them; and their email and
 * name inside other mail and audit metadata.
 */

export interface ErasureDeps {
  db: Database;
  env: AppEnv;
  /** Tests pass a fake or null; by default a client is made when Stripe is configured. */
  stripe?: Pick<Stripe, "subscriptions"> | null;
}

export interface ErasureRun {
  due: number;
  erased: number;
  /** Left for the next run: cancelled meanwhile, or the payment provider did not answer. */
  skipped: number;
}

export async function eraseDueAccounts(
  deps: ErasureDeps,
  input: { now: Date; limit?: number },
): Promise<ErasureRun> {
  const due = await deps.db
    .select({ id: users.id })
    .from(users)
    .where(
      and(
        isNull(users.deletedAt),
        isNotNull(users.deletionDueAt),
        lte(users.deletionDueAt, input.now),
      ),
    )
    .orderBy(asc(users.deletionDueAt), asc(users.id))
    .limit(input.limit ?? ERASURES_PER_RUN);
  const run: ErasureRun = { due: due.length, erased: 0, skipped: 0 };
  for (const { id } of due) {
    const outcome = await eraseAccount(deps, { userId: id, now: input.now });
    if (outcome === "erased") run.erased += 1;
    else run.skipped += 1;
  }
  return run;
}

/** JSON-escaped, as the text appears inside a stored JSON document. */
const inJson = (value: string) => JSON.stringify(value).slice(1, -1);

/** `text` with every occurrence of each of `values` replaced by ERASED_TEXT. */
function replaceAll(text: SQL, values: readonly string[]): SQL {
  return values.reduce((inner, value) => sql`replace(${inner}, ${value}, ${ERASED_TEXT})`, text);
}

/** Whether `text` contains any of `values` (none of them empty). */
function containsAny(text: SQL, values: readonly string[]): SQL {
  return sql`(${sql.join(
    values.map((value) => sql`instr(${text}, ${value}) > 0`),
    sql` or `,
  )})`;
}

export async function eraseAccount(
  deps: ErasureDeps,
  input: { userId: string; now: Date },
): Promise<"erased" | "skipped"> {
  const { db } = deps;
  const { userId, now } = input;
  const [user] = await db
    .select({ email: users.email, name: users.name, guardianEmail: users.guardianEmail })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  const [membership] = await db
    .select({
      id: memberships.id,
      status: memberships.status,
      subscription: memberships.providerSubscriptionId,
    })
    .from(memberships)
    .where(eq(memberships.userId, userId))
    .limit(1);
  if (!user) return "skipped";

  if (membership?.subscription && membership.status !== "EXPIRED") {
    const cancelled = await cancelSubscription(deps, membership.subscription);
    if (!cancelled) return "skipped";
  }

  const nowMs = now.getTime();
  const due = sql`exists (select 1 from "users" g where g."id" = ${userId} and g."deleted_at" is null and g."deletion_due_at" is not null and g."deletion_due_at" <= ${nowMs})`;
  const addresses = [user.email, ...(user.guardianEmail ? [user.guardianEmail] : [])];
  const personal = [...addresses, user.name].filter((value) => value.length > 0);
  const byOrAbout = sql`(${auditLogs.actorId} = ${userId} or ${auditLogs.entityId} = ${userId})`;
  // Every IP hash recorded for this person: read by the first statements, before the rows
  // holding them are deleted or cleared further down the batch.
  const ipHashes = sql`select "ip_hash" from "device_sessions" where "user_id" = ${userId} and "ip_hash" is not null
    union select "ip_hash" from "downloads" where "user_id" = ${userId} and "ip_hash" is not null
    union select a."ip_hash" from "license_activations" a join "licenses" l on l."id" = a."license_id" where l."user_id" = ${userId} and a."ip_hash" is not null
    union select "ip_hash" from "audit_logs" where ("actor_id" = ${userId} or "entity_id" = ${userId}) and "ip_hash" is not null`;
  const theirLicenses = sql`select "id" from "licenses" where "user_id" = ${userId}`;
  const openProjects = sql`select "id" from "service_projects" where "client_id" = ${userId} and "status" in ('ACTIVE', 'PAUSED')`;
  const revocable = and(
    eq(licenses.userId, userId),
    inArray(licenses.status, ["ACTIVE", "SUSPENDED"]),
  );
  const revoking = await db.select({ id: licenses.id }).from(licenses).where(revocable);

  const metadataText = sql`${auditLogs.metadata}`;
  const metadataNamesThem = sql`${auditLogs.metadata} is not null and (${containsAny(
    metadataText,
    addresses.map(inJson),
  )} or (${byOrAbout} and instr(${auditLogs.metadata}, ${inJson(user.name)}) > 0))`;
  const scrubbedMetadata = replaceAll(metadataText, personal.map(inJson));

  const results = await namedBatch(db, {
    erasedAudit: insertWhen(
      db,
      auditLogs,
      auditStatement(db, {
        actor: null,
        action: "ACCOUNT_ERASED",
        entityType: "user",
        entityId: userId,
        metadata: { licensesRevoked: revoking.length, membershipCancelled: Boolean(membership) },
        at: now,
      }),
      due,
    ),
    licenseAudits: revoking.map((license) =>
      insertWhen(
        db,
        auditLogs,
        auditStatement(db, {
          actor: null,
          action: "LICENSE_REVOKED",
          entityType: "license",
          entityId: license.id,
          metadata: { reason: "account-deleted" },
          at: now,
        }),
        due,
      ),
    ),
    rateLimits: db
      .delete(rateLimits)
      .where(
        and(
          sql`(instr(${rateLimits.key}, ${userId}) > 0 or exists (select 1 from (${ipHashes}) h where instr(${rateLimits.key}, h."ip_hash") > 0))`,
          due,
        ),
      ),
    // The one UPDATE the audit log allows (migrations/0008): clear IP hash and browser, and
    // mark erased any metadata that names them.
    auditTrail: db
      .update(auditLogs)
      .set({
        ipHash: null,
        userAgent: null,
        metadata: sql`case when ${metadataNamesThem} then (case when json_valid(${scrubbedMetadata}) then json_set(${scrubbedMetadata}, '$.erased', json('true')) else json_object('erased', json('true')) end) else ${auditLogs.metadata} end`,
      })
      .where(
        and(
          sql`(${byOrAbout} or ${auditLogs.ipHash} in (${ipHashes}) or (${auditLogs.metadata} is not null and ${containsAny(metadataText, addresses.map(inJson))}))`,
          due,
        ),
      ),
    activations: db
      .delete(licenseActivations)
      .where(and(sql`${licenseActivations.licenseId} in (${theirLicenses})`, due)),
    revoked: db
      .update(licenses)
      .set({ status: "REVOKED", statusReason: "Account deleted", revokedAt: now, updatedAt: now })
      .where(and(revocable, due)),
    seatsFreed: db
      .update(licenses)
      .set({ currentUsers: 0 })
      .where(and(eq(licenses.userId, userId), due)),
    membership: membership
      ? forfeitMembershipStatements(db, {
          membershipId: membership.id,
          idempotencyKey: `erasure:${membership.id}:expiry`,
          description: "Account deleted: unused credits expired",
          now,
          guard: due,
        })
      : [],
    addOns: db
      .update(serviceAddOns)
      .set({
        status: "REJECTED",
        reviewNotes: "The client's account was deleted.",
        reviewedAt: now,
        updatedAt: now,
      })
      .where(
        and(
          sql`${serviceAddOns.projectId} in (${openProjects})`,
          inArray(serviceAddOns.status, ["PENDING", "APPROVED", "IN_PROGRESS"]),
          due,
        ),
      ),
    stints: db
      .update(projectPhaseHistory)
      .set({ completedAt: sql`max(${projectPhaseHistory.startedAt}, ${nowMs})` })
      .where(
        and(
          sql`${projectPhaseHistory.projectId} in (${openProjects})`,
          isNull(projectPhaseHistory.completedAt),
          due,
        ),
      ),
    projects: db
      .update(serviceProjects)
      .set({
        status: "CANCELLED",
        // A paused project is cancelled in the phase it was paused from.
        phase: sql`case when ${serviceProjects.phase} = 'PAUSED' then ${serviceProjects.pausedFromPhase} else ${serviceProjects.phase} end`,
        pausedFromPhase: null,
        pauseReason: null,
        cancelReason: "The client's account was deleted.",
        cancelledAt: now,
        updatedAt: now,
      })
      .where(
        and(
          eq(serviceProjects.clientId, userId),
          inArray(serviceProjects.status, ["ACTIVE", "PAUSED"]),
          due,
        ),
      ),
    downloads: db
      .update(downloads)
      .set({ ipHash: null, deviceFingerprint: null, userAgent: null })
      .where(and(eq(downloads.userId, userId), due)),
    mailToThem: db
      .update(emailOutbox)
      .set({
        toEmail: erasedEmail(userId),
        subject: ERASED_TEXT,
        bodyText: ERASED_TEXT,
        status: sql`case when ${emailOutbox.status} = 'PENDING' then 'FAILED' else ${emailOutbox.status} end`,
        lastError: sql`case when ${emailOutbox.status} = 'PENDING' then 'The recipient account was erased.' else ${emailOutbox.lastError} end`,
        updatedAt: now,
      })
      .where(and(inArray(emailOutbox.toEmail, addresses), due)),
    mailNamingThem: db
      .update(emailOutbox)
      .set({
        subject: replaceAll(sql`${emailOutbox.subject}`, personal),
        bodyText: replaceAll(sql`${emailOutbox.bodyText}`, personal),
        updatedAt: now,
      })
      .where(
        and(
          sql`(${containsAny(sql`${emailOutbox.subject}`, personal)} or ${containsAny(sql`${emailOutbox.bodyText}`, personal)})`,
          due,
        ),
      ),
    accountLinks: db.delete(accountTokens).where(and(eq(accountTokens.userId, userId), due)),
    sessions: db.delete(sessions).where(and(eq(sessions.userId, userId), due)),
    devices: db.delete(deviceSessions).where(and(eq(deviceSessions.userId, userId), due)),
    // Shared memberships: their seat goes, and so do the teammates' seats on their (now
    // cancelled) membership; invitations still waiting, to them or from their pool, are revoked.
    seats: db
      .delete(membershipMembers)
      .where(
        and(
          sql`(${membershipMembers.userId} = ${userId} or ${membershipMembers.membershipId} in (select "id" from "memberships" where "user_id" = ${userId}))`,
          due,
        ),
      ),
    invitations: db
      .update(membershipInvitations)
      .set({
        status: sql`case when ${membershipInvitations.status} = 'PENDING' then 'REVOKED' else ${membershipInvitations.status} end`,
        respondedAt: sql`case when ${membershipInvitations.status} = 'PENDING' then ${nowMs} else ${membershipInvitations.respondedAt} end`,
        email: sql`case when ${membershipInvitations.email} in (${sql.join(
          addresses.map((address) => sql`${address}`),
          sql`, `,
        )}) then ${erasedEmail(userId)} else ${membershipInvitations.email} end`,
        updatedAt: now,
      })
      .where(
        and(
          sql`(${inArray(membershipInvitations.email, addresses)} or (${membershipInvitations.status} = 'PENDING' and ${membershipInvitations.membershipId} in (select "id" from "memberships" where "user_id" = ${userId})))`,
          due,
        ),
      ),
    // Last: every statement above tests `due`, which this one makes false.
    user: db
      .update(users)
      .set({
        email: erasedEmail(userId),
        name: ERASED_NAME,
        passwordHash: ERASED_PASSWORD_HASH,
        role: "USER",
        birthDate: null,
        isMinor: false,
        guardianEmail: null,
        guardianConsentAt: null,
        guardianConsentTokenHash: null,
        twoFactorEnabled: false,
        twoFactorSecret: null,
        twoFactorLastUsedStep: null,
        twoFactorRecoveryCodes: [],
        accountLockedReason: null,
        failedLoginCount: 0,
        failedLoginWindowStart: null,
        lastFailedLoginAt: null,
        lockedUntil: null,
        emailVerifiedAt: null,
        deletedAt: now,
        updatedAt: now,
      })
      .where(and(eq(users.id, userId), due)),
  });
  return changedRows(results.user) === 1 ? "erased" : "skipped";
}

/** Stop the provider charging an account that is about to disappear; false = try tomorrow. */
async function cancelSubscription(deps: ErasureDeps, subscriptionId: string): Promise<boolean> {
  const stripe =
    deps.stripe !== undefined
      ? deps.stripe
      : deps.env.stripe
        ? createStripeClient(deps.env.stripe.secretKey)
        : null;
  if (!stripe) return true;
  try {
    await stripe.subscriptions.cancel(subscriptionId);
    return true;
  } catch (error) {
    // Already gone at the provider: nothing left to stop.
    if ((error as { code?: string }).code === "resource_missing") return true;
    console.error(
      JSON.stringify({
        level: "error",
        event: "privacy.erasure.stripe_failed",
        subscriptionId,
        message: error instanceof Error ? error.message : String(error),
      }),
    );
    return false;
  }
}
