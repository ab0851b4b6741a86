import type { BackupStatus, BackupTrigger } from "#db/schema/enums";

/**
 * What a backup can include (docs/architecture.md §11, ADR 0008). zod-free: the backups page
 * renders these labels; the manifest and form schemas live in manifest.ts and backup-forms.ts.
 */
export const BACKUP_PARTS = ["database", "config", "audit-logs", "files"] as const;
export type BackupPart = (typeof BACKUP_PARTS)[number];

export const BACKUP_PART_LABELS: Readonly<Record<BackupPart, string>> = {
  database: "Database (every table not listed below)",
  config: "Configuration (feature flags, tier settings)",
  "audit-logs": "Audit log (audit_logs, audit_log_archives)",
  files: "Product files (listed with their size and SHA-256, not copied)",
};

/** Tables that belong to a part other than `database`. */
const TABLE_PARTS: Readonly<Record<string, BackupPart>> = {
  feature_flags: "config",
  audit_logs: "audit-logs",
  audit_log_archives: "audit-logs",
};

export function partOfTable(table: string): BackupPart {
  return TABLE_PARTS[table] ?? "database";
}

/** The R2 prefixes whose objects the `files` part lists (uploads write only these). */
export const PRODUCT_FILE_PREFIXES = ["products/", "thumbnails/", "previews/"] as const;

export const BACKUP_TRIGGER_LABELS: Readonly<Record<BackupTrigger, string>> = {
  SCHEDULED: "daily",
  MANUAL: "manual",
  PRE_DEPLOYMENT: "pre-deployment",
};

export const BACKUP_STATUS_TONES: Readonly<Record<BackupStatus, "success" | "danger" | "neutral">> =
  {
    PENDING: "neutral",
    IN_PROGRESS: "neutral",
    COMPLETED: "success",
    FAILED: "danger",
  };

/** `pre-deployment` (CLI spelling) → `PRE_DEPLOYMENT`; null for anything else. */
export function triggerFromCli(value: string): BackupTrigger | null {
  const trigger = value.toUpperCase().replaceAll("-", "_");
  return trigger === "SCHEDULED" || trigger === "MANUAL" || trigger === "PRE_DEPLOYMENT"
    ? trigger
    : null;
}
