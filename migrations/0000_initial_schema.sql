CREATE TABLE `device_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`fingerprint_hash` text NOT NULL,
	`user_agent` text,
	`label` text,
	`ip_hash` text,
	`is_blocked` integer DEFAULT false NOT NULL,
	`blocked_reason` text,
	`blocked_at` integer,
	`blocked_by_id` text,
	`revoked_at` integer,
	`last_seen_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`blocked_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "device_sessions_blocked_reason_check" CHECK("device_sessions"."is_blocked" = 0 OR "device_sessions"."blocked_reason" IS NOT NULL)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `device_sessions_user_fingerprint_unique` ON `device_sessions` (`user_id`,`fingerprint_hash`);--> statement-breakpoint
CREATE INDEX `device_sessions_user_last_seen_idx` ON `device_sessions` (`user_id`,`last_seen_at`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`user_id` text NOT NULL,
	`device_session_id` text,
	`two_factor_verified_at` integer,
	`expires_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`device_session_id`) REFERENCES `device_sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sessions_token_hash_unique` ON `sessions` (`token_hash`);--> statement-breakpoint
CREATE INDEX `sessions_user_id_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE INDEX `sessions_expires_at_idx` ON `sessions` (`expires_at`);--> statement-breakpoint
CREATE INDEX `sessions_device_session_id_idx` ON `sessions` (`device_session_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`password_hash` text NOT NULL,
	`role` text DEFAULT 'USER' NOT NULL,
	`account_status` text DEFAULT 'ACTIVE' NOT NULL,
	`account_locked_reason` text,
	`account_locked_at` integer,
	`locked_until` integer,
	`failed_login_count` integer DEFAULT 0 NOT NULL,
	`failed_login_window_start` integer,
	`last_failed_login_at` integer,
	`last_login_at` integer,
	`email_verified_at` integer,
	`birth_date` text,
	`is_minor` integer DEFAULT false NOT NULL,
	`guardian_email` text,
	`guardian_consent_at` integer,
	`guardian_consent_token_hash` text,
	`two_factor_enabled` integer DEFAULT false NOT NULL,
	`two_factor_secret` text,
	`two_factor_last_used_step` integer,
	`two_factor_recovery_codes` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "users_role_check" CHECK("users"."role" IN ('USER', 'VIEWER', 'EDITOR', 'MODERATOR', 'ADMIN', 'OWNER')),
	CONSTRAINT "users_account_status_check" CHECK("users"."account_status" IN ('ACTIVE', 'LOCKED', 'BANNED', 'SUSPENDED')),
	CONSTRAINT "users_email_lowercase_check" CHECK("users"."email" = lower("users"."email") AND "users"."email" LIKE '%_@_%'),
	CONSTRAINT "users_birth_date_check" CHECK("users"."birth_date" IS NULL OR "users"."birth_date" GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
	CONSTRAINT "users_minor_guardian_check" CHECK("users"."is_minor" = 0 OR "users"."guardian_email" IS NOT NULL),
	CONSTRAINT "users_two_factor_secret_check" CHECK("users"."two_factor_enabled" = 0 OR "users"."two_factor_secret" IS NOT NULL),
	CONSTRAINT "users_failed_login_count_check" CHECK("users"."failed_login_count" >= 0),
	CONSTRAINT "users_recovery_codes_check" CHECK(json_valid("users"."two_factor_recovery_codes") AND json_type("users"."two_factor_recovery_codes") = 'array')
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);--> statement-breakpoint
CREATE INDEX `users_role_idx` ON `users` (`role`);--> statement-breakpoint
CREATE INDEX `users_account_status_idx` ON `users` (`account_status`);--> statement-breakpoint
CREATE INDEX `users_created_at_id_idx` ON `users` (`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `digital_product_purchases` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`product_id` text NOT NULL,
	`license_type` text NOT NULL,
	`amount_cents` integer NOT NULL,
	`currency` text DEFAULT 'USD' NOT NULL,
	`status` text DEFAULT 'PENDING' NOT NULL,
	`provider` text NOT NULL,
	`provider_session_id` text,
	`provider_payment_intent_id` text,
	`completed_at` integer,
	`refunded_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`product_id`) REFERENCES `digital_products`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "purchases_license_type_check" CHECK("digital_product_purchases"."license_type" IN ('PERSONAL', 'COMMERCIAL', 'TEAM')),
	CONSTRAINT "purchases_status_check" CHECK("digital_product_purchases"."status" IN ('PENDING', 'COMPLETED', 'FAILED', 'REFUNDED', 'DISPUTED')),
	CONSTRAINT "purchases_provider_check" CHECK("digital_product_purchases"."provider" IN ('STRIPE', 'TEST')),
	CONSTRAINT "purchases_amount_check" CHECK("digital_product_purchases"."amount_cents" >= 0),
	CONSTRAINT "purchases_currency_check" CHECK(length("digital_product_purchases"."currency") = 3 AND "digital_product_purchases"."currency" = upper("digital_product_purchases"."currency"))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `purchases_provider_session_unique` ON `digital_product_purchases` (`provider_session_id`);--> statement-breakpoint
