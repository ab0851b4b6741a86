import { and, desc, eq, sql } from "drizzle-orm";
import type { Database } from "#db/client";
import { auditLogs, type UserRole } from "#db/schema";
import { redactMetadata, type AuditAction, type AuditEntityType } from "~/domain/audit/actions";

export interface AuditActor {
  id: string;
  role: UserRole;
}

/** Who, from where: filled from the request by the route, or null for cron jobs. */
export interface AuditRequestInfo {
  ipHash?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
}

export interface AuditEntry {
  /** Chosen by the caller when later statements of the batch must find this row. */
  id?: string;
  actor: AuditActor | null;
  action: AuditAction;
  entityType: AuditEntityType;
  entityId?: string | null;
  metadata?: Record<string, unknown>;
  request?: AuditRequestInfo;
  at?: Date;
}

/**
 * The audit insert as a statement, so a service puts it in the same `db.batch` as the
 * change it describes: either both are written or neither is.
 */
export function auditStatement(db: Database, entry: AuditEntry) {
  return db.insert(auditLogs).values({
    ...(entry.id ? { id: entry.id } : {}),
    actorId: entry.actor?.id ?? null,
    actorRole: entry.actor?.role ?? null,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId ?? null,
    metadata: entry.metadata ? redactMetadata(entry.metadata) : null,
    ipHash: entry.request?.ipHash ?? null,
    userAgent: entry.request?.userAgent?.slice(0, 400) ?? null,
    requestId: entry.request?.requestId ?? null,
    createdAt: entry.at ?? new Date(),
  });
}

/**
 * True at its point of a batch once the audit row `id` is written: the condition for the
 * statements (an email, a follow-up write) that must go with an audited change and only with it.
 */
export const auditRowWritten = (id: string) =>
  sql`exists (select 1 from "audit_logs" a where a."id" = ${id})`;

/** For actions that change nothing else (a refused download, a failed log-in). */
export async function recordAudit(db: Database, entry: AuditEntry): Promise<void> {
  await auditStatement(db, entry);
}

/** The columns every audit table of the admin pages shows. */
export const AUDIT_ROW_COLUMNS = {
  id: auditLogs.id,
  action: auditLogs.action,
  actorId: auditLogs.actorId,
  actorRole: auditLogs.actorRole,
  entityType: auditLogs.entityType,
  entityId: auditLogs.entityId,
  metadata: auditLogs.metadata,
  createdAt: auditLogs.createdAt,
};

/** The newest audit rows about one entity, newest first (for admin "History" tables). */
export function recentAuditStatement(
  db: Database,
  entityType: AuditEntityType,
  entityId: string,
  limit: number,
) {
  return db
    .select(AUDIT_ROW_COLUMNS)
    .from(auditLogs)
    .where(and(eq(auditLogs.entityType, entityType), eq(auditLogs.entityId, entityId)))
    .orderBy(desc(auditLogs.createdAt), desc(auditLogs.id))
    .limit(limit);
}
