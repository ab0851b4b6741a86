import { and, count, desc, eq, gt, lt, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "#db/client";
import {
  auditLogs,
  deviceSessions,
  sessions,
  users,
  type AccountStatus,
  type UserRole,
} from "#db/schema";
import type { AuditAction } from "~/domain/audit/actions";
import { refuse, type Result } from "~/domain/refusal";
import { OptionalNoteSchema, ReasonSchema } from "~/domain/auth/admin-forms";
import { canManageDevices, canSetStatus } from "~/domain/auth/moderation";
import { canChangeRole, type StatusChange } from "~/domain/auth/permissions";
import { clampPageSize, decodeCursor, paginate } from "~/domain/catalog/cursor";
import { likePattern } from "~/domain/catalog/filters";
import { accountRestrictedEmail } from "~/domain/email/templates";
import {
  auditStatement,
  type AuditActor,
  type AuditRequestInfo,
  AUDIT_ROW_COLUMNS,
} from "./audit.server";
import { queueEmail } from "./email-outbox.server";
import { deleteUserSessionsStatement } from "./sessions.server";

/**
 * Staff work on accounts (docs/architecture.md §5, §6; /admin/users): search, a user's page, and the
 * status, role and device changes. Every change is one atomic batch with its audit row, and
 * ending a user's sessions happens in that same batch.
 */

export interface UsersAdminDeps {
  db: Database;
}

/** Why staff can be refused a change to an account or device (`field`: the form input). */
export type UserAdminRefusal = "invalid-reason" | "not-found" | "forbidden" | "unchanged";
export type UserAdminResult<T extends object = object> = Result<T, UserAdminRefusal>;

// ---- Search -----------------------------------------------------------------------------

export interface UserSearchInput {
  q?: string;
  role?: UserRole;
  status?: AccountStatus;
  cursor?: string;
  pageSize?: number;
}

const userListColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  accountStatus: users.accountStatus,
  twoFactorEnabled: users.twoFactorEnabled,
  isMinor: users.isMinor,
  lastLoginAt: users.lastLoginAt,
  createdAt: users.createdAt,
};

/** Accounts newest first, filtered by email/name text, role and status; keyset-paginated. */
export async function searchUsers(db: Database, input: UserSearchInput) {
  const limit = clampPageSize(input.pageSize);
  const conditions: SQL[] = [];
  const q = input.q?.trim();
  if (q) {
    const pattern = likePattern(q.toLowerCase());
    conditions.push(
      or(
        sql`${users.email} like ${pattern} escape '\\'`,
        sql`lower(${users.name}) like ${pattern} escape '\\'`,
      )!,
    );
  }
  if (input.role) conditions.push(eq(users.role, input.role));
  if (input.status) conditions.push(eq(users.accountStatus, input.status));
  const cursor = decodeCursor(input.cursor);
  if (cursor) {
    const at = new Date(cursor.sortKey);
    conditions.push(
      or(lt(users.createdAt, at), and(eq(users.createdAt, at), lt(users.id, cursor.id)))!,
    );
  }

  const rows = await db
    .select(userListColumns)
    .from(users)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(limit + 1);
  return paginate(rows, limit, (row) => ({ sortKey: row.createdAt.getTime(), id: row.id }));
}
export type UserListItem = Awaited<ReturnType<typeof searchUsers>>["items"][number];

// ---- One user's page ----------------------------------------------------------------------

export const RECENT_AUDIT_ROWS = 20;
const MAX_DEVICES_SHOWN = 50;

/** Everything staff may see about an account: never the password hash or 2FA material. */
const userDetailColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  accountStatus: users.accountStatus,
  accountLockedReason: users.accountLockedReason,
  accountLockedAt: users.accountLockedAt,
  lockedUntil: users.lockedUntil,
  failedLoginCount: users.failedLoginCount,
  lastLoginAt: users.lastLoginAt,
  emailVerifiedAt: users.emailVerifiedAt,
  isMinor: users.isMinor,
  guardianConsentAt: users.guardianConsentAt,
  twoFactorEnabled: users.twoFactorEnabled,
  createdAt: users.createdAt,
  updatedAt: users.updatedAt,
};

