-- Written by hand (issue 15: shared memberships, pause, failed payments, paid credits).
-- The brief's MembershipStatus has PAUSED, and a credit pack can now be REFUNDED: SQLite cannot
-- alter a CHECK, so memberships and membership_checkouts are rebuilt, and credit_transactions
-- (a child of memberships whose RESTRICT would stop the DROP) is rebuilt with them, gaining
-- `paid_balance`. As in 0005, `PRAGMA foreign_keys=OFF` is a no-op inside D1's migration
-- transaction, so every table is copied aside first, dropped children first, created again
-- parents first and filled from the copies; the links that the DROPs set NULL (service_add_ons'
-- ledger links, payment_events' checkout links) are put back. The ledger's append-only and
-- no-replace triggers (0001, 0009) go with the DROP and are created again, unchanged.
-- Values: every id, amount, balance, key and timestamp is copied as it is. Credits bought before
-- this migration are period credits (paid_balance 0, paid_credits 0): packs bought from now on
-- are kept apart (docs/decisions/0010-paid-credits.md). A PAST_DUE membership (none is written
-- before this issue) gets a 7-day grace from its last update. Every membership's owner becomes
-- its OWNER seat in membership_members, so nobody loses access.
PRAGMA defer_foreign_keys=ON;--> statement-breakpoint
CREATE TABLE `__stash_memberships` AS SELECT * FROM `memberships`;--> statement-breakpoint
CREATE TABLE `__stash_credit_transactions` AS SELECT * FROM `credit_transactions`;--> statement-breakpoint
CREATE TABLE `__stash_membership_checkouts` AS SELECT * FROM `membership_checkouts`;--> statement-breakpoint
CREATE TABLE `__stash_add_on_ledger_links` AS SELECT `id`, `spend_transaction_id`, `refund_transaction_id` FROM `service_add_ons` WHERE `spend_transaction_id` IS NOT NULL OR `refund_transaction_id` IS NOT NULL;--> statement-breakpoint
CREATE TABLE `__stash_payment_event_checkouts` AS SELECT `id`, `membership_checkout_id` FROM `payment_events` WHERE `membership_checkout_id` IS NOT NULL;--> statement-breakpoint
DROP TABLE `credit_transactions`;--> statement-breakpoint
DROP TABLE `membership_checkouts`;--> statement-breakpoint
DROP TABLE `memberships`;--> statement-breakpoint
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
	`paid_credits` integer DEFAULT 0 NOT NULL,
	`paused_at` integer,
	`pause_ends_at` integer,
	`grace_ends_at` integer,
	`pending_tier` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "memberships_tier_check" CHECK("memberships"."tier" IN ('BASIC_ACCESS', 'PRO', 'MANAGED')),
	CONSTRAINT "memberships_status_check" CHECK("memberships"."status" IN ('ACTIVE', 'PAUSED', 'PAST_DUE', 'CANCELLED', 'EXPIRED')),
	CONSTRAINT "memberships_credits_check" CHECK("memberships"."used_credits" >= 0 AND "memberships"."total_credits" >= 0 AND "memberships"."used_credits" <= "memberships"."total_credits"),
	CONSTRAINT "memberships_period_check" CHECK("memberships"."current_period_end" > "memberships"."current_period_start"),
	CONSTRAINT "memberships_pending_tier_check" CHECK("memberships"."pending_tier" IS NULL OR "memberships"."pending_tier" IN ('BASIC_ACCESS', 'PRO', 'MANAGED')),
	CONSTRAINT "memberships_paid_credits_check" CHECK("memberships"."paid_credits" >= 0 AND "memberships"."paid_credits" <= "memberships"."total_credits" - "memberships"."used_credits"),
	CONSTRAINT "memberships_pause_check" CHECK(("memberships"."status" = 'PAUSED') = ("memberships"."pause_ends_at" IS NOT NULL AND "memberships"."paused_at" IS NOT NULL)),
	CONSTRAINT "memberships_grace_check" CHECK(("memberships"."status" = 'PAST_DUE') = ("memberships"."grace_ends_at" IS NOT NULL))
);;--> statement-breakpoint
INSERT INTO `memberships` ("id", "user_id", "tier", "status", "total_credits", "used_credits", "auto_renew", "current_period_start", "current_period_end", "paid_through", "provider_subscription_id", "cancelled_at", "paid_credits", "paused_at", "pause_ends_at", "grace_ends_at", "pending_tier", "created_at", "updated_at")
SELECT "id", "user_id", "tier", "status", "total_credits", "used_credits", "auto_renew", "current_period_start", "current_period_end", "paid_through", "provider_subscription_id", "cancelled_at", 0, NULL, NULL, CASE "status" WHEN 'PAST_DUE' THEN "updated_at" + 604800000 ELSE NULL END, NULL, "created_at", "updated_at" FROM `__stash_memberships`;--> statement-breakpoint
CREATE UNIQUE INDEX `memberships_user_unique` ON `memberships` (`user_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `memberships_provider_subscription_unique` ON `memberships` (`provider_subscription_id`);--> statement-breakpoint
CREATE INDEX `memberships_status_period_end_idx` ON `memberships` (`status`,`current_period_end`);--> statement-breakpoint
CREATE TABLE `credit_transactions` (
	`id` text PRIMARY KEY NOT NULL,
	`membership_id` text NOT NULL,
	`user_id` text NOT NULL,
	`type` text NOT NULL,
	`amount` integer NOT NULL,
	`balance` integer NOT NULL,
	`paid_balance` integer DEFAULT 0 NOT NULL,
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
	CONSTRAINT "credit_transactions_type_check" CHECK("credit_transactions"."type" IN ('INITIAL_ALLOCATION', 'RENEWAL', 'ROLLOVER', 'TOP_UP', 'REFUND', 'USAGE', 'EXPIRY', 'ADJUSTMENT')),
	CONSTRAINT "credit_transactions_balance_check" CHECK("credit_transactions"."balance" >= 0),
	CONSTRAINT "credit_transactions_paid_balance_check" CHECK("credit_transactions"."paid_balance" >= 0 AND "credit_transactions"."paid_balance" <= "credit_transactions"."balance"),
	CONSTRAINT "credit_transactions_sign_check" CHECK(("credit_transactions"."type" IN ('USAGE', 'EXPIRY') AND "credit_transactions"."amount" < 0)
        OR ("credit_transactions"."type" IN ('INITIAL_ALLOCATION', 'RENEWAL', 'ROLLOVER', 'TOP_UP', 'REFUND') AND "credit_transactions"."amount" > 0)
        OR ("credit_transactions"."type" = 'ADJUSTMENT' AND "credit_transactions"."amount" <> 0))
);;--> statement-breakpoint
INSERT INTO `credit_transactions` ("id", "membership_id", "user_id", "type", "amount", "balance", "paid_balance", "description", "idempotency_key", "reverses_id", "reference", "created_by_id", "created_at")
SELECT "id", "membership_id", "user_id", "type", "amount", "balance", 0, "description", "idempotency_key", "reverses_id", "reference", "created_by_id", "created_at" FROM `__stash_credit_transactions` ORDER BY rowid;--> statement-breakpoint
CREATE UNIQUE INDEX `credit_transactions_idempotency_unique` ON `credit_transactions` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `credit_transactions_membership_created_idx` ON `credit_transactions` (`membership_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `credit_transactions_user_created_idx` ON `credit_transactions` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `credit_transactions_reference_idx` ON `credit_transactions` (`reference`);--> statement-breakpoint
CREATE TRIGGER `credit_transactions_no_update`
BEFORE UPDATE ON `credit_transactions`
BEGIN
  SELECT RAISE(ABORT, 'credit_transactions is append-only: write a new ledger row instead');
END;--> statement-breakpoint
CREATE TRIGGER `credit_transactions_no_delete`
BEFORE DELETE ON `credit_transactions`
BEGIN
  SELECT RAISE(ABORT, 'credit_transactions is append-only: ledger rows are never deleted');
END;--> statement-breakpoint
CREATE TRIGGER `credit_transactions_no_replace`
BEFORE INSERT ON `credit_transactions`
WHEN EXISTS (SELECT 1 FROM `credit_transactions` WHERE `id` = NEW.`id`)
BEGIN
  SELECT RAISE(ABORT, 'credit_transactions rows are never replaced');
END;--> statement-breakpoint
CREATE TRIGGER `credit_transactions_idempotent_insert`
BEFORE INSERT ON `credit_transactions`
WHEN NEW.`idempotency_key` IS NOT NULL
  AND EXISTS (
    SELECT 1 FROM `credit_transactions` WHERE `idempotency_key` = NEW.`idempotency_key`
  )
BEGIN
  SELECT RAISE(IGNORE);
END;--> statement-breakpoint
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
	`refunded_at` integer,
	`refunded_credits` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`membership_id`) REFERENCES `memberships`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "membership_checkouts_kind_check" CHECK("membership_checkouts"."kind" IN ('SUBSCRIPTION', 'CREDIT_PACK')),
	CONSTRAINT "membership_checkouts_tier_check" CHECK("membership_checkouts"."tier" IS NULL OR "membership_checkouts"."tier" IN ('BASIC_ACCESS', 'PRO', 'MANAGED')),
	CONSTRAINT "membership_checkouts_status_check" CHECK("membership_checkouts"."status" IN ('PENDING', 'COMPLETED', 'FAILED', 'REFUNDED')),
	CONSTRAINT "membership_checkouts_provider_check" CHECK("membership_checkouts"."provider" IN ('STRIPE', 'TEST')),
	CONSTRAINT "membership_checkouts_item_check" CHECK(("membership_checkouts"."kind" = 'SUBSCRIPTION' AND "membership_checkouts"."tier" IS NOT NULL AND "membership_checkouts"."pack" IS NULL)
        OR ("membership_checkouts"."kind" = 'CREDIT_PACK' AND "membership_checkouts"."pack" IS NOT NULL AND "membership_checkouts"."tier" IS NULL)),
	CONSTRAINT "membership_checkouts_credits_check" CHECK("membership_checkouts"."credits" > 0),
	CONSTRAINT "membership_checkouts_amount_check" CHECK("membership_checkouts"."amount_cents" >= 0),
	CONSTRAINT "membership_checkouts_currency_check" CHECK(length("membership_checkouts"."currency") = 3 AND "membership_checkouts"."currency" = upper("membership_checkouts"."currency"))
);;--> statement-breakpoint
INSERT INTO `membership_checkouts` ("id", "user_id", "kind", "tier", "pack", "credits", "amount_cents", "currency", "status", "provider", "provider_session_id", "provider_subscription_id", "membership_id", "failure_reason", "completed_at", "refunded_at", "refunded_credits", "created_at", "updated_at")
SELECT "id", "user_id", "kind", "tier", "pack", "credits", "amount_cents", "currency", "status", "provider", "provider_session_id", "provider_subscription_id", "membership_id", "failure_reason", "completed_at", NULL, NULL, "created_at", "updated_at" FROM `__stash_membership_checkouts`;--> statement-breakpoint
CREATE UNIQUE INDEX `membership_checkouts_provider_session_unique` ON `membership_checkouts` (`provider_session_id`);--> statement-breakpoint
CREATE INDEX `membership_checkouts_user_created_idx` ON `membership_checkouts` (`user_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `membership_checkouts_subscription_idx` ON `membership_checkouts` (`provider_subscription_id`);--> statement-breakpoint
UPDATE `service_add_ons` SET
  `spend_transaction_id` = (SELECT l.`spend_transaction_id` FROM `__stash_add_on_ledger_links` l WHERE l.`id` = `service_add_ons`.`id`),
  `refund_transaction_id` = (SELECT l.`refund_transaction_id` FROM `__stash_add_on_ledger_links` l WHERE l.`id` = `service_add_ons`.`id`)
WHERE `id` IN (SELECT `id` FROM `__stash_add_on_ledger_links`);--> statement-breakpoint
UPDATE `payment_events` SET
  `membership_checkout_id` = (SELECT l.`membership_checkout_id` FROM `__stash_payment_event_checkouts` l WHERE l.`id` = `payment_events`.`id`)
WHERE `id` IN (SELECT `id` FROM `__stash_payment_event_checkouts`);--> statement-breakpoint
CREATE TABLE `membership_invitations` (
	`id` text PRIMARY KEY NOT NULL,
	`membership_id` text NOT NULL,
	`email` text NOT NULL,
	`token_hash` text NOT NULL,
	`status` text DEFAULT 'PENDING' NOT NULL,
	`invited_by_id` text,
	`accepted_by_id` text,
	`expires_at` integer NOT NULL,
	`responded_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`membership_id`) REFERENCES `memberships`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`invited_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`accepted_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "membership_invitations_status_check" CHECK("membership_invitations"."status" IN ('PENDING', 'ACCEPTED', 'REVOKED'))
);--> statement-breakpoint
CREATE TABLE `membership_invoices` (
	`id` text PRIMARY KEY NOT NULL,
	`membership_id` text NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`tier` text NOT NULL,
	`status` text NOT NULL,
	`amount_cents` integer NOT NULL,
	`currency` text DEFAULT 'USD' NOT NULL,
	`provider` text NOT NULL,
	`provider_invoice_id` text NOT NULL,
	`period_start` integer,
	`period_end` integer,
	`failure_reason` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`membership_id`) REFERENCES `memberships`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "membership_invoices_kind_check" CHECK("membership_invoices"."kind" IN ('RENEWAL', 'UPGRADE')),
	CONSTRAINT "membership_invoices_tier_check" CHECK("membership_invoices"."tier" IN ('BASIC_ACCESS', 'PRO', 'MANAGED')),
	CONSTRAINT "membership_invoices_status_check" CHECK("membership_invoices"."status" IN ('PAID', 'FAILED')),
	CONSTRAINT "membership_invoices_provider_check" CHECK("membership_invoices"."provider" IN ('STRIPE', 'TEST')),
	CONSTRAINT "membership_invoices_amount_check" CHECK("membership_invoices"."amount_cents" >= 0),
	CONSTRAINT "membership_invoices_currency_check" CHECK(length("membership_invoices"."currency") = 3 AND "membership_invoices"."currency" = upper("membership_invoices"."currency"))
);--> statement-breakpoint
CREATE TABLE `membership_members` (
	`id` text PRIMARY KEY NOT NULL,
	`membership_id` text NOT NULL,
	`user_id` text NOT NULL,
	`role` text NOT NULL,
	`period_cap` integer,
	`added_by_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`membership_id`) REFERENCES `memberships`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`added_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "membership_members_role_check" CHECK("membership_members"."role" IN ('OWNER', 'MEMBER')),
	CONSTRAINT "membership_members_cap_check" CHECK("membership_members"."period_cap" IS NULL OR ("membership_members"."period_cap" >= 0 AND "membership_members"."role" = 'MEMBER'))
);--> statement-breakpoint
CREATE UNIQUE INDEX `membership_invitations_token_unique` ON `membership_invitations` (`token_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `membership_invitations_pending_unique` ON `membership_invitations` (`membership_id`,`email`) WHERE status = 'PENDING';--> statement-breakpoint
CREATE INDEX `membership_invitations_email_idx` ON `membership_invitations` (`email`);--> statement-breakpoint
CREATE UNIQUE INDEX `membership_invoices_provider_unique` ON `membership_invoices` (`provider`,`provider_invoice_id`);--> statement-breakpoint
CREATE INDEX `membership_invoices_user_created_idx` ON `membership_invoices` (`user_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `membership_invoices_membership_idx` ON `membership_invoices` (`membership_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `membership_members_user_unique` ON `membership_members` (`user_id`);--> statement-breakpoint
CREATE INDEX `membership_members_membership_idx` ON `membership_members` (`membership_id`,`role`);--> statement-breakpoint
INSERT INTO `membership_members` ("id", "membership_id", "user_id", "role", "period_cap", "added_by_id", "created_at", "updated_at")
SELECT lower(hex(randomblob(12))), "id", "user_id", 'OWNER', NULL, NULL, "created_at", "created_at" FROM `memberships`;--> statement-breakpoint
DROP TABLE `__stash_memberships`;--> statement-breakpoint
DROP TABLE `__stash_credit_transactions`;--> statement-breakpoint
DROP TABLE `__stash_membership_checkouts`;--> statement-breakpoint
DROP TABLE `__stash_add_on_ledger_links`;--> statement-breakpoint
DROP TABLE `__stash_payment_event_checkouts`;
