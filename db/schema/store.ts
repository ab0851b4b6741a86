import { sql } from "drizzle-orm";
import {
  check,
  index,
  sqliteTable,
  uniqueIndex,
  type AnySQLiteColumn,
} from "drizzle-orm/sqlite-core";
import { users } from "./accounts";
import { membershipCheckouts } from "./memberships";
import {
  bool,
  createdAt,
  currency,
  currencyCheck,
  enumCheck,
  id,
  integer,
  jsonArrayCheck,
  jsonObjectCheck,
  nonNegative,
  text,
  timestamp,
  updatedAt,
} from "./columns";
import {
  LICENSE_STATUSES,
  LICENSE_TYPES,
  PAYMENT_EVENT_STATUSES,
  PAYMENT_PROVIDERS,
  PRODUCT_CATEGORIES,
  PRODUCT_STATUSES,
  PURCHASE_STATUSES,
} from "./enums";

export const digitalProducts = sqliteTable(
  "digital_products",
  {
    id: id(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    tagline: text("tagline").notNull().default(""),
    /** Markdown, rendered safely on the product page. */
    description: text("description").notNull().default(""),
    category: text("category", { enum: PRODUCT_CATEGORIES }).notNull(),
    tags: text("tags", { mode: "json" })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    status: text("status", { enum: PRODUCT_STATUSES }).notNull().default("DRAFT"),
    featured: bool("featured").notNull().default(false),
    /** Prices per license type in minor units; null = that license is not offered. */
    pricePersonalCents: integer("price_personal_cents").notNull(),
    priceCommercialCents: integer("price_commercial_cents"),
    priceTeamCents: integer("price_team_cents"),
    currency: currency(),
    /** Seats a TEAM license of this product gets. */
    teamSeats: integer("team_seats").notNull().default(5),
    /** Months a license stays valid; null = perpetual. */
    licenseDurationMonths: integer("license_duration_months"),
    version: text("version").notNull().default("1.0.0"),
    changelog: text("changelog").notNull().default(""),
    documentation: text("documentation").notNull().default(""),
    /** The deliverable in R2 (`products/<id>/…`); never public. */
    fileKey: text("file_key"),
    fileName: text("file_name"),
    fileSizeBytes: integer("file_size_bytes"),
    fileContentType: text("file_content_type"),
    fileSha256: text("file_sha256"),
    /** Public images in R2 (`previews/<id>/…`), served through a cached route. */
    thumbnailKey: text("thumbnail_key"),
    previewKeys: text("preview_keys", { mode: "json" })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    /** Counters that move in the same batch as the purchase or download that changes them. */
    purchaseCount: integer("purchase_count").notNull().default(0),
    downloadCount: integer("download_count").notNull().default(0),
    createdById: text("created_by_id").references(() => users.id, { onDelete: "set null" }),
    publishedAt: timestamp("published_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("digital_products_slug_unique").on(t.slug),
    index("digital_products_status_published_idx").on(t.status, t.publishedAt, t.id),
    index("digital_products_category_idx").on(t.category, t.status),
    index("digital_products_featured_idx").on(t.featured, t.status),
    index("digital_products_created_at_id_idx").on(t.createdAt, t.id),
    enumCheck("digital_products_category_check", t.category, PRODUCT_CATEGORIES),
    enumCheck("digital_products_status_check", t.status, PRODUCT_STATUSES),
    check(
      "digital_products_slug_check",
      sql`${t.slug} GLOB '[a-z0-9]*' AND ${t.slug} NOT GLOB '*[^a-z0-9-]*'`,
    ),
    nonNegative("digital_products_price_personal_check", t.pricePersonalCents),
    check(
      "digital_products_price_others_check",
      sql`coalesce(${t.priceCommercialCents}, 0) >= 0 AND coalesce(${t.priceTeamCents}, 0) >= 0`,
    ),
    currencyCheck("digital_products_currency_check", t.currency),
    check("digital_products_team_seats_check", sql`${t.teamSeats} >= 2`),
    check(
      "digital_products_published_file_check",
      sql`${t.status} <> 'PUBLISHED' OR (${t.fileKey} IS NOT NULL AND ${t.publishedAt} IS NOT NULL)`,
    ),
    jsonArrayCheck("digital_products_tags_check", t.tags),
    jsonArrayCheck("digital_products_preview_keys_check", t.previewKeys),
  ],
);

export const digitalProductPurchases = sqliteTable(
  "digital_product_purchases",
  {
    id: id(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** Products with sales are archived, never deleted. */
    productId: text("product_id")
      .notNull()
      .references(() => digitalProducts.id, { onDelete: "restrict" }),
    licenseType: text("license_type", { enum: LICENSE_TYPES }).notNull(),
    amountCents: integer("amount_cents").notNull(),
    currency: currency(),
    status: text("status", { enum: PURCHASE_STATUSES }).notNull().default("PENDING"),
    provider: text("provider", { enum: PAYMENT_PROVIDERS }).notNull(),
    /** Stripe Checkout Session id (or the test provider's id). */
    providerSessionId: text("provider_session_id"),
    providerPaymentIntentId: text("provider_payment_intent_id"),
    /** Set while a dispute is open (Stripe `dp_…`). */
    providerDisputeId: text("provider_dispute_id"),
    failureReason: text("failure_reason"),
    completedAt: timestamp("completed_at"),
    refundedAt: timestamp("refunded_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("purchases_provider_session_unique").on(t.providerSessionId),
    index("purchases_user_created_idx").on(t.userId, t.createdAt, t.id),
    index("purchases_product_idx").on(t.productId),
    index("purchases_status_created_idx").on(t.status, t.createdAt),
    index("purchases_payment_intent_idx").on(t.providerPaymentIntentId),
    enumCheck("purchases_license_type_check", t.licenseType, LICENSE_TYPES),
    enumCheck("purchases_status_check", t.status, PURCHASE_STATUSES),
    enumCheck("purchases_provider_check", t.provider, PAYMENT_PROVIDERS),
    nonNegative("purchases_amount_check", t.amountCents),
    currencyCheck("purchases_currency_check", t.currency),
  ],
);

export const licenses = sqliteTable(
  "licenses",
  {
    id: id(),
    /** One license per completed purchase. */
    purchaseId: text("purchase_id")
      .notNull()
      .references(() => digitalProductPurchases.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    productId: text("product_id")
      .notNull()
      .references(() => digitalProducts.id, { onDelete: "restrict" }),
    licenseType: text("license_type", { enum: LICENSE_TYPES }).notNull(),
    status: text("status", { enum: LICENSE_STATUSES }).notNull().default("ACTIVE"),
    /** AES-256-GCM ciphertext of the key; shown in full only to its owner. */
    keyEncrypted: text("key_encrypted").notNull(),
    /** HMAC blind index of the normalized key: the only way a key is looked up. */
    keyBlindIndex: text("key_blind_index").notNull(),
    keyLast5: text("key_last5").notNull(),
    maxUsers: integer("max_users").notNull().default(1),
    currentUsers: integer("current_users").notNull().default(0),
    expiresAt: timestamp("expires_at"),
    abuseDetected: bool("abuse_detected").notNull().default(false),
    abuseReason: text("abuse_reason"),
    abuseDetectedAt: timestamp("abuse_detected_at"),
    statusReason: text("status_reason"),
    /** An approved reset request restarts the rolling download window from here. */
    downloadWindowResetAt: timestamp("download_window_reset_at"),
    revokedAt: timestamp("revoked_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("licenses_purchase_unique").on(t.purchaseId),
    uniqueIndex("licenses_key_blind_index_unique").on(t.keyBlindIndex),
    index("licenses_user_created_idx").on(t.userId, t.createdAt, t.id),
    index("licenses_product_idx").on(t.productId),
    index("licenses_status_idx").on(t.status),
    index("licenses_abuse_idx").on(t.abuseDetected),
    enumCheck("licenses_type_check", t.licenseType, LICENSE_TYPES),
    enumCheck("licenses_status_check", t.status, LICENSE_STATUSES),
    check(
      "licenses_users_check",
      sql`${t.currentUsers} >= 0 AND ${t.currentUsers} <= ${t.maxUsers}`,
    ),
    check("licenses_max_users_check", sql`${t.maxUsers} >= 1`),
    check("licenses_last5_check", sql`length(${t.keyLast5}) = 5`),
  ],
);

/** Payment provider events, stored in the same batch as their effects: a replay is a no-op. */
export const paymentEvents = sqliteTable(
  "payment_events",
  {
    id: id(),
    provider: text("provider", { enum: PAYMENT_PROVIDERS }).notNull(),
    eventId: text("event_id").notNull(),
    type: text("type").notNull(),
    status: text("status", { enum: PAYMENT_EVENT_STATUSES }).notNull(),
    purchaseId: text("purchase_id").references(() => digitalProductPurchases.id, {
      onDelete: "set null",
    }),
    /** For subscription and credit-pack events: the checkout they settled. */
    membershipCheckoutId: text("membership_checkout_id").references(
      (): AnySQLiteColumn => membershipCheckouts.id,
      { onDelete: "set null" },
    ),
    /** The fields of the event we acted on (not the whole payload: no card data is kept). */
    summary: text("summary", { mode: "json" }).$type<Record<string, unknown>>(),
    error: text("error"),
    processedAt: timestamp("processed_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("payment_events_provider_event_unique").on(t.provider, t.eventId),
    index("payment_events_purchase_idx").on(t.purchaseId),
    index("payment_events_membership_checkout_idx").on(t.membershipCheckoutId),
    enumCheck("payment_events_provider_check", t.provider, PAYMENT_PROVIDERS),
    enumCheck("payment_events_status_check", t.status, PAYMENT_EVENT_STATUSES),
    jsonObjectCheck("payment_events_summary_check", t.summary),
  ],
);

/**
 * One row per running copy of the buyer's software using a license (`instance` is chosen by
 * the software). A TEAM license's seats are its rows; `licenses.current_users` moves with them.
 */
export const licenseActivations = sqliteTable(
  "license_activations",
  {
    id: id(),
    licenseId: text("license_id")
      .notNull()
      .references(() => licenses.id, { onDelete: "cascade" }),
    instance: text("instance").notNull(),
    ipHash: text("ip_hash"),
    lastValidatedAt: timestamp("last_validated_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("license_activations_license_instance_unique").on(t.licenseId, t.instance),
    check("license_activations_instance_check", sql`length(${t.instance}) BETWEEN 1 AND 200`),
  ],
);

/** Fixed-window counters for rate limits (license API per key and per IP hash). */
export const rateLimits = sqliteTable(
  "rate_limits",
  {
    /** `<scope>:<subject>:<window start>`, e.g. `license-api-ip:<hash>:1795600000000`. */
    key: text("key").primaryKey(),
    count: integer("count").notNull().default(0),
    expiresAt: timestamp("expires_at").notNull(),
  },
  (t) => [index("rate_limits_expires_at_idx").on(t.expiresAt)],
);

export type DigitalProduct = typeof digitalProducts.$inferSelect;
export type NewDigitalProduct = typeof digitalProducts.$inferInsert;
export type Purchase = typeof digitalProductPurchases.$inferSelect;
export type License = typeof licenses.$inferSelect;
export type LicenseActivation = typeof licenseActivations.$inferSelect;
export type PaymentEvent = typeof paymentEvents.$inferSelect;