/**
 * The user, their devices (with how many live sessions each has) and, when asked for, the
 * last audit rows where they are the actor or the subject. Null when there is no such user.
 */
export async function getUserDetail(
  db: Database,
  id: string,
  options: { includeAudit?: boolean; now?: Date } = {},
) {
  const { includeAudit = true, now = new Date() } = options;
  const [user] = await db.select(userDetailColumns).from(users).where(eq(users.id, id)).limit(1);
  if (!user) return null;

  const liveSessions = db
    .select({
      deviceSessionId: sessions.deviceSessionId,
      sessionCount: count().as("session_count"),
    })
    .from(sessions)
    .where(and(eq(sessions.userId, id), gt(sessions.expiresAt, now)))
    .groupBy(sessions.deviceSessionId)
    .as("live_sessions");

  const [devices, sessionTotals, audit] = await Promise.all([
    db
      .select({
        id: deviceSessions.id,
        label: deviceSessions.label,
        userAgent: deviceSessions.userAgent,
        isBlocked: deviceSessions.isBlocked,
        blockedReason: deviceSessions.blockedReason,
        blockedAt: deviceSessions.blockedAt,
        revokedAt: deviceSessions.revokedAt,
        lastSeenAt: deviceSessions.lastSeenAt,
        createdAt: deviceSessions.createdAt,
        sessionCount: sql<number>`coalesce(${liveSessions.sessionCount}, 0)`,
      })
      .from(deviceSessions)
      .leftJoin(liveSessions, eq(liveSessions.deviceSessionId, deviceSessions.id))
      .where(eq(deviceSessions.userId, id))
      .orderBy(desc(deviceSessions.lastSeenAt), desc(deviceSessions.id))
      .limit(MAX_DEVICES_SHOWN),
    db
      .select({ total: count() })
      .from(sessions)
      .where(and(eq(sessions.userId, id), gt(sessions.expiresAt, now))),
    includeAudit
      ? db
          .select(AUDIT_ROW_COLUMNS)
          .from(auditLogs)
          .where(
            or(
              eq(auditLogs.actorId, id),
              and(eq(auditLogs.entityType, "user"), eq(auditLogs.entityId, id)),
            ),
          )
          .orderBy(desc(auditLogs.createdAt), desc(auditLogs.id))
          .limit(RECENT_AUDIT_ROWS)
      : Promise.resolve(null),
  ]);

  return { user, devices, activeSessions: sessionTotals[0]?.total ?? 0, audit };
}
export type UserDetail = NonNullable<Awaited<ReturnType<typeof getUserDetail>>>;

// ---- Account status ---------------------------------------------------------------------

interface ChangeInput {
  actor: AuditActor;
  request?: AuditRequestInfo;
  now: Date;
}

const STATUS_AUDIT_ACTION: Record<StatusChange, AuditAction> = {
  ACTIVE: "ACCOUNT_UNLOCKED",
  LOCKED: "ACCOUNT_LOCKED",
  SUSPENDED: "ACCOUNT_SUSPENDED",
  BANNED: "ACCOUNT_BANNED",
};

const STATUS_VERB: Record<StatusChange, string> = {
  ACTIVE: "active",
  LOCKED: "locked",
  SUSPENDED: "suspended",
  BANNED: "banned",
};

/** A reason: required to restrict an account or device, optional to lift a restriction. */
function parseReason(
  reason: string | null | undefined,
  required: boolean,
): UserAdminResult<{ reason: string | null }> {
  const parsed = (required ? ReasonSchema : OptionalNoteSchema).safeParse(reason ?? undefined);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? "Give a reason.";
    return refuse("invalid", "invalid-reason", message, { field: "reason" });
  }
  return { ok: true, reason: parsed.data };
}

async function findTarget(db: Database, id: string) {
  const [target] = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      accountStatus: users.accountStatus,
    })
    .from(users)
    .where(eq(users.id, id))
    .limit(1);
  return target ?? null;
}

/**
 * Lock, suspend, ban or reactivate an account. Restricting ends every session of the
 * account in the same batch as the status change, its audit row and the email telling the
 * person why.
 */
export async function setAccountStatus(
  deps: UsersAdminDeps,
  input: ChangeInput & { targetId: string; status: StatusChange; reason?: string | null },
): Promise<UserAdminResult<{ sessionsEnded: number }>> {
  const { db } = deps;
  const { actor, status, now } = input;
  const restricting = status !== "ACTIVE";
  const reason = parseReason(input.reason, restricting);
  if (!reason.ok) return reason;

  const target = await findTarget(db, input.targetId);
  if (!target) return refuse("not-found", "not-found", "There is no such account.");

  const decision = canSetStatus(actor, target, status);
  if (!decision.allowed) return refuse("forbidden", "forbidden", decision.reason);
  if (target.accountStatus === status) {
    return refuse("conflict", "unchanged", `This account is already ${STATUS_VERB[status]}.`);
  }

  // Guarded on the role and status we checked, so a change made in between can't slip past.
  const update = db
    .update(users)
    .set({
      accountStatus: status,
      accountLockedReason: restricting ? reason.reason : null,
      accountLockedAt: restricting ? now : null,
      ...(restricting
        ? {}
        : { lockedUntil: null, failedLoginCount: 0, failedLoginWindowStart: null }),
      updatedAt: now,
    })
    .where(
      and(
        eq(users.id, target.id),
        eq(users.role, target.role),
        eq(users.accountStatus, target.accountStatus),
      ),
    );
  const audit = auditStatement(db, {
    actor,
    action: STATUS_AUDIT_ACTION[status],
    entityType: "user",
    entityId: target.id,
    metadata: { reason: reason.reason, previousStatus: target.accountStatus, status },
    request: input.request,
    at: now,
  });

  if (!restricting) {
    await db.batch([update, audit]);
    return { ok: true, sessionsEnded: 0 };
  }

  const [, ended] = await db.batch([
    update,
    deleteUserSessionsStatement(db, target.id).returning({ id: sessions.id }),
    audit,
    queueEmail(db, {
      to: target.email,
      ...accountRestrictedEmail({ status, name: target.name, reason: reason.reason ?? "" }),
      dedupeKey: `account-status:${target.id}:${status}:${now.getTime()}`,
    }),
  ]);
  return { ok: true, sessionsEnded: ended.length };
}

// ---- Role -----------------------------------------------------------------------------------

/** Give an account another role, within the rules (ADMIN up to MODERATOR, OWNER any, never self). */
export async function changeRole(
  deps: UsersAdminDeps,
  input: ChangeInput & { targetId: string; role: UserRole },
): Promise<UserAdminResult> {
  const { db } = deps;
  const { actor, role, now } = input;
  const target = await findTarget(db, input.targetId);
  if (!target) return refuse("not-found", "not-found", "There is no such account.");

  const decision = canChangeRole(actor, target, role);
  if (!decision.allowed) {
    return refuse("forbidden", "forbidden", decision.reason, { field: "role" });
  }
  if (target.role === role) {
    const message = `This account already has the ${role} role.`;
    return refuse("conflict", "unchanged", message, { field: "role" });
  }

  await db.batch([
    db
      .update(users)
      .set({ role, updatedAt: now })
      .where(and(eq(users.id, target.id), eq(users.role, target.role))),
    auditStatement(db, {
      actor,
      action: "SETTINGS_CHANGED",
      entityType: "user",
      entityId: target.id,
      metadata: { field: "role", from: target.role, to: role },
      request: input.request,
      at: now,
    }),
  ]);
  return { ok: true };
}

// ---- Devices ------------------------------------------------------------------------------

async function findDeviceWithOwner(db: Database, deviceId: string) {
  const [row] = await db
    .select({
      id: deviceSessions.id,
      isBlocked: deviceSessions.isBlocked,
      owner: { id: users.id, role: users.role },
    })
    .from(deviceSessions)
    .innerJoin(users, eq(users.id, deviceSessions.userId))
    .where(eq(deviceSessions.id, deviceId))
    .limit(1);
  return row ?? null;
}

/**
 * The device a block or unblock is about, with its reason checked: it must exist (and belong
 * to `userId`, when given) and the actor must be allowed to act on its owner.
 */
async function deviceToChange(
  db: Database,
  input: { actor: AuditActor; deviceId: string; userId?: string; reason?: string | null },
  reasonRequired: boolean,
) {
  const reason = parseReason(input.reason, reasonRequired);
  if (!reason.ok) return reason;
  const device = await findDeviceWithOwner(db, input.deviceId);
  if (!device || (input.userId !== undefined && device.owner.id !== input.userId)) {
    return refuse("not-found", "not-found", "There is no such device.");
  }
  const decision = canManageDevices(input.actor, device.owner);
  if (!decision.allowed) return refuse("forbidden", "forbidden", decision.reason);
  return { ok: true as const, device, reason: reason.reason };
}

/**
 * Block a device: it can no longer log in (or download), and its sessions end now, in the
 * same batch as the block and its audit row. `userId`, when given, must own the device.
 */
export async function blockDevice(
  deps: UsersAdminDeps,
  input: ChangeInput & { deviceId: string; userId?: string; reason: string },
): Promise<UserAdminResult<{ sessionsEnded: number }>> {
  const { db } = deps;
  const { actor, now } = input;
  const found = await deviceToChange(db, input, true);
  if (!found.ok) return found;
  const { device, reason } = found;
  if (device.isBlocked) return refuse("conflict", "unchanged", "This device is already blocked.");

  const [, ended] = await db.batch([
    db
      .update(deviceSessions)
      .set({
        isBlocked: true,
        blockedReason: reason,
        blockedAt: now,
        blockedById: actor.id,
        updatedAt: now,
      })
      .where(eq(deviceSessions.id, device.id)),
    db
      .delete(sessions)
      .where(eq(sessions.deviceSessionId, device.id))
      .returning({ id: sessions.id }),
    auditStatement(db, {
      actor,
      action: "DEVICE_BLOCKED",
      entityType: "device_session",
      entityId: device.id,
      metadata: { reason, userId: device.owner.id },
      request: input.request,
      at: now,
    }),
  ]);
  return { ok: true, sessionsEnded: ended.length };
}

/** Let a blocked device sign in again. */
export async function unblockDevice(
  deps: UsersAdminDeps,
  input: ChangeInput & { deviceId: string; userId?: string; reason?: string | null },
): Promise<UserAdminResult> {
  const { db } = deps;
  const { actor, now } = input;
  const found = await deviceToChange(db, input, false);
  if (!found.ok) return found;
  const { device, reason } = found;
  if (!device.isBlocked) return refuse("conflict", "unchanged", "This device isn't blocked.");

  await db.batch([
    db
      .update(deviceSessions)
      .set({
        isBlocked: false,
        blockedReason: null,
        blockedAt: null,
        blockedById: null,
        updatedAt: now,
      })
      .where(eq(deviceSessions.id, device.id)),
    auditStatement(db, {
      actor,
      action: "DEVICE_UNBLOCKED",
      entityType: "device_session",
      entityId: device.id,
      metadata: { reason, userId: device.owner.id },
      request: input.request,
      at: now,
    }),
  ]);
  return { ok: true };
}
