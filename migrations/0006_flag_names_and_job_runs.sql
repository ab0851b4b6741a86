-- Operations (issue 12):
-- - job_runs: the last run of each scheduled job, for the dashboard's health panel.
-- - feature_flags: keys may hold a hyphen (the flag names are `signup`, `checkout`,
--   `downloads`, `studio`, `license-api`). SQLite cannot alter a CHECK, so the table is
--   rebuilt; nothing references it, so the drop is safe on D1 (which ignores foreign_keys=OFF).
CREATE TABLE `job_runs` (
	`job` text PRIMARY KEY NOT NULL,
	`cron` text NOT NULL,
	`last_started_at` integer NOT NULL,
	`last_finished_at` integer NOT NULL,
	`last_ok` integer NOT NULL,
	`last_duration_ms` integer NOT NULL,
	`last_result` text,
	`last_error` text,
	`last_success_at` integer,
	CONSTRAINT "job_runs_duration_check" CHECK("job_runs"."last_duration_ms" >= 0),
	CONSTRAINT "job_runs_result_check" CHECK("job_runs"."last_result" IS NULL OR (json_valid("job_runs"."last_result") AND json_type("job_runs"."last_result") = 'object'))
);
--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_feature_flags` (
	`id` text PRIMARY KEY NOT NULL,
	`key` text NOT NULL,
	`environment` text NOT NULL,
	`enabled` integer DEFAULT false NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`updated_by_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`updated_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "feature_flags_environment_check" CHECK("__new_feature_flags"."environment" IN ('development', 'staging', 'production')),
	CONSTRAINT "feature_flags_key_check" CHECK("__new_feature_flags"."key" NOT GLOB '*[^a-z0-9_.-]*' AND length("__new_feature_flags"."key") BETWEEN 1 AND 64)
);
--> statement-breakpoint
INSERT INTO `__new_feature_flags`("id", "key", "environment", "enabled", "description", "updated_by_id", "created_at", "updated_at") SELECT "id", "key", "environment", "enabled", "description", "updated_by_id", "created_at", "updated_at" FROM `feature_flags`;--> statement-breakpoint
DROP TABLE `feature_flags`;--> statement-breakpoint
ALTER TABLE `__new_feature_flags` RENAME TO `feature_flags`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `feature_flags_key_environment_unique` ON `feature_flags` (`key`,`environment`);