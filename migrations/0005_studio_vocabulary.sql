-- Reviewed and rewritten by hand (issue 11, the studio). drizzle-kit's draft rebuilt each table
-- as `__new_<table>` + copy + DROP + RENAME with `PRAGMA foreign_keys=OFF`, which cannot work on D1:
-- a migration runs in one transaction, where that PRAGMA is a no-op, so the DROP's implicit
-- DELETE runs every foreign-key action of the tables pointing at the dropped one. For
-- digital_products that is RESTRICT from purchases, licenses and downloads (the migration fails
-- as soon as anything was sold); for service_projects it is CASCADE from its history and
-- add-ons (they would silently vanish).
--
-- So: every table that is rebuilt, and every table below it that points at it, is copied
-- aside first; they are dropped children first (no action finds a child row left), created
-- again parents first with the schema's DDL, and filled from the copies, mapping old values:
-- - digital_products: the category CHECK gains LICENSE and OTHER (no value changes). Its
--   children purchases, licenses, downloads, download_reset_requests and license_activations
--   are rebuilt unchanged; payment_events keeps its rows and gets its purchase links back
--   (dropping purchases sets them NULL, as in 0003).
-- - service_projects: category → the brief's ServiceCategory (BRAND_IDENTITY and UI_UX_DESIGN
--   → WEB_DESIGN, WEBSITE → WEB_DEVELOPMENT, WEB_APP → CUSTOM_SOFTWARE, MOBILE_APP stays,
--   OTHER → CONSULTING); a `status` from the phase (PAUSED, COMPLETED, else ACTIVE); projects
--   that existed were under way, so accepted at their start date (or creation).
-- - project_phase_history: each old "moved to X" row becomes the stint in X that it opened,
--   closed by the project's next row (the last one stays open); reason → notes.
-- - service_add_ons: REQUESTED → PENDING; CANCELLED (the client withdrew it) → REJECTED with
--   withdrawn_at, which is how withdrawal is modelled now (db/schema/enums.ts).
-- Ids, timestamps, ledger links and every other value are copied as they are. No triggers
-- live on these tables (0001's are on credit_transactions and audit_logs, untouched here).
PRAGMA defer_foreign_keys=ON;--> statement-breakpoint
CREATE TABLE `__stash_digital_products` AS SELECT * FROM `digital_products`;--> statement-breakpoint
CREATE TABLE `__stash_digital_product_purchases` AS SELECT * FROM `digital_product_purchases`;--> statement-breakpoint
CREATE TABLE `__stash_licenses` AS SELECT * FROM `licenses`;--> statement-breakpoint
CREATE TABLE `__stash_downloads` AS SELECT * FROM `downloads`;--> statement-breakpoint
CREATE TABLE `__stash_download_reset_requests` AS SELECT * FROM `download_reset_requests`;--> statement-breakpoint
CREATE TABLE `__stash_license_activations` AS SELECT * FROM `license_activations`;--> statement-breakpoint
CREATE TABLE `__stash_service_projects` AS SELECT * FROM `service_projects`;--> statement-breakpoint
CREATE TABLE `__stash_project_phase_history` AS SELECT * FROM `project_phase_history`;--> statement-breakpoint
CREATE TABLE `__stash_service_add_ons` AS SELECT * FROM `service_add_ons`;--> statement-breakpoint
CREATE TABLE `__stash_payment_event_purchases` AS SELECT `id`, `purchase_id` FROM `payment_events` WHERE `purchase_id` IS NOT NULL;--> statement-breakpoint
DROP TABLE `license_activations`;--> statement-breakpoint
DROP TABLE `download_reset_requests`;--> statement-breakpoint
DROP TABLE `downloads`;--> statement-breakpoint
DROP TABLE `licenses`;--> statement-breakpoint
DROP TABLE `digital_product_purchases`;--> statement-breakpoint
DROP TABLE `digital_products`;--> statement-breakpoint
DROP TABLE `project_phase_history`;--> statement-breakpoint
DROP TABLE `service_add_ons`;--> statement-breakpoint
DROP TABLE `service_projects`;--> statement-breakpoint
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
	`purchase_count` integer DEFAULT 0 NOT NULL,
	`download_count` integer DEFAULT 0 NOT NULL,
	`created_by_id` text,
	`published_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`created_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "digital_products_category_check" CHECK("digital_products"."category" IN ('TEMPLATE', 'THEME', 'UI_KIT', 'CODE_SNIPPET', 'DOCUMENTATION', 'ASSET', 'LICENSE', 'OTHER')),
	CONSTRAINT "digital_products_status_check" CHECK("digital_products"."status" IN ('DRAFT', 'PUBLISHED', 'ARCHIVED')),
	CONSTRAINT "digital_products_slug_check" CHECK("digital_products"."slug" GLOB '[a-z0-9]*' AND "digital_products"."slug" NOT GLOB '*[^a-z0-9-]*'),
	CONSTRAINT "digital_products_price_personal_check" CHECK("digital_products"."price_personal_cents" >= 0),
	CONSTRAINT "digital_products_price_others_check" CHECK(coalesce("digital_products"."price_commercial_cents", 0) >= 0 AND coalesce("digital_products"."price_team_cents", 0) >= 0),
	CONSTRAINT "digital_products_currency_check" CHECK(length("digital_products"."currency") = 3 AND "digital_products"."currency" = upper("digital_products"."currency")),
	CONSTRAINT "digital_products_team_seats_check" CHECK("digital_products"."team_seats" >= 2),
	CONSTRAINT "digital_products_published_file_check" CHECK("digital_products"."status" <> 'PUBLISHED' OR ("digital_products"."file_key" IS NOT NULL AND "digital_products"."published_at" IS NOT NULL)),
	CONSTRAINT "digital_products_tags_check" CHECK(json_valid("digital_products"."tags") AND json_type("digital_products"."tags") = 'array'),
	CONSTRAINT "digital_products_preview_keys_check" CHECK(json_valid("digital_products"."preview_keys") AND json_type("digital_products"."preview_keys") = 'array')
);--> statement-breakpoint
INSERT INTO `digital_products`("id", "slug", "name", "tagline", "description", "category", "tags", "status", "featured", "price_personal_cents", "price_commercial_cents", "price_team_cents", "currency", "team_seats", "license_duration_months", "version", "changelog", "documentation", "file_key", "file_name", "file_size_bytes", "file_content_type", "file_sha256", "thumbnail_key", "preview_keys", "purchase_count", "download_count", "created_by_id", "published_at", "created_at", "updated_at") SELECT "id", "slug", "name", "tagline", "description", "category", "tags", "status", "featured", "price_personal_cents", "price_commercial_cents", "price_team_cents", "currency", "team_seats", "license_duration_months", "version", "changelog", "documentation", "file_key", "file_name", "file_size_bytes", "file_content_type", "file_sha256", "thumbnail_key", "preview_keys", "purchase_count", "download_count", "created_by_id", "published_at", "created_at", "updated_at" FROM `__stash_digital_products`;--> statement-breakpoint
CREATE UNIQUE INDEX `digital_products_slug_unique` ON `digital_products` (`slug`);--> statement-breakpoint
CREATE INDEX `digital_products_status_published_idx` ON `digital_products` (`status`,`published_at`,`id`);--> statement-breakpoint
CREATE INDEX `digital_products_category_idx` ON `digital_products` (`category`,`status`);--> statement-breakpoint
CREATE INDEX `digital_products_featured_idx` ON `digital_products` (`featured`,`status`);--> statement-breakpoint
CREATE INDEX `digital_products_created_at_id_idx` ON `digital_products` (`created_at`,`id`);--> statement-breakpoint
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
	`provider_dispute_id` text,
	`failure_reason` text,
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
);--> statement-breakpoint
INSERT INTO `digital_product_purchases`("id", "user_id", "product_id", "license_type", "amount_cents", "currency", "status", "provider", "provider_session_id", "provider_payment_intent_id", "provider_dispute_id", "failure_reason", "completed_at", "refunded_at", "created_at", "updated_at") SELECT "id", "user_id", "product_id", "license_type", "amount_cents", "currency", "status", "provider", "provider_session_id", "provider_payment_intent_id", "provider_dispute_id", "failure_reason", "completed_at", "refunded_at", "created_at", "updated_at" FROM `__stash_digital_product_purchases`;--> statement-breakpoint
CREATE UNIQUE INDEX `purchases_provider_session_unique` ON `digital_product_purchases` (`provider_session_id`);--> statement-breakpoint
CREATE INDEX `purchases_user_created_idx` ON `digital_product_purchases` (`user_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `purchases_product_idx` ON `digital_product_purchases` (`product_id`);--> statement-breakpoint
CREATE INDEX `purchases_status_created_idx` ON `digital_product_purchases` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `purchases_payment_intent_idx` ON `digital_product_purchases` (`provider_payment_intent_id`);--> statement-breakpoint
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
);--> statement-breakpoint
INSERT INTO `licenses`("id", "purchase_id", "user_id", "product_id", "license_type", "status", "key_encrypted", "key_blind_index", "key_last5", "max_users", "current_users", "expires_at", "abuse_detected", "abuse_reason", "abuse_detected_at", "status_reason", "download_window_reset_at", "revoked_at", "created_at", "updated_at") SELECT "id", "purchase_id", "user_id", "product_id", "license_type", "status", "key_encrypted", "key_blind_index", "key_last5", "max_users", "current_users", "expires_at", "abuse_detected", "abuse_reason", "abuse_detected_at", "status_reason", "download_window_reset_at", "revoked_at", "created_at", "updated_at" FROM `__stash_licenses`;--> statement-breakpoint
CREATE UNIQUE INDEX `licenses_purchase_unique` ON `licenses` (`purchase_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `licenses_key_blind_index_unique` ON `licenses` (`key_blind_index`);--> statement-breakpoint
CREATE INDEX `licenses_user_created_idx` ON `licenses` (`user_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `licenses_product_idx` ON `licenses` (`product_id`);--> statement-breakpoint
CREATE INDEX `licenses_status_idx` ON `licenses` (`status`);--> statement-breakpoint
CREATE INDEX `licenses_abuse_idx` ON `licenses` (`abuse_detected`);--> statement-breakpoint
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
	`resume_of_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`license_id`) REFERENCES `licenses`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`product_id`) REFERENCES `digital_products`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`resume_of_id`) REFERENCES `downloads`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "downloads_status_check" CHECK("downloads"."status" IN ('GRANTED', 'COMPLETED', 'FAILED')),
	CONSTRAINT "downloads_failure_reason_check" CHECK("downloads"."status" <> 'FAILED' OR "downloads"."failure_reason" IS NOT NULL),
	CONSTRAINT "downloads_grant_expiry_check" CHECK("downloads"."status" = 'FAILED' OR "downloads"."grant_expires_at" IS NOT NULL)
);--> statement-breakpoint
INSERT INTO `downloads`("id", "license_id", "user_id", "product_id", "status", "failure_reason", "ip_hash", "device_fingerprint", "user_agent", "grant_expires_at", "redeemed_at", "bytes_served", "resume_of_id", "created_at") SELECT "id", "license_id", "user_id", "product_id", "status", "failure_reason", "ip_hash", "device_fingerprint", "user_agent", "grant_expires_at", "redeemed_at", "bytes_served", "resume_of_id", "created_at" FROM `__stash_downloads`;--> statement-breakpoint
CREATE INDEX `downloads_license_created_idx` ON `downloads` (`license_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `downloads_user_created_idx` ON `downloads` (`user_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `downloads_product_idx` ON `downloads` (`product_id`);--> statement-breakpoint
CREATE INDEX `downloads_resume_of_idx` ON `downloads` (`resume_of_id`);--> statement-breakpoint
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
);--> statement-breakpoint
INSERT INTO `download_reset_requests`("id", "license_id", "user_id", "reason", "status", "reviewed_by_id", "review_notes", "reviewed_at", "created_at", "updated_at") SELECT "id", "license_id", "user_id", "reason", "status", "reviewed_by_id", "review_notes", "reviewed_at", "created_at", "updated_at" FROM `__stash_download_reset_requests`;--> statement-breakpoint
CREATE UNIQUE INDEX `reset_requests_one_pending_unique` ON `download_reset_requests` (`license_id`) WHERE status = 'PENDING';--> statement-breakpoint
CREATE INDEX `reset_requests_status_created_idx` ON `download_reset_requests` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `reset_requests_user_idx` ON `download_reset_requests` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `reset_requests_license_idx` ON `download_reset_requests` (`license_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `license_activations` (
	`id` text PRIMARY KEY NOT NULL,
	`license_id` text NOT NULL,
	`instance` text NOT NULL,
	`ip_hash` text,
	`last_validated_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`license_id`) REFERENCES `licenses`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "license_activations_instance_check" CHECK(length("license_activations"."instance") BETWEEN 1 AND 200)
);--> statement-breakpoint
INSERT INTO `license_activations`("id", "license_id", "instance", "ip_hash", "last_validated_at", "created_at") SELECT "id", "license_id", "instance", "ip_hash", "last_validated_at", "created_at" FROM `__stash_license_activations`;--> statement-breakpoint
CREATE UNIQUE INDEX `license_activations_license_instance_unique` ON `license_activations` (`license_id`,`instance`);--> statement-breakpoint
CREATE TABLE `service_projects` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`title` text NOT NULL,
	`category` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`budget_notes` text,
	`requested_deadline` integer,
	`scope` text DEFAULT '' NOT NULL,
	`approved_features` text DEFAULT '[]' NOT NULL,
	`phase` text DEFAULT 'DESIGN' NOT NULL,
	`status` text DEFAULT 'ACTIVE' NOT NULL,
	`accepted_at` integer,
	`paused_from_phase` text,
	`pause_reason` text,
	`paused_at` integer,
	`cancel_reason` text,
	`cancelled_at` integer,
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
	CONSTRAINT "service_projects_category_check" CHECK("service_projects"."category" IN ('WEB_DESIGN', 'WEB_DEVELOPMENT', 'MOBILE_APP', 'CUSTOM_SOFTWARE', 'CONSULTING', 'MAINTENANCE')),
	CONSTRAINT "service_projects_phase_check" CHECK("service_projects"."phase" IN ('DESIGN', 'BUILD', 'POST_LAUNCH', 'COMPLETED', 'PAUSED')),
	CONSTRAINT "service_projects_status_check" CHECK("service_projects"."status" IN ('ACTIVE', 'PAUSED', 'COMPLETED', 'CANCELLED')),
	CONSTRAINT "service_projects_paused_from_check" CHECK("service_projects"."paused_from_phase" IS NULL OR "service_projects"."paused_from_phase" IN ('DESIGN', 'BUILD', 'POST_LAUNCH')),
	CONSTRAINT "service_projects_pause_check" CHECK(("service_projects"."phase" = 'PAUSED') = ("service_projects"."paused_from_phase" IS NOT NULL AND "service_projects"."pause_reason" IS NOT NULL)),
	CONSTRAINT "service_projects_status_phase_check" CHECK(("service_projects"."status" = 'ACTIVE' AND "service_projects"."phase" IN ('DESIGN', 'BUILD', 'POST_LAUNCH'))
        OR ("service_projects"."status" = 'PAUSED' AND "service_projects"."phase" = 'PAUSED')
        OR ("service_projects"."status" = 'COMPLETED' AND "service_projects"."phase" = 'COMPLETED')
        OR ("service_projects"."status" = 'CANCELLED' AND "service_projects"."phase" IN ('DESIGN', 'BUILD', 'POST_LAUNCH') AND "service_projects"."cancelled_at" IS NOT NULL AND "service_projects"."cancel_reason" IS NOT NULL)),
	CONSTRAINT "service_projects_accepted_check" CHECK("service_projects"."accepted_at" IS NOT NULL OR ("service_projects"."phase" = 'DESIGN' AND "service_projects"."status" IN ('ACTIVE', 'CANCELLED'))),
	CONSTRAINT "service_projects_revisions_check" CHECK("service_projects"."design_revisions_used" >= 0 AND "service_projects"."build_revisions_used" >= 0 AND "service_projects"."design_revisions_max" >= 0 AND "service_projects"."build_revisions_max" >= 0),
	CONSTRAINT "service_projects_dates_check" CHECK("service_projects"."start_date" IS NULL OR "service_projects"."deadline" IS NULL OR "service_projects"."deadline" >= "service_projects"."start_date"),
	CONSTRAINT "service_projects_features_check" CHECK(json_valid("service_projects"."approved_features") AND json_type("service_projects"."approved_features") = 'array')
);--> statement-breakpoint
INSERT INTO `service_projects`("id", "client_id", "title", "category", "description", "budget_notes", "requested_deadline", "scope", "approved_features", "phase", "status", "accepted_at", "paused_from_phase", "pause_reason", "paused_at", "cancel_reason", "cancelled_at", "design_revisions_used", "design_revisions_max", "build_revisions_used", "build_revisions_max", "start_date", "deadline", "completed_at", "created_at", "updated_at") SELECT "id", "client_id", "title", CASE "category" WHEN 'BRAND_IDENTITY' THEN 'WEB_DESIGN' WHEN 'UI_UX_DESIGN' THEN 'WEB_DESIGN' WHEN 'WEBSITE' THEN 'WEB_DEVELOPMENT' WHEN 'WEB_APP' THEN 'CUSTOM_SOFTWARE' WHEN 'MOBILE_APP' THEN 'MOBILE_APP' ELSE 'CONSULTING' END, "description", NULL, NULL, "scope", "approved_features", "phase", CASE "phase" WHEN 'PAUSED' THEN 'PAUSED' WHEN 'COMPLETED' THEN 'COMPLETED' ELSE 'ACTIVE' END, coalesce("start_date", "created_at"), "paused_from_phase", "pause_reason", "paused_at", NULL, NULL, "design_revisions_used", "design_revisions_max", "build_revisions_used", "build_revisions_max", "start_date", "deadline", "completed_at", "created_at", "updated_at" FROM `__stash_service_projects`;--> statement-breakpoint
CREATE INDEX `service_projects_client_created_idx` ON `service_projects` (`client_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `service_projects_phase_idx` ON `service_projects` (`phase`);--> statement-breakpoint
CREATE INDEX `service_projects_deadline_idx` ON `service_projects` (`deadline`);--> statement-breakpoint
CREATE INDEX `service_projects_status_deadline_idx` ON `service_projects` (`status`,`deadline`);--> statement-breakpoint
CREATE TABLE `project_phase_history` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`phase` text NOT NULL,
	`started_at` integer NOT NULL,
	`completed_at` integer,
	`notes` text,
	`started_by_id` text,
	FOREIGN KEY (`project_id`) REFERENCES `service_projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`started_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "project_phase_history_phase_check" CHECK("project_phase_history"."phase" IN ('DESIGN', 'BUILD', 'POST_LAUNCH', 'COMPLETED', 'PAUSED')),
	CONSTRAINT "project_phase_history_dates_check" CHECK("project_phase_history"."completed_at" IS NULL OR "project_phase_history"."completed_at" >= "project_phase_history"."started_at")
);--> statement-breakpoint
INSERT INTO `project_phase_history`("id", "project_id", "phase", "started_at", "completed_at", "notes", "started_by_id") SELECT "id", "project_id", "to_phase", "created_at", lead("created_at") OVER (PARTITION BY "project_id" ORDER BY "created_at", rowid), "reason", "changed_by_id" FROM `__stash_project_phase_history`;--> statement-breakpoint
CREATE INDEX `project_phase_history_project_idx` ON `project_phase_history` (`project_id`,`started_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `project_phase_history_open_unique` ON `project_phase_history` (`project_id`) WHERE "project_phase_history"."completed_at" IS NULL;--> statement-breakpoint
CREATE TABLE `service_add_ons` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`requested_by_id` text NOT NULL,
	`type` text NOT NULL,
	`status` text DEFAULT 'PENDING' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`credit_cost` integer,
	`priced_at` integer,
	`spend_transaction_id` text,
	`refund_transaction_id` text,
	`reviewed_by_id` text,
	`review_notes` text,
	`reviewed_at` integer,
	`started_at` integer,
	`completed_at` integer,
	`withdrawn_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `service_projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`requested_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`spend_transaction_id`) REFERENCES `credit_transactions`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`refund_transaction_id`) REFERENCES `credit_transactions`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`reviewed_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "service_add_ons_type_check" CHECK("service_add_ons"."type" IN ('EXTRA_REVISION', 'CONTENT_EDIT', 'SUPPORT_CALL', 'RUSH_DELIVERY', 'EMERGENCY_FIX', 'REOPEN_PROJECT', 'CUSTOM')),
	CONSTRAINT "service_add_ons_status_check" CHECK("service_add_ons"."status" IN ('PENDING', 'APPROVED', 'IN_PROGRESS', 'COMPLETED', 'REJECTED')),
	CONSTRAINT "service_add_ons_credit_cost_check" CHECK("service_add_ons"."credit_cost" IS NULL OR "service_add_ons"."credit_cost" >= 0),
	CONSTRAINT "service_add_ons_priced_check" CHECK("service_add_ons"."credit_cost" IS NOT NULL OR ("service_add_ons"."type" = 'CUSTOM' AND "service_add_ons"."status" IN ('PENDING', 'REJECTED'))),
	CONSTRAINT "service_add_ons_withdrawn_check" CHECK("service_add_ons"."withdrawn_at" IS NULL OR "service_add_ons"."status" = 'REJECTED')
);--> statement-breakpoint
INSERT INTO `service_add_ons`("id", "project_id", "requested_by_id", "type", "status", "description", "credit_cost", "priced_at", "spend_transaction_id", "refund_transaction_id", "reviewed_by_id", "review_notes", "reviewed_at", "started_at", "completed_at", "withdrawn_at", "created_at", "updated_at") SELECT "id", "project_id", "requested_by_id", "type", CASE "status" WHEN 'REQUESTED' THEN 'PENDING' WHEN 'CANCELLED' THEN 'REJECTED' ELSE "status" END, "description", "credit_cost", NULL, "spend_transaction_id", "refund_transaction_id", "reviewed_by_id", "review_notes", "reviewed_at", NULL, "completed_at", CASE WHEN "status" = 'CANCELLED' THEN "updated_at" END, "created_at", "updated_at" FROM `__stash_service_add_ons`;--> statement-breakpoint
CREATE INDEX `service_add_ons_project_idx` ON `service_add_ons` (`project_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `service_add_ons_status_idx` ON `service_add_ons` (`status`,`created_at`);--> statement-breakpoint
UPDATE `payment_events` SET `purchase_id` = (SELECT s.`purchase_id` FROM `__stash_payment_event_purchases` s WHERE s.`id` = `payment_events`.`id`)
WHERE `id` IN (SELECT `id` FROM `__stash_payment_event_purchases`);--> statement-breakpoint
DROP TABLE `__stash_digital_products`;--> statement-breakpoint
DROP TABLE `__stash_digital_product_purchases`;--> statement-breakpoint
DROP TABLE `__stash_licenses`;--> statement-breakpoint
DROP TABLE `__stash_downloads`;--> statement-breakpoint
DROP TABLE `__stash_download_reset_requests`;--> statement-breakpoint
DROP TABLE `__stash_license_activations`;--> statement-breakpoint
DROP TABLE `__stash_service_projects`;--> statement-breakpoint
DROP TABLE `__stash_project_phase_history`;--> statement-breakpoint
DROP TABLE `__stash_service_add_ons`;--> statement-breakpoint
DROP TABLE `__stash_payment_event_purchases`;
