import { count, desc, gt } from "drizzle-orm";
import type { Database } from "#db/client";
import { AUDIT_ROW_COLUMNS } from "./audit.server";
import { auditLogs, sessions, users } from "#db/schema";
import { ACCOUNT_STATUSES, USER_ROLES, type AccountStatus, type UserRole } from "#db/schema/enums";

export const DASHBOARD_AUDIT_ROWS = 10;

export interface AdminDashboard {
  usersByRole: Record<UserRole, number>;
  usersByStatus: Record<AccountStatus, number>;
  totalUsers: number;
  activeSessions: number;
  /** Null when the viewer may not read the audit log (VIEWER, EDITOR). */
  recentAudit: Array<{
    id: string;
    action: string;
    actorId: string | null;
    actorRole: UserRole | null;
    entityType: string;
    entityId: string | null;
    createdAt: Date;
  }> | null;
}

const zeroes = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;

/** The numbers on /admin: accounts by role and status, live sessions, the latest audit rows. */
export async function getAdminDashboard(
  db: Database,
  options: { now: Date; includeAudit: boolean },
): Promise<AdminDashboard> {
  const [byRole, byStatus, live, recentAudit] = await Promise.all([
    db.select({ role: users.role, total: count() }).from(users).groupBy(users.role),
    db
      .select({ status: users.accountStatus, total: count() })
      .from(users)
      .groupBy(users.accountStatus),
    db.select({ total: count() }).from(sessions).where(gt(sessions.expiresAt, options.now)),
    options.includeAudit
      ? db
          .select(AUDIT_ROW_COLUMNS)
          .from(auditLogs)
          .orderBy(desc(auditLogs.createdAt), desc(auditLogs.id))
          .limit(DASHBOARD_AUDIT_ROWS)
      : Promise.resolve(null),
  ]);

  const usersByRole = zeroes(USER_ROLES);
  for (const row of byRole) usersByRole[row.role] = row.total;
  const usersByStatus = zeroes(ACCOUNT_STATUSES);
  for (const row of byStatus) usersByStatus[row.status] = row.total;
  return {
    usersByRole,
    usersByStatus,
    totalUsers: byRole.reduce((sum, row) => sum + row.total, 0),
    activeSessions: live[0]?.total ?? 0,
    recentAudit,
  };
}
