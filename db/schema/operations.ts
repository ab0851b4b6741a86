import { sql } from "drizzle-orm";
import { check, index, sqliteTable, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./accounts";
import {
  bool,
  createdAt,
  enumCheck,
  id,
  integer,
  jsonObjectCheck,
  nonNegative,
  nullableEnumCheck,
  text,
  timestamp,
  updatedAt,
} from "./columns";
import {
  BACKUP_STATUSES,
  BACKUP_TRIGGERS,
  EMAIL_STATUSES,
  FEATURE_ENVIRONMENTS,
  USER_ROLES,
} from "./enums";

/**
 * The audit trail: append-only (triggers refuse UPDATE and DELETE; old rows leave only
 * through the verified archive job). Actor and entity ids are plain text, not foreign
 * keys, on purpose: the trail must outlive the rows it describes (docs/decisions/0002).
 * `action` is checked for shape, not against a list, so new features add actions without
 * rebuilding this table; the list itself lives in app/domain/audit/actions.ts.
 */
export const auditLogs = sqliteTable(
  "audit_logs",
  {
    id: id(),
    actorId: text("actor_id"),
    actorRole: text("actor_role", { enum: USER_ROLES }),
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id"),
    ipHash: text("ip_hash"),
    userAgent: text("user_agent"),
    requestId: text("request_id"),
    metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (t) => [
    index("audit_logs_created_at_idx").on(t.createdAt, t.id),
    index("audit_logs_actor_created_idx").on(t.actorId, t.createdAt),
    index("audit_logs_entity_idx").on(t.entityType, t.entityId),
    index("audit_logs_action_created_idx").on(t.action, t.createdAt),
    check(
      "audit_logs_action_check",
      sql`length(${t.action}) BETWEEN 3 AND 64 AND ${t.action} NOT GLOB '*[^A-Z0-9_]*'`,
    ),
    check(
      "audit_logs_entity_type_check",
      sql`length(${t.entityType}) BETWEEN 2 AND 64 AND ${t.entityType} NOT GLOB '*[^a-z0-9_]*'`,
    ),
    nullableEnumCheck("audit_logs_actor_role_check", t.actorRole, USER_ROLES),
    jsonObjectCheck("audit_logs_metadata_check", t.metadata),
  ],
);

/**
 * Audit rows older than the retention window are copied to R2 (one object per day) before
 * they are removed. The DELETE trigger on audit_logs only lets a row go when a verified
 * archive here covers its timestamp.
 */
export const auditLogArchives = sqliteTable(
  "audit_log_archives",
  {
    id: id(),
    /** Covered range, [rangeStart, rangeEnd) in ms. */
    rangeStart: timestamp("range_start").notNull(),
    rangeEnd: timestamp("range_end").notNull(),
    storageKey: text("storage_key").notNull(),
    rowCount: integer("row_count").notNull(),
    sha256: text("sha256").notNull(),
    /** Set once the object was read back from R2 and matched row count and checksum. */
    verifiedAt: timestamp("verified_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("audit_log_archives_storage_key_unique").on(t.storageKey),
    index("audit_log_archives_range_idx").on(t.rangeStart, t.rangeEnd),
    check("audit_log_archives_range_check", sql`${t.rangeEnd} > ${t.rangeStart}`),
    nonNegative("audit_log_archives_row_count_check", t.rowCount),
  ],
);

/**
 * Feature switches per environment. Defaults live in code (app/domain/flags), so an empty
 * table means "everything on"; a row overrides its flag in its environment. Requests read
 * them through a per-isolate copy refreshed every few seconds, not a query per page.
 */
export const featureFlags = sqliteTable(
  "feature_flags",
  {
    id: id(),
    key: text("key").notNull(),
    environment: text("environment", { enum: FEATURE_ENVIRONMENTS }).notNull(),
    enabled: bool("enabled").notNull().default(false),
    description: text("description").notNull().default(""),
    updatedById: text("updated_by_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("feature_flags_key_environment_unique").on(t.key, t.environment),
    enumCheck("feature_flags_environment_check", t.environment, FEATURE_ENVIRONMENTS),
    check(
      "feature_flags_key_check",
      sql`${t.key} NOT GLOB '*[^a-z0-9_.-]*' AND length(${t.key}) BETWEEN 1 AND 64`,
    ),
  ],
);

/**
 * The last run of each scheduled job (one row per job, overwritten), for the dashboard's
 * health panel: when it ran, whether it worked, what it reported. The log lines stay the
 * full history; this is only "is the cron alive".
 */
export const jobRuns = sqliteTable(
  "job_runs",
  {
    job: text("job").primaryKey(),
    cron: text("cron").notNull(),
    lastStartedAt: timestamp("last_started_at").notNull(),
    lastFinishedAt: timestamp("last_finished_at").notNull(),
    lastOk: bool("last_ok").notNull(),
    lastDurationMs: integer("last_duration_ms").notNull(),
    /** The job's JobResult as JSON when it worked, else null. */
    lastResult: text("last_result", { mode: "json" }).$type<Record<string, unknown>>(),
    lastError: text("last_error"),
    /** When it last worked; kept across failures so "failing since" can be shown. */
    lastSuccessAt: timestamp("last_success_at"),
  },
  (t) => [
    nonNegative("job_runs_duration_check", t.lastDurationMs),
    jsonObjectCheck("job_runs_result_check", t.lastResult),
  ],
);

export const systemBackups = sqliteTable(
  "system_backups",
  {
    id: id(),
    trigger: text("trigger", { enum: BACKUP_TRIGGERS }).notNull(),
    status: text("status", { enum: BACKUP_STATUSES }).notNull().default("PENDING"),
    /** R2 prefix `backups/<id>/` holding one gzipped NDJSON object per table + manifest.json. */
    storagePrefix: text("storage_prefix").notNull(),
    /**
     * The manifest once COMPLETED; while PENDING or IN_PROGRESS, the manifest so far and the
     * cursor of the next step. Both shapes, and their parsers: app/domain/backups/manifest.ts.
     */
    manifest: text("manifest", { mode: "json" }).$type<Record<string, unknown>>(),
    totalRows: integer("total_rows"),
    sizeBytes: integer("size_bytes"),
    error: text("error"),
    createdById: text("created_by_id").references(() => users.id, { onDelete: "set null" }),
    startedAt: timestamp("started_at"),
    completedAt: timestamp("completed_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("system_backups_created_idx").on(t.createdAt, t.id),
    index("system_backups_status_idx").on(t.status),
    enumCheck("system_backups_trigger_check", t.trigger, BACKUP_TRIGGERS),
    enumCheck("system_backups_status_check", t.status, BACKUP_STATUSES),
    check(
      "system_backups_completed_check",
      sql`${t.status} <> 'COMPLETED' OR (${t.manifest} IS NOT NULL AND ${t.completedAt} IS NOT NULL)`,
    ),
    check("system_backups_failed_check", sql`${t.status} <> 'FAILED' OR ${t.error} IS NOT NULL`),
  ],
);

/** Mail to send, written in the same batch as the change that causes it. */
export const emailOutbox = sqliteTable(
  "email_outbox",
  {
    id: id(),
    toEmail: text("to_email").notNull(),
    template: text("template").notNull(),
    subject: text("subject").notNull(),
    bodyText: text("body_text").notNull(),
    status: text("status", { enum: EMAIL_STATUSES }).notNull().default("PENDING"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    sendAfter: timestamp("send_after").notNull(),
    sentAt: timestamp("sent_at"),
    /** Unique when set, so an email caused by a retried operation is queued once. */
    dedupeKey: text("dedupe_key"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("email_outbox_status_send_after_idx").on(t.status, t.sendAfter),
    uniqueIndex("email_outbox_dedupe_unique").on(t.dedupeKey),
    enumCheck("email_outbox_status_check", t.status, EMAIL_STATUSES),
    nonNegative("email_outbox_attempts_check", t.attempts),
  ],
);

export type AuditLog = typeof auditLogs.$inferSelect;
export type NewAuditLog = typeof auditLogs.$inferInsert;
export type AuditLogArchive = typeof auditLogArchives.$inferSelect;
export type FeatureFlag = typeof featureFlags.$inferSelect;
export type JobRun = typeof jobRuns.$inferSelect;
export type SystemBackup = typeof systemBackups.$inferSelect;
export type EmailOutboxRow = typeof emailOutbox.$inferSelect;
