-- Custom SQL migration: append-only tables (docs/architecture.md §3).
-- credit_transactions is the money ledger: a correction is a new row, never an edit.
-- audit_logs is the trail of everything: rows leave only when a verified archive in
-- audit_log_archives covers their timestamp (the archive job deletes after verifying).
CREATE TRIGGER `credit_transactions_no_update`
BEFORE UPDATE ON `credit_transactions`
BEGIN
  SELECT RAISE(ABORT, 'credit_transactions is append-only: write a new ledger row instead');
END;
--> statement-breakpoint
CREATE TRIGGER `credit_transactions_no_delete`
BEFORE DELETE ON `credit_transactions`
BEGIN
  SELECT RAISE(ABORT, 'credit_transactions is append-only: ledger rows are never deleted');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_logs_no_update`
BEFORE UPDATE ON `audit_logs`
BEGIN
  SELECT RAISE(ABORT, 'audit_logs is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_logs_delete_only_archived`
BEFORE DELETE ON `audit_logs`
WHEN NOT EXISTS (
  SELECT 1 FROM `audit_log_archives`
  WHERE `verified_at` IS NOT NULL
    AND OLD.`created_at` >= `range_start`
    AND OLD.`created_at` < `range_end`
)
BEGIN
  SELECT RAISE(ABORT, 'audit_logs rows are removed only after a verified archive covers them');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_archives_no_delete`
BEFORE DELETE ON `audit_log_archives`
BEGIN
  SELECT RAISE(ABORT, 'audit_log_archives is permanent');
END;
