import { and, eq, isNotNull, isNull, sql } from "drizzle-orm";
import type { Database } from "#db/client";
import { auditLogs, sessions, users } from "#db/schema";
import { deletionDueAt } from "~/domain/privacy/deletion";
import {
  accountDeletionCancelledEmail,
  accountDeletionScheduledEmail,
} from "~/domain/email/templates";
import { refuse, type Result } from "~/domain/refusal";
import type { AppEnv } from "~/lib/env.server";
import { verifyPassword } from "~/lib/password.server";
import { auditStatement, type AuditActor, type AuditRequestInfo } from "../audit.server";
import { insertWhen } from "../conditional-insert.server";
import { queueEmail } from "../email-outbox.server";
import { namedBatch } from "../named-batch.server";
import { verifyLoginCode, type CodeRefusalReason } from "../two-factor.server";

/**
 * Deleting one's own account (issue 13 item 7, docs/architecture.md §5): asking for it (this
 * file), a 7-day grace period in which logging in cancels it (`cancelDeletionStatements`, part
 * of every log-in's batch), and the daily job that erases what is due (erasure.server.ts).
 */

export interface DeletionDeps {
  db: Database;
  env: AppEnv;
}

export type DeletionRefusal =
  | "wrong-password"
  | "code-required"
  | CodeRefusalReason
  | "not-enabled"
  | "last-owner"
  | "not-found";

const LAST_OWNER = refuse(
  "conflict",
  "last-owner",
  "You are the only owner of this site. Make someone else an owner first, then delete your account.",
);

/**
 * Another owner who keeps the site running: active, not erased and not leaving themselves.
 * Part of the UPDATE's condition, so two owners asking at once cannot both go.
 */
const anotherOwnerStays = (userId: string) =>
  sql`exists (select 1 from "users" o where o."role" = 'OWNER' and o."id" <> ${userId} and o."account_status" = 'ACTIVE' and o."deleted_at" is null and o."deletion_due_at" is null)`;

/**
 * What deleting the account would end, for the warning before the form: active licenses, a
 * running membership and its credits, open projects; and whether the last-owner rule stops it.
 */
export async function deletionPreview(db: Database, input: { userId: string; role: string }) {
  const [row] = await db
    .select({
      activeLicenses: sql<number>`(select count(*) from "licenses" where "user_id" = ${input.userId} and "status" in ('ACTIVE', 'SUSPENDED'))`,
      credits: sql<
        number | null
      >`(select "total_credits" - "used_credits" from "memberships" where "user_id" = ${input.userId} and "status" <> 'EXPIRED')`,
      openProjects: sql<number>`(select count(*) from "service_projects" where "client_id" = ${input.userId} and "status" in ('ACTIVE', 'PAUSED'))`,
      anotherOwner: sql<number>`${anotherOwnerStays(input.userId)}`,
    })
    .from(users)
    .where(eq(users.id, input.userId))
    .limit(1);
  return {
    activeLicenses: row?.activeLicenses ?? 0,
    membershipCredits: row?.credits ?? null,
    openProjects: row?.openProjects ?? 0,
    lastOwner: input.role === "OWNER" && !row?.anotherOwner,
  };
}

/**
 * Ask for the account to be deleted: the password (and a 2FA code when it is on) proves it is
 * the owner; the last owner is refused. One batch schedules the erasure in 7 days, ends every
 * session, writes the audit row and queues the email that says when and how to cancel.
 */
