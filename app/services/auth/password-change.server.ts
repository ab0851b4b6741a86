import { and, eq, ne, sql } from "drizzle-orm";
import type { Database } from "#db/client";
import { auditLogs, sessions, users, type UserRole } from "#db/schema";
import { passwordChangedEmail } from "~/domain/email/templates";
import { refuse, type Result } from "~/domain/refusal";
import type { AppEnv } from "~/lib/env.server";
import { hashPassword, verifyPassword } from "~/lib/password.server";
import {
  auditStatement,
  recordAudit,
  type AuditActor,
  type AuditRequestInfo,
} from "../audit.server";
import { insertWhen } from "../conditional-insert.server";
import { queueEmail } from "../email-outbox.server";
import { consumeRateLimit } from "../rate-limit.server";
import { verifyLoginCode, type CodeRefusalReason } from "../two-factor.server";
import { throttled } from "./password-reset.server";

/**
 * Changing one's password on /account/security (docs/architecture.md §5): the current password
 * (and a 2FA code when 2FA is on) proves it is the owner and not someone who found a logged-in
 * browser; every other session ends.
 *
 * Attempts are limited per account by a rate limit of their own rather than by the log-in
 * failure counter: the person is already logged in, so the risk is a borrowed session guessing
 * the password, which this limit stops as well, while feeding the log-in counter would let that
 * session lock the owner out of logging in (and send them a "locked" email about log-ins).
 */

export interface PasswordChangeDeps {
  db: Database;
  env: AppEnv;
}

/** Password change attempts per account in one window, right or wrong. */
export const PASSWORD_CHANGE_LIMIT = { limit: 5, windowMs: 15 * 60 * 1000 } as const;

export type PasswordChangeRefusal =
  | "throttled"
  | "wrong-password"
  | "code-required"
  | "changed-meanwhile"
  | CodeRefusalReason
  | "not-enabled";

export async function changePassword(
  deps: PasswordChangeDeps,
  input: {
    user: { id: string; role: UserRole; sessionId: string };
    currentPassword: string;
    newPassword: string;
    code?: string;
    actor: AuditActor;
    request: AuditRequestInfo;
    now: Date;
  },
): Promise<Result<{ endedSessions: number }, PasswordChangeRefusal>> {
  const { db } = deps;
  const { now } = input;
  const decision = await consumeRateLimit(db, {
    scope: "password-change-user",
    subject: input.user.id,
    ...PASSWORD_CHANGE_LIMIT,
    now,
  });
  if (!decision.allowed)
    return throttled(decision, now, "Too many attempts to change the password.");

  const [user] = await db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      passwordHash: users.passwordHash,
      twoFactorEnabled: users.twoFactorEnabled,
    })
    .from(users)
    .where(eq(users.id, input.user.id))
    .limit(1);
  if (!user) throw new Error(`Password change for a missing account ${input.user.id}`);

  const verification = await verifyPassword(input.currentPassword, user.passwordHash);
  if (!verification.valid) {
    await recordAudit(db, {
      actor: input.actor,
      action: "PASSWORD_CHANGE_FAILED",
      entityType: "user",
      entityId: user.id,
      metadata: { reason: "wrong-password" },
      request: input.request,
      at: now,
    });
    return refuse("invalid", "wrong-password", "That isn't your current password.", {
      field: "currentPassword",
    });
  }

  if (user.twoFactorEnabled) {
    if (!input.code) {
      return refuse(
        "invalid",
        "code-required",
        "Enter the 6-digit code from your app, or a recovery code.",
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

  const passwordHash = await hashPassword(input.newPassword);
  // Everything after the UPDATE holds only if this batch's hash (random salt: unique) is the
  // one stored, so a parallel change that got there first leaves this one writing nothing.
  const changed = sql`exists (select 1 from ${users} where ${users.id} = ${user.id} and ${users.passwordHash} = ${passwordHash})`;
  const [updated, ended] = await db.batch([
    db
      .update(users)
      .set({ passwordHash, passwordChangedAt: now, updatedAt: now })
      .where(and(eq(users.id, user.id), eq(users.passwordHash, user.passwordHash)))
      .returning({ id: users.id }),
    db
      .delete(sessions)
      .where(and(eq(sessions.userId, user.id), ne(sessions.id, input.user.sessionId), changed))
      .returning({ id: sessions.id }),
    insertWhen(
      db,
      auditLogs,
      auditStatement(db, {
        actor: input.actor,
        action: "PASSWORD_CHANGED",
        entityType: "user",
        entityId: user.id,
        metadata: { keptSessionId: input.user.sessionId },
        request: input.request,
        at: now,
      }),
      changed,
    ),
    queueEmail(
      db,
      {
        to: user.email,
        ...passwordChangedEmail({ name: user.name, email: user.email, at: now, how: "change" }),
        at: now,
      },
      { when: changed },
    ),
  ]);
  if (updated.length === 0) {
    return refuse(
      "conflict",
      "changed-meanwhile",
      "Your password was changed in the meantime. Reload the page and try again.",
    );
  }
  return { ok: true, endedSessions: ended.length };
}
