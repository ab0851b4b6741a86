CREATE TABLE `membership_checkouts` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`tier` text,
	`pack` text,
	`credits` integer NOT NULL,
	`amount_cents` integer NOT NULL,
	`currency` text DEFAULT 'USD' NOT NULL,
	`status` text DEFAULT 'PENDING' NOT NULL,
	`provider` text NOT NULL,
	`provider_session_id` text,
	`provider_subscription_id` text,
	`membership_id` text,
	`failure_reason` text,
	`completed_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`membership_id`) REFERENCES `memberships`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "membership_checkouts_kind_check" CHECK("membership_checkouts"."kind" IN ('SUBSCRIPTION', 'CREDIT_PACK')),
	CONSTRAINT "membership_checkouts_tier_check" CHECK("membership_checkouts"."tier" IS NULL OR "membership_checkouts"."tier" IN ('BASIC_ACCESS', 'PRO', 'MANAGED')),
	CONSTRAINT "membership_checkouts_status_check" CHECK("membership_checkouts"."status" IN ('PENDING', 'COMPLETED', 'FAILED')),
	CONSTRAINT "membership_checkouts_provider_check" CHECK("membership_checkouts"."provider" IN ('STRIPE', 'TEST')),
	CONSTRAINT "membership_checkouts_item_check" CHECK(("membership_checkouts"."kind" = 'SUBSCRIPTION' AND "membership_checkouts"."tier" IS NOT NULL AND "membership_checkouts"."pack" IS NULL)
        OR ("membership_checkouts"."kind" = 'CREDIT_PACK' AND "membership_checkouts"."pack" IS NOT NULL AND "membership_checkouts"."tier" IS NULL)),
	CONSTRAINT "membership_checkouts_credits_check" CHECK("membership_checkouts"."credits" > 0),
	CONSTRAINT "membership_checkouts_amount_check" CHECK("membership_checkouts"."amount_cents" >= 0),
	CONSTRAINT "membership_checkouts_currency_check" CHECK(length("membership_checkouts"."currency") = 3 AND "membership_checkouts"."currency" = upper("membership_checkouts"."currency"))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `membership_checkouts_provider_session_unique` ON `membership_checkouts` (`provider_session_id`);--> statement-breakpoint
CREATE INDEX `membership_checkouts_user_created_idx` ON `membership_checkouts` (`user_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `membership_checkouts_subscription_idx` ON `membership_checkouts` (`provider_subscription_id`);--> statement-breakpoint
PRAGMA defer_foreign_keys=ON;--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_credit_transactions` (
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
	CONSTRAINT "credit_transactions_type_check" CHECK("__new_credit_transactions"."type" IN ('INITIAL_ALLOCATION', 'RENEWAL', 'ROLLOVER', 'TOP_UP', 'REFUND', 'USAGE', 'EXPIRY', 'ADJUSTMENT')),
	CONSTRAINT "credit_transactions_balance_check" CHECK("__new_credit_transactions"."balance" >= 0),
	CONSTRAINT "credit_transactions_sign_check" CHECK(("__new_credit_transactions"."type" IN ('USAGE', 'EXPIRY') AND "__new_credit_transactions"."amount" < 0)
        OR ("__new_credit_transactions"."type" IN ('INITIAL_ALLOCATION', 'RENEWAL', 'ROLLOVER', 'TOP_UP', 'REFUND') AND "__new_credit_transactions"."amount" > 0)
        OR ("__new_credit_transactions"."type" = 'ADJUSTMENT' AND "__new_credit_transactions"."amount" <> 0))
);
--> statement-breakpoint
-- Reviewed by hand (issue 6). The ledger types take the issue's words: ALLOCATION →
-- INITIAL_ALLOCATION, SPEND → USAGE. SQLite cannot alter a CHECK, so the table is rebuilt and
-- the old values are mapped in the copy; ids, amounts, balances and keys are copied as they are.
INSERT INTO `__new_credit_transactions`("id", "membership_id", "user_id", "type", "amount", "balance", "description", "idempotency_key", "reverses_id", "reference", "created_by_id", "created_at") SELECT "id", "membership_id", "user_id", CASE "type" WHEN 'ALLOCATION' THEN 'INITIAL_ALLOCATION' WHEN 'SPEND' THEN 'USAGE' ELSE "type" END, "amount", "balance", "description", "idempotency_key", "reverses_id", "reference", "created_by_id", "created_at" FROM `credit_transactions`;--> statement-breakpoint
-- D1 runs a migration in one transaction, where `PRAGMA foreign_keys=OFF` is a no-op: the
-- DROP's implicit DELETE would run service_add_ons' ON DELETE SET NULL on its ledger links.
-- Keep the links aside and put them back after the rename.
CREATE TABLE `__add_on_ledger_links` AS SELECT `id`, `spend_transaction_id`, `refund_transaction_id` FROM `service_add_ons` WHERE `spend_transaction_id` IS NOT NULL OR `refund_transaction_id` IS NOT NULL;--> statement-breakpoint
DROP TABLE `credit_transactions`;--> statement-breakpoint
ALTER TABLE `__new_credit_transactions` RENAME TO `credit_transactions`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `credit_transactions_idempotency_unique` ON `credit_transactions` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `credit_transactions_membership_created_idx` ON `credit_transactions` (`membership_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `credit_transactions_user_created_idx` ON `credit_transactions` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `credit_transactions_reference_idx` ON `credit_transactions` (`reference`);--> statement-breakpoint
UPDATE `service_add_ons` SET
  `spend_transaction_id` = (SELECT l.`spend_transaction_id` FROM `__add_on_ledger_links` l WHERE l.`id` = `service_add_ons`.`id`),
  `refund_transaction_id` = (SELECT l.`refund_transaction_id` FROM `__add_on_ledger_links` l WHERE l.`id` = `service_add_ons`.`id`)
WHERE `id` IN (SELECT `id` FROM `__add_on_ledger_links`);--> statement-breakpoint
DROP TABLE `__add_on_ledger_links`;--> statement-breakpoint
-- The append-only triggers of 0001 went with the old table: the ledger gets them back.
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
-- drizzle-kit drops the delete rule of a column added with REFERENCES; the schema says SET NULL.
ALTER TABLE `payment_events` ADD `membership_checkout_id` text REFERENCES membership_checkouts(id) ON DELETE set null;--> statement-breakpoint
CREATE INDEX `payment_events_membership_checkout_idx` ON `payment_events` (`membership_checkout_id`);