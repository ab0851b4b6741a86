-- Account erasure (issue 13, docs/decisions/0009-erasure-and-the-audit-log.md): the audit log
-- stays append-only except for one kind of UPDATE, the one the erasure job makes. It may clear
-- `ip_hash` and `user_agent` (to NULL, nothing else) and may replace `metadata` only with a
-- JSON object whose top-level "erased" is true, so an erased row says it was erased. Every
-- other column (who, what, about what, when, request id) must stay exactly as it was.
DROP TRIGGER `audit_logs_no_update`;
--> statement-breakpoint
CREATE TRIGGER `audit_logs_no_update`
BEFORE UPDATE ON `audit_logs`
-- coalesce: a condition that comes out NULL (metadata set to NULL, say) refuses too.
WHEN NOT coalesce((
  NEW.`rowid` IS OLD.`rowid`
  AND NEW.`id` IS OLD.`id`
  AND NEW.`actor_id` IS OLD.`actor_id`
  AND NEW.`actor_role` IS OLD.`actor_role`
  AND NEW.`action` IS OLD.`action`
  AND NEW.`entity_type` IS OLD.`entity_type`
  AND NEW.`entity_id` IS OLD.`entity_id`
  AND NEW.`request_id` IS OLD.`request_id`
  AND NEW.`created_at` IS OLD.`created_at`
  AND (NEW.`ip_hash` IS OLD.`ip_hash` OR NEW.`ip_hash` IS NULL)
  AND (NEW.`user_agent` IS OLD.`user_agent` OR NEW.`user_agent` IS NULL)
  AND (
    NEW.`metadata` IS OLD.`metadata`
    OR (json_valid(NEW.`metadata`) AND json_type(NEW.`metadata`, '$.erased') = 'true')
  )
), 0)
BEGIN
  SELECT RAISE(ABORT, 'audit_logs is append-only: an update may only erase ip_hash, user_agent and personal metadata');
END;
