CREATE TABLE `license_activations` (
	`id` text PRIMARY KEY NOT NULL,
	`license_id` text NOT NULL,
	`instance` text NOT NULL,
	`ip_hash` text,
	`last_validated_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`license_id`) REFERENCES `licenses`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "license_activations_instance_check" CHECK(length("license_activations"."instance") BETWEEN 1 AND 200)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `license_activations_license_instance_unique` ON `license_activations` (`license_id`,`instance`);--> statement-breakpoint
CREATE TABLE `rate_limits` (
	`key` text PRIMARY KEY NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `rate_limits_expires_at_idx` ON `rate_limits` (`expires_at`);--> statement-breakpoint
ALTER TABLE `digital_product_purchases` ADD `provider_dispute_id` text;--> statement-breakpoint
ALTER TABLE `digital_product_purchases` ADD `failure_reason` text;--> statement-breakpoint
ALTER TABLE `digital_products` ADD `purchase_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `digital_products` ADD `download_count` integer DEFAULT 0 NOT NULL;