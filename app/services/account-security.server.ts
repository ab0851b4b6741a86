import { and, desc, eq, isNull, lt, ne, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "#db/client";
import { auditLogs, deviceSessions, sessions, type UserRole } from "#db/schema";
import { clampPageSize, decodeCursor, paginate } from "~/domain/catalog/cursor";
import { refuse, type Result } from "~/domain/refusal";
import { insertWhen } from "./conditional-insert.server";
import { auditStatement, type AuditRequestInfo } from "./audit.server";

/**
 * What /account/security does besides 2FA (docs/architecture.md §5): a user's devices, revoking one, and
 * "log out other devices". Every query is scoped to the user, so another user's device is
 * simply not found.
 */

export interface SecurityActor {
  id: string;
  role: UserRole;
  sessionId: string;
}

export interface DeviceListItem {
  id: string;
  label: string;
  firstSeenAt: Date;
  lastSeenAt: Date;
  isBlocked: boolean;
  /** Unexpired sessions on this device: 0 means it is logged out. */
  activeSessions: number;
}

/**
 * The user's devices that are not revoked, most recently seen first, keyset-paginated on
 * (last_seen_at, id). Blocked devices stay listed, with their badge.
 */
export async function listUserDevices(
  db: Database,
  input: { userId: string; now: Date; cursor?: string | null },
  pageSize?: number,
): Promise<{ items: DeviceListItem[]; nextCursor: string | null }> {
  const limit = clampPageSize(pageSize);
  const conditions: SQL[] = [
    eq(deviceSessions.userId, input.userId),
    isNull(deviceSessions.revokedAt),
  ];
  const cursor = decodeCursor(input.cursor);
  if (cursor) {
    const at = new Date(cursor.sortKey);
    conditions.push(
      or(
        lt(deviceSessions.lastSeenAt, at),
        and(eq(deviceSessions.lastSeenAt, at), lt(deviceSessions.id, cursor.id)),
      )!,
    );
  }
  const rows = await db
    .select({
      id: deviceSessions.id,
      label: deviceSessions.label,
      firstSeenAt: deviceSessions.createdAt,
      lastSeenAt: deviceSessions.lastSeenAt,
      isBlocked: deviceSessions.isBlocked,
      // Written out with explicit table names: drizzle prints columns of a single-table select
      // unqualified, which inside this subquery would bind to sessions.id instead.
      activeSessions: sql<number>`(select count(*) from "sessions" as "s" where "s"."device_session_id" = "device_sessions"."id" and "s"."expires_at" > ${input.now.getTime()})`,
    })
    .from(deviceSessions)
    .where(and(...conditions))
    .orderBy(desc(deviceSessions.lastSeenAt), desc(deviceSessions.id))
    .limit(limit + 1);
  return paginate(
    rows.map((row) => ({
      ...row,
      label: row.label ?? "Unknown device",
      activeSessions: Number(row.activeSessions),
    })),
    limit,
    (row) => ({ sortKey: row.lastSeenAt.getTime(), id: row.id }),
  );
}

export type RevokeDeviceResult = Result<
  { endedSessions: number; wasCurrentDevice: boolean },
  "device-not-found"
>;

/**
 * Revoke one of the user's own devices: its sessions end and it leaves the list (a new log-in
 * from it brings it back). The audit row is written only when this request revoked it.
 */
export async function revokeDevice(
  db: Database,
  input: {
    user: SecurityActor & { deviceSessionId: string | null };
    deviceId: string;
    request: AuditRequestInfo;
    now: Date;
  },
): Promise<RevokeDeviceResult> {
  const { user, deviceId, now } = input;
  const ownActiveDevice = and(
    eq(deviceSessions.id, deviceId),
    eq(deviceSessions.userId, user.id),
    isNull(deviceSessions.revokedAt),
  )!;
  const [, ended, revoked] = await db.batch([
    insertWhen(
      db,
      auditLogs,
      auditStatement(db, {
        actor: { id: user.id, role: user.role },
        action: "DEVICE_REVOKED",
        entityType: "device_session",
        entityId: deviceId,
        metadata: { currentDevice: deviceId === user.deviceSessionId },
        request: input.request,
        at: now,
      }),
      sql`exists (select 1 from ${deviceSessions} where ${ownActiveDevice})`,
    ),
    db
      .delete(sessions)
      .where(
        and(
          eq(sessions.deviceSessionId, deviceId),
          eq(sessions.userId, user.id),
          sql`exists (select 1 from ${deviceSessions} where ${ownActiveDevice})`,
        ),
      )
      .returning({ id: sessions.id }),
    db
      .update(deviceSessions)
      .set({ revokedAt: now, updatedAt: now })
      .where(ownActiveDevice)
      .returning({ id: deviceSessions.id }),
  ]);
  if (revoked.length === 0) {
    return refuse("not-found", "device-not-found", "That device isn't in your list.");
  }
  return {
    ok: true,
    endedSessions: ended.length,
    wasCurrentDevice: deviceId === user.deviceSessionId,
  };
}

/** "Log out other devices": every session of the user except this one, with its audit row. */
export async function logOutOtherSessions(
  db: Database,
  input: { user: SecurityActor; request: AuditRequestInfo; now: Date },
): Promise<{ endedSessions: number }> {
  const { user, now } = input;
  const [ended] = await db.batch([
    db
      .delete(sessions)
      .where(and(eq(sessions.userId, user.id), ne(sessions.id, user.sessionId)))
      .returning({ id: sessions.id }),
    auditStatement(db, {
      actor: { id: user.id, role: user.role },
      action: "SESSIONS_REVOKED",
      entityType: "session",
      entityId: user.sessionId,
      metadata: { scope: "all-other-sessions" },
      request: input.request,
      at: now,
    }),
  ]);
  return { endedSessions: ended.length };
}