CREATE INDEX `purchases_user_created_idx` ON `digital_product_purchases` (`user_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `purchases_product_idx` ON `digital_product_purchases` (`product_id`);--> statement-breakpoint
CREATE INDEX `purchases_status_created_idx` ON `digital_product_purchases` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `purchases_payment_intent_idx` ON `digital_product_purchases` (`provider_payment_intent_id`);--> statement-breakpoint
CREATE TABLE `digital_products` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`tagline` text DEFAULT '' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`category` text NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`status` text DEFAULT 'DRAFT' NOT NULL,
	`featured` integer DEFAULT false NOT NULL,
	`price_personal_cents` integer NOT NULL,
	`price_commercial_cents` integer,
	`price_team_cents` integer,
	`currency` text DEFAULT 'USD' NOT NULL,
	`team_seats` integer DEFAULT 5 NOT NULL,
	`license_duration_months` integer,
	`version` text DEFAULT '1.0.0' NOT NULL,
	`changelog` text DEFAULT '' NOT NULL,
	`documentation` text DEFAULT '' NOT NULL,
	`file_key` text,
	`file_name` text,
	`file_size_bytes` integer,
	`file_content_type` text,
	`file_sha256` text,
	`thumbnail_key` text,
	`preview_keys` text DEFAULT '[]' NOT NULL,
	`created_by_id` text,
	`published_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`created_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "digital_products_category_check" CHECK("digital_products"."category" IN ('TEMPLATE', 'THEME', 'UI_KIT', 'CODE_SNIPPET', 'DOCUMENTATION', 'ASSET')),
	CONSTRAINT "digital_products_status_check" CHECK("digital_products"."status" IN ('DRAFT', 'PUBLISHED', 'ARCHIVED')),
	CONSTRAINT "digital_products_slug_check" CHECK("digital_products"."slug" GLOB '[a-z0-9]*' AND "digital_products"."slug" NOT GLOB '*[^a-z0-9-]*'),
	CONSTRAINT "digital_products_price_personal_check" CHECK("digital_products"."price_personal_cents" >= 0),
	CONSTRAINT "digital_products_price_others_check" CHECK(coalesce("digital_products"."price_commercial_cents", 0) >= 0 AND coalesce("digital_products"."price_team_cents", 0) >= 0),
	CONSTRAINT "digital_products_currency_check" CHECK(length("digital_products"."currency") = 3 AND "digital_products"."currency" = upper("digital_products"."currency")),
	CONSTRAINT "digital_products_team_seats_check" CHECK("digital_products"."team_seats" >= 2),
	CONSTRAINT "digital_products_published_file_check" CHECK("digital_products"."status" <> 'PUBLISHED' OR ("digital_products"."file_key" IS NOT NULL AND "digital_products"."published_at" IS NOT NULL)),
	CONSTRAINT "digital_products_tags_check" CHECK(json_valid("digital_products"."tags") AND json_type("digital_products"."tags") = 'array'),
	CONSTRAINT "digital_products_preview_keys_check" CHECK(json_valid("digital_products"."preview_keys") AND json_type("digital_products"."preview_keys") = 'array')
);
--> statement-breakpoint
CREATE UNIQUE INDEX `digital_products_slug_unique` ON `digital_products` (`slug`);--> statement-breakpoint
CREATE INDEX `digital_products_status_published_idx` ON `digital_products` (`status`,`published_at`,`id`);--> statement-breakpoint
CREATE INDEX `digital_products_category_idx` ON `digital_products` (`category`,`status`);--> statement-breakpoint
CREATE INDEX `digital_products_featured_idx` ON `digital_products` (`featured`,`status`);--> statement-breakpoint
CREATE INDEX `digital_products_created_at_id_idx` ON `digital_products` (`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `licenses` (
	`id` text PRIMARY KEY NOT NULL,
	`purchase_id` text NOT NULL,
	`user_id` text NOT NULL,
	`product_id` text NOT NULL,
	`license_type` text NOT NULL,
	`status` text DEFAULT 'ACTIVE' NOT NULL,
	`key_encrypted` text NOT NULL,
	`key_blind_index` text NOT NULL,
	`key_last5` text NOT NULL,
	`max_users` integer DEFAULT 1 NOT NULL,
	`current_users` integer DEFAULT 0 NOT NULL,
	`expires_at` integer,
	`abuse_detected` integer DEFAULT false NOT NULL,
	`abuse_reason` text,
	`abuse_detected_at` integer,
	`status_reason` text,
	`download_window_reset_at` integer,
	`revoked_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`purchase_id`) REFERENCES `digital_product_purchases`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`product_id`) REFERENCES `digital_products`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "licenses_type_check" CHECK("licenses"."license_type" IN ('PERSONAL', 'COMMERCIAL', 'TEAM')),
	CONSTRAINT "licenses_status_check" CHECK("licenses"."status" IN ('ACTIVE', 'SUSPENDED', 'EXPIRED', 'REVOKED')),
	CONSTRAINT "licenses_users_check" CHECK("licenses"."current_users" >= 0 AND "licenses"."current_users" <= "licenses"."max_users"),
	CONSTRAINT "licenses_max_users_check" CHECK("licenses"."max_users" >= 1),
	CONSTRAINT "licenses_last5_check" CHECK(length("licenses"."key_last5") = 5)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `licenses_purchase_unique` ON `licenses` (`purchase_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `licenses_key_blind_index_unique` ON `licenses` (`key_blind_index`);--> statement-breakpoint
CREATE INDEX `licenses_user_created_idx` ON `licenses` (`user_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `licenses_product_idx` ON `licenses` (`product_id`);--> statement-breakpoint
CREATE INDEX `licenses_status_idx` ON `licenses` (`status`);--> statement-breakpoint
CREATE INDEX `licenses_abuse_idx` ON `licenses` (`abuse_detected`);--> statement-breakpoint
CREATE TABLE `payment_events` (
	`id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`event_id` text NOT NULL,
	`type` text NOT NULL,
	`status` text NOT NULL,
	`purchase_id` text,
	`summary` text,
	`error` text,
	`processed_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`purchase_id`) REFERENCES `digital_product_purchases`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "payment_events_provider_check" CHECK("payment_events"."provider" IN ('STRIPE', 'TEST')),
	CONSTRAINT "payment_events_status_check" CHECK("payment_events"."status" IN ('PROCESSED', 'IGNORED', 'FAILED')),
	CONSTRAINT "payment_events_summary_check" CHECK("payment_events"."summary" IS NULL OR (json_valid("payment_events"."summary") AND json_type("payment_events"."summary") = 'object'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `payment_events_provider_event_unique` ON `payment_events` (`provider`,`event_id`);--> statement-breakpoint
CREATE INDEX `payment_events_purchase_idx` ON `payment_events` (`purchase_id`);--> statement-breakpoint
CREATE TABLE `download_reset_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`license_id` text NOT NULL,
	`user_id` text NOT NULL,
	`reason` text NOT NULL,
	`status` text DEFAULT 'PENDING' NOT NULL,
	`reviewed_by_id` text,
	`review_notes` text,
	`reviewed_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`license_id`) REFERENCES `licenses`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`reviewed_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "reset_requests_status_check" CHECK("download_reset_requests"."status" IN ('PENDING', 'APPROVED', 'REJECTED')),
	CONSTRAINT "reset_requests_reason_check" CHECK(length(trim("download_reset_requests"."reason")) > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reset_requests_one_pending_unique` ON `download_reset_requests` (`license_id`) WHERE status = 'PENDING';--> statement-breakpoint
CREATE INDEX `reset_requests_status_created_idx` ON `download_reset_requests` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `reset_requests_user_idx` ON `download_reset_requests` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `reset_requests_license_idx` ON `download_reset_requests` (`license_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `downloads` (
	`id` text PRIMARY KEY NOT NULL,
	`license_id` text NOT NULL,
	`user_id` text NOT NULL,
	`product_id` text NOT NULL,
	`status` text NOT NULL,
	`failure_reason` text,
	`ip_hash` text,
	`device_fingerprint` text,
	`user_agent` text,
	`grant_expires_at` integer,
	`redeemed_at` integer,
	`bytes_served` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`license_id`) REFERENCES `licenses`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`product_id`) REFERENCES `digital_products`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "downloads_status_check" CHECK("downloads"."status" IN ('GRANTED', 'COMPLETED', 'FAILED')),
	CONSTRAINT "downloads_failure_reason_check" CHECK("downloads"."status" <> 'FAILED' OR "downloads"."failure_reason" IS NOT NULL),
	CONSTRAINT "downloads_grant_expiry_check" CHECK("downloads"."status" = 'FAILED' OR "downloads"."grant_expires_at" IS NOT NULL)
);
--> statement-breakpoint
CREATE INDEX `downloads_license_created_idx` ON `downloads` (`license_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `downloads_user_created_idx` ON `downloads` (`user_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `downloads_product_idx` ON `downloads` (`product_id`);--> statement-breakpoint
CREATE TABLE `project_phase_history` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`from_phase` text,
	`to_phase` text NOT NULL,
	`reason` text,
	`changed_by_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `service_projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`changed_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "project_phase_history_from_check" CHECK("project_phase_history"."from_phase" IS NULL OR "project_phase_history"."from_phase" IN ('DESIGN', 'BUILD', 'POST_LAUNCH', 'COMPLETED', 'PAUSED')),
	CONSTRAINT "project_phase_history_to_check" CHECK("project_phase_history"."to_phase" IN ('DESIGN', 'BUILD', 'POST_LAUNCH', 'COMPLETED', 'PAUSED'))
);
--> statement-breakpoint
CREATE INDEX `project_phase_history_project_idx` ON `project_phase_history` (`project_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `service_add_ons` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`requested_by_id` text NOT NULL,
	`type` text NOT NULL,
	`status` text DEFAULT 'REQUESTED' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`credit_cost` integer NOT NULL,
	`spend_transaction_id` text,
	`refund_transaction_id` text,
	`reviewed_by_id` text,
	`review_notes` text,
	`reviewed_at` integer,
	`completed_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `service_projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`requested_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`spend_transaction_id`) REFERENCES `credit_transactions`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`refund_transaction_id`) REFERENCES `credit_transactions`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`reviewed_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "service_add_ons_type_check" CHECK("service_add_ons"."type" IN ('EXTRA_REVISION', 'CONTENT_EDIT', 'SUPPORT_CALL', 'RUSH_DELIVERY', 'EMERGENCY_FIX', 'REOPEN_PROJECT', 'CUSTOM')),
	CONSTRAINT "service_add_ons_status_check" CHECK("service_add_ons"."status" IN ('REQUESTED', 'APPROVED', 'REJECTED', 'COMPLETED', 'CANCELLED')),
	CONSTRAINT "service_add_ons_credit_cost_check" CHECK("service_add_ons"."credit_cost" >= 0)
);
--> statement-breakpoint
CREATE INDEX `service_add_ons_project_idx` ON `service_add_ons` (`project_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `service_add_ons_status_idx` ON `service_add_ons` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `service_projects` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`title` text NOT NULL,
	`category` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`scope` text DEFAULT '' NOT NULL,
	`approved_features` text DEFAULT '[]' NOT NULL,
	`phase` text DEFAULT 'DESIGN' NOT NULL,
	`paused_from_phase` text,
	`pause_reason` text,
	`paused_at` integer,
	`design_revisions_used` integer DEFAULT 0 NOT NULL,
	`design_revisions_max` integer DEFAULT 2 NOT NULL,
	`build_revisions_used` integer DEFAULT 0 NOT NULL,
	`build_revisions_max` integer DEFAULT 1 NOT NULL,
	`start_date` integer,
	`deadline` integer,
	`completed_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "service_projects_category_check" CHECK("service_projects"."category" IN ('BRAND_IDENTITY', 'WEBSITE', 'WEB_APP', 'MOBILE_APP', 'UI_UX_DESIGN', 'OTHER')),
	CONSTRAINT "service_projects_phase_check" CHECK("service_projects"."phase" IN ('DESIGN', 'BUILD', 'POST_LAUNCH', 'COMPLETED', 'PAUSED')),
	CONSTRAINT "service_projects_paused_from_check" CHECK("service_projects"."paused_from_phase" IS NULL OR "service_projects"."paused_from_phase" IN ('DESIGN', 'BUILD', 'POST_LAUNCH')),
	CONSTRAINT "service_projects_pause_check" CHECK(("service_projects"."phase" = 'PAUSED') = ("service_projects"."paused_from_phase" IS NOT NULL AND "service_projects"."pause_reason" IS NOT NULL)),
	CONSTRAINT "service_projects_revisions_check" CHECK("service_projects"."design_revisions_used" >= 0 AND "service_projects"."build_revisions_used" >= 0 AND "service_projects"."design_revisions_max" >= 0 AND "service_projects"."build_revisions_max" >= 0),
	CONSTRAINT "service_projects_dates_check" CHECK("service_projects"."start_date" IS NULL OR "service_projects"."deadline" IS NULL OR "service_projects"."deadline" >= "service_projects"."start_date"),
	CONSTRAINT "service_projects_features_check" CHECK(json_valid("service_projects"."approved_features") AND json_type("service_projects"."approved_features") = 'array')
);
--> statement-breakpoint
CREATE INDEX `service_projects_client_created_idx` ON `service_projects` (`client_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `service_projects_phase_idx` ON `service_projects` (`phase`);--> statement-breakpoint
CREATE INDEX `service_projects_deadline_idx` ON `service_projects` (`deadline`);--> statement-breakpoint
CREATE TABLE `credit_transactions` (
	`id` text PRIMARY KEY NOT NULL,
	`membership_id` text NOT NULL,
	`user_id` text NOT NULL,
	`type` text NOT NULL,
	`amount` integer NOT NULL,
	`balance` integer NOT NULL,
	`description` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`reverses_id` text,
	`reference` text,
	`created_by_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`membership_id`) REFERENCES `memberships`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`reverses_id`) REFERENCES `credit_transactions`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`created_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "credit_transactions_type_check" CHECK("credit_transactions"."type" IN ('ALLOCATION', 'RENEWAL', 'ROLLOVER', 'TOP_UP', 'REFUND', 'SPEND', 'EXPIRY', 'ADJUSTMENT')),
	CONSTRAINT "credit_transactions_balance_check" CHECK("credit_transactions"."balance" >= 0),
	CONSTRAINT "credit_transactions_sign_check" CHECK(("credit_transactions"."type" IN ('SPEND', 'EXPIRY') AND "credit_transactions"."amount" < 0)
        OR ("credit_transactions"."type" IN ('ALLOCATION', 'RENEWAL', 'ROLLOVER', 'TOP_UP', 'REFUND') AND "credit_transactions"."amount" > 0)
        OR ("credit_transactions"."type" = 'ADJUSTMENT' AND "credit_transactions"."amount" <> 0))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `credit_transactions_idempotency_unique` ON `credit_transactions` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `credit_transactions_membership_created_idx` ON `credit_transactions` (`membership_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `credit_transactions_user_created_idx` ON `credit_transactions` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `credit_transactions_reference_idx` ON `credit_transactions` (`reference`);--> statement-breakpoint
CREATE TABLE `memberships` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`tier` text NOT NULL,
	`status` text DEFAULT 'ACTIVE' NOT NULL,
	`total_credits` integer DEFAULT 0 NOT NULL,
	`used_credits` integer DEFAULT 0 NOT NULL,
	`auto_renew` integer DEFAULT true NOT NULL,
	`current_period_start` integer NOT NULL,
	`current_period_end` integer NOT NULL,
	`paid_through` integer,
	`provider_subscription_id` text,
	`cancelled_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "memberships_tier_check" CHECK("memberships"."tier" IN ('BASIC_ACCESS', 'PRO', 'MANAGED')),
	CONSTRAINT "memberships_status_check" CHECK("memberships"."status" IN ('ACTIVE', 'PAST_DUE', 'CANCELLED', 'EXPIRED')),
	CONSTRAINT "memberships_credits_check" CHECK("memberships"."used_credits" >= 0 AND "memberships"."total_credits" >= 0 AND "memberships"."used_credits" <= "memberships"."total_credits"),
	CONSTRAINT "memberships_period_check" CHECK("memberships"."current_period_end" > "memberships"."current_period_start")
);
--> statement-breakpoint
CREATE UNIQUE INDEX `memberships_user_unique` ON `memberships` (`user_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `memberships_provider_subscription_unique` ON `memberships` (`provider_subscription_id`);--> statement-breakpoint
CREATE INDEX `memberships_status_period_end_idx` ON `memberships` (`status`,`current_period_end`);--> statement-breakpoint
CREATE TABLE `audit_log_archives` (
	`id` text PRIMARY KEY NOT NULL,
	`range_start` integer NOT NULL,
	`range_end` integer NOT NULL,
	`storage_key` text NOT NULL,
	`row_count` integer NOT NULL,
	`sha256` text NOT NULL,
	`verified_at` integer,
	`created_at` integer NOT NULL,
	CONSTRAINT "audit_log_archives_range_check" CHECK("audit_log_archives"."range_end" > "audit_log_archives"."range_start"),
	CONSTRAINT "audit_log_archives_row_count_check" CHECK("audit_log_archives"."row_count" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `audit_log_archives_storage_key_unique` ON `audit_log_archives` (`storage_key`);--> statement-breakpoint
CREATE INDEX `audit_log_archives_range_idx` ON `audit_log_archives` (`range_start`,`range_end`);--> statement-breakpoint
CREATE TABLE `audit_logs` (
	`id` text PRIMARY KEY NOT NULL,
	`actor_id` text,
	`actor_role` text,
	`action` text NOT NULL,
	`entity_type` text NOT NULL,
	`entity_id` text,
	`ip_hash` text,
	`user_agent` text,
	`request_id` text,
	`metadata` text,
	`created_at` integer NOT NULL,
	CONSTRAINT "audit_logs_action_check" CHECK(length("audit_logs"."action") BETWEEN 3 AND 64 AND "audit_logs"."action" NOT GLOB '*[^A-Z0-9_]*'),
	CONSTRAINT "audit_logs_entity_type_check" CHECK(length("audit_logs"."entity_type") BETWEEN 2 AND 64 AND "audit_logs"."entity_type" NOT GLOB '*[^a-z0-9_]*'),
	CONSTRAINT "audit_logs_actor_role_check" CHECK("audit_logs"."actor_role" IS NULL OR "audit_logs"."actor_role" IN ('USER', 'VIEWER', 'EDITOR', 'MODERATOR', 'ADMIN', 'OWNER')),
	CONSTRAINT "audit_logs_metadata_check" CHECK("audit_logs"."metadata" IS NULL OR (json_valid("audit_logs"."metadata") AND json_type("audit_logs"."metadata") = 'object'))
);
--> statement-breakpoint
CREATE INDEX `audit_logs_created_at_idx` ON `audit_logs` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_logs_actor_created_idx` ON `audit_logs` (`actor_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `audit_logs_entity_idx` ON `audit_logs` (`entity_type`,`entity_id`);--> statement-breakpoint
CREATE INDEX `audit_logs_action_created_idx` ON `audit_logs` (`action`,`created_at`);--> statement-breakpoint
CREATE TABLE `email_outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`to_email` text NOT NULL,
	`template` text NOT NULL,
	`subject` text NOT NULL,
	`body_text` text NOT NULL,
	`status` text DEFAULT 'PENDING' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`send_after` integer NOT NULL,
	`sent_at` integer,
	`dedupe_key` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "email_outbox_status_check" CHECK("email_outbox"."status" IN ('PENDING', 'SENT', 'FAILED')),
	CONSTRAINT "email_outbox_attempts_check" CHECK("email_outbox"."attempts" >= 0)
);
--> statement-breakpoint
CREATE INDEX `email_outbox_status_send_after_idx` ON `email_outbox` (`status`,`send_after`);--> statement-breakpoint
CREATE UNIQUE INDEX `email_outbox_dedupe_unique` ON `email_outbox` (`dedupe_key`);--> statement-breakpoint
CREATE TABLE `feature_flags` (
	`id` text PRIMARY KEY NOT NULL,
	`key` text NOT NULL,
	`environment` text NOT NULL,
	`enabled` integer DEFAULT false NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`updated_by_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`updated_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "feature_flags_environment_check" CHECK("feature_flags"."environment" IN ('development', 'staging', 'production')),
	CONSTRAINT "feature_flags_key_check" CHECK("feature_flags"."key" NOT GLOB '*[^a-z0-9_.]*' AND length("feature_flags"."key") > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `feature_flags_key_environment_unique` ON `feature_flags` (`key`,`environment`);--> statement-breakpoint
CREATE TABLE `system_backups` (
	`id` text PRIMARY KEY NOT NULL,
	`trigger` text NOT NULL,
	`status` text DEFAULT 'PENDING' NOT NULL,
	`storage_prefix` text NOT NULL,
	`manifest` text,
	`total_rows` integer,
	`size_bytes` integer,
	`error` text,
	`created_by_id` text,
	`started_at` integer,
	`completed_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`created_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "system_backups_trigger_check" CHECK("system_backups"."trigger" IN ('SCHEDULED', 'MANUAL', 'PRE_DEPLOYMENT')),
	CONSTRAINT "system_backups_status_check" CHECK("system_backups"."status" IN ('PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED')),
	CONSTRAINT "system_backups_completed_check" CHECK("system_backups"."status" <> 'COMPLETED' OR ("system_backups"."manifest" IS NOT NULL AND "system_backups"."completed_at" IS NOT NULL)),
	CONSTRAINT "system_backups_failed_check" CHECK("system_backups"."status" <> 'FAILED' OR "system_backups"."error" IS NOT NULL)
);
--> statement-breakpoint
CREATE INDEX `system_backups_created_idx` ON `system_backups` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `system_backups_status_idx` ON `system_backups` (`status`);