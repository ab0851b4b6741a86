import { sql } from "drizzle-orm";
import {
  check,
  index,
  sqliteTable,
  uniqueIndex,
  type AnySQLiteColumn,
} from "drizzle-orm/sqlite-core";
import { users } from "./accounts";
import { createdAt, enumCheck, id, integer, text, timestamp, updatedAt } from "./columns";
import { DOWNLOAD_STATUSES, RESET_REQUEST_STATUSES } from "./enums";
import { digitalProducts, licenses } from "./store";

/**
 * Every download attempt. A GRANTED row is a quota slot issued by the conditional INSERT;
 * redeeming it turns it COMPLETED; refusals are FAILED rows with the reason.
 */
export const downloads = sqliteTable(
  "downloads",
  {
    id: id(),
    licenseId: text("license_id")
      .notNull()
      .references(() => licenses.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    productId: text("product_id")
      .notNull()
      .references(() => digitalProducts.id, { onDelete: "restrict" }),
    status: text("status", { enum: DOWNLOAD_STATUSES }).notNull(),
    failureReason: text("failure_reason"),
    /** HMAC-SHA-256 of the client IP (docs/architecture.md §3): never the address itself. */
    ipHash: text("ip_hash"),
    deviceFingerprint: text("device_fingerprint"),
    userAgent: text("user_agent"),
    /** An unredeemed grant stops counting against the quota at this time. */
    grantExpiresAt: timestamp("grant_expires_at"),
    redeemedAt: timestamp("redeemed_at"),
    bytesServed: integer("bytes_served"),
    /**
     * Set on the record of a resumed download (a Range request on a grant redeemed earlier):
     * the attempt is on record, but only the grant it resumes counts against the quota.
     */
    resumeOfId: text("resume_of_id").references((): AnySQLiteColumn => downloads.id, {
      onDelete: "cascade",
    }),
    createdAt: createdAt(),
  },
  (t) => [
    index("downloads_license_created_idx").on(t.licenseId, t.createdAt),
    index("downloads_user_created_idx").on(t.userId, t.createdAt, t.id),
    index("downloads_product_idx").on(t.productId),
    index("downloads_resume_of_idx").on(t.resumeOfId),
    enumCheck("downloads_status_check", t.status, DOWNLOAD_STATUSES),
    check(
      "downloads_failure_reason_check",
      sql`${t.status} <> 'FAILED' OR ${t.failureReason} IS NOT NULL`,
    ),
    check(
      "downloads_grant_expiry_check",
      sql`${t.status} = 'FAILED' OR ${t.grantExpiresAt} IS NOT NULL`,
    ),
  ],
);

export const downloadResetRequests = sqliteTable(
  "download_reset_requests",
  {
    id: id(),
    licenseId: text("license_id")
      .notNull()
      .references(() => licenses.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    reason: text("reason").notNull(),
    status: text("status", { enum: RESET_REQUEST_STATUSES }).notNull().default("PENDING"),
    reviewedById: text("reviewed_by_id").references(() => users.id, { onDelete: "set null" }),
    reviewNotes: text("review_notes"),
    reviewedAt: timestamp("reviewed_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // One pending request per license at a time, enforced by the database.
    uniqueIndex("reset_requests_one_pending_unique")
      .on(t.licenseId)
      .where(sql`status = 'PENDING'`),
    index("reset_requests_status_created_idx").on(t.status, t.createdAt),
    index("reset_requests_user_idx").on(t.userId, t.createdAt),
    index("reset_requests_license_idx").on(t.licenseId, t.createdAt),
    enumCheck("reset_requests_status_check", t.status, RESET_REQUEST_STATUSES),
    check("reset_requests_reason_check", sql`length(trim(${t.reason})) > 0`),
  ],
);

export type Download = typeof downloads.$inferSelect;
export type DownloadResetRequest = typeof downloadResetRequests.$inferSelect;
