-- Tamper-proof history (issue 14.3). The append-only triggers of 0001/0003/0008 stop UPDATE and
-- DELETE, but `REPLACE INTO` (INSERT OR REPLACE) with an existing id deletes the old row
-- without firing DELETE triggers (recursive triggers are off) and inserts a new one. And a
-- hand-written "verified" audit_log_archives row covering any range let `DELETE FROM
-- audit_logs` through. So:
-- - an insert that names an existing audit_logs / credit_transactions id is refused; one that
--   repeats a ledger idempotency key is skipped (the ledger's own `ON CONFLICT DO NOTHING`
--   behaves the same), so no existing row is ever replaced;
-- - audit_log_archives is append-only (no UPDATE, no DELETE), and a row is accepted only in the
--   shape the archive job writes: verified, exactly one UTC day, the storage key of that day,
--   a SHA-256, and a day that ended at least 30 days ago — so even raw SQL cannot clear recent
--   history without dropping these triggers first.
CREATE TRIGGER `audit_logs_no_replace`
BEFORE INSERT ON `audit_logs`
WHEN EXISTS (SELECT 1 FROM `audit_logs` WHERE `id` = NEW.`id`)
BEGIN
  SELECT RAISE(ABORT, 'audit_logs rows are never replaced');
END;
--> statement-breakpoint
CREATE TRIGGER `credit_transactions_no_replace`
BEFORE INSERT ON `credit_transactions`
WHEN EXISTS (SELECT 1 FROM `credit_transactions` WHERE `id` = NEW.`id`)
BEGIN
  SELECT RAISE(ABORT, 'credit_transactions rows are never replaced');
END;
--> statement-breakpoint
CREATE TRIGGER `credit_transactions_idempotent_insert`
BEFORE INSERT ON `credit_transactions`
WHEN NEW.`idempotency_key` IS NOT NULL
  AND EXISTS (
    SELECT 1 FROM `credit_transactions` WHERE `idempotency_key` = NEW.`idempotency_key`
  )
BEGIN
  SELECT RAISE(IGNORE);
END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_archives_no_update`
BEFORE UPDATE ON `audit_log_archives`
BEGIN
  SELECT RAISE(ABORT, 'audit_log_archives is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_archives_insert_shape`
BEFORE INSERT ON `audit_log_archives`
WHEN NOT coalesce((
  NEW.`verified_at` IS NOT NULL
  AND NEW.`range_start` % 86400000 = 0
  AND NEW.`range_end` = NEW.`range_start` + 86400000
  AND NEW.`range_end` <= (CAST(strftime('%s', 'now') AS INTEGER) - 30 * 86400) * 1000
  AND NEW.`storage_key` = 'audit/' || strftime('%Y/%m/%d', NEW.`range_start` / 1000, 'unixepoch') || '.ndjson.gz'
  AND length(NEW.`sha256`) = 64
  AND NEW.`sha256` NOT GLOB '*[^0-9a-f]*'
  AND NEW.`row_count` >= 0
), 0)
BEGIN
  SELECT RAISE(ABORT, 'audit_log_archives rows are written only by the archive job: one verified UTC day, ended 30+ days ago');
END;