export async function requestAccountDeletion(
  deps: DeletionDeps,
  input: {
    userId: string;
    actor: AuditActor;
    password: string;
    code?: string;
    request: AuditRequestInfo;
    now: Date;
  },
): Promise<Result<{ dueAt: Date }, DeletionRefusal>> {
  const { db } = deps;
  const { now } = input;
  const [user] = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      passwordHash: users.passwordHash,
      twoFactorEnabled: users.twoFactorEnabled,
      deletedAt: users.deletedAt,
    })
    .from(users)
    .where(eq(users.id, input.userId))
    .limit(1);
  if (!user || user.deletedAt) return refuse("not-found", "not-found", "There is no such account.");

  if (user.role === "OWNER") {
    const [other] = await db
      .select({ id: users.id })
      .from(users)
      .where(anotherOwnerStays(user.id))
      .limit(1);
    if (!other) return LAST_OWNER;
  }

  const verification = await verifyPassword(input.password, user.passwordHash);
  if (!verification.valid) {
    return refuse("invalid", "wrong-password", "That password isn't right.", {
      field: "password",
    });
  }
  if (user.twoFactorEnabled) {
    if (!input.code) {
      return refuse(
        "invalid",
        "code-required",
        "Enter the code from your authenticator app (or a recovery code).",
        { field: "code" },
      );
    }
    const verified = await verifyLoginCode(deps, {
      userId: user.id,
      code: input.code,
      actor: input.actor,
      request: input.request,
      now,
    });
    if (!verified.ok) return verified;
  }

  const dueAt = deletionDueAt(now);
  const scheduled = sql`exists (select 1 from "users" s where s."id" = ${user.id} and s."deletion_requested_at" = ${now.getTime()} and s."deleted_at" is null)`;
  const { schedule } = await namedBatch(db, {
    schedule: db
      .update(users)
      .set({ deletionRequestedAt: now, deletionDueAt: dueAt, updatedAt: now })
      .where(
        and(
          eq(users.id, user.id),
          isNull(users.deletedAt),
          sql`(${users.role} <> 'OWNER' or ${anotherOwnerStays(user.id)})`,
        ),
      )
      .returning({ id: users.id }),
    sessions: db.delete(sessions).where(and(eq(sessions.userId, user.id), scheduled)),
    audit: insertWhen(
      db,
      auditLogs,
      auditStatement(db, {
        actor: input.actor,
        action: "ACCOUNT_DELETION_REQUESTED",
        entityType: "user",
        entityId: user.id,
        metadata: { dueAt: dueAt.toISOString() },
        request: input.request,
        at: now,
      }),
      scheduled,
    ),
    email: queueEmail(
      db,
      {
        to: user.email,
        ...accountDeletionScheduledEmail({ name: user.name, dueAt }),
        dedupeKey: `account-deletion:${user.id}:${now.getTime()}`,
        at: now,
      },
      { when: scheduled },
    ),
  });
  if (schedule.length === 0) return LAST_OWNER;
  return { ok: true, dueAt };
}

/**
 * Logging in during the grace period cancels the deletion: statements for the log-in's own
 * batch. The audit row and the email go in only while a deletion is pending, before the
 * UPDATE that clears it; `cancelled` returns a row when there was one to cancel.
 */
export function cancelDeletionStatements(
  db: Database,
  input: {
    user: { id: string; email: string; role: AuditActor["role"] };
    request: AuditRequestInfo;
    now: Date;
  },
) {
  const { user, now } = input;
  const pending = sql`exists (select 1 from "users" p where p."id" = ${user.id} and p."deletion_due_at" is not null and p."deleted_at" is null)`;
  return {
    cancelAudit: insertWhen(
      db,
      auditLogs,
      auditStatement(db, {
        actor: { id: user.id, role: user.role },
        action: "ACCOUNT_DELETION_CANCELLED",
        entityType: "user",
        entityId: user.id,
        metadata: { via: "log-in" },
        request: input.request,
        at: now,
      }),
      pending,
    ),
    cancelEmail: queueEmail(
      db,
      { to: user.email, ...accountDeletionCancelledEmail(), at: now },
      { when: pending },
    ),
    cancelled: db
      .update(users)
      .set({ deletionRequestedAt: null, deletionDueAt: null, updatedAt: now })
      .where(and(eq(users.id, user.id), isNotNull(users.deletionDueAt), isNull(users.deletedAt)))
      .returning({ id: users.id }),
  };
}
