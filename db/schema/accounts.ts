import { sql } from "drizzle-orm";
import { check, index, sqliteTable, uniqueIndex } from "drizzle-orm/sqlite-core";
import {
  bool,
  createdAt,
  enumCheck,
  id,
  integer,
  jsonArrayCheck,
  nonNegative,
  text,
  timestamp,
  updatedAt,
} from "./columns";
import { ACCOUNT_STATUSES, ACCOUNT_TOKEN_PURPOSES, USER_ROLES } from "./enums";

export const users = sqliteTable(
  "users",
  {
    id: id(),
    /** Stored lower-cased; uniqueness is on the normalized address. */
    email: text("email").notNull(),
    name: text("name").notNull(),
    /** scrypt PHC string (app/lib/password.server.ts). */
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: USER_ROLES }).notNull().default("USER"),
    accountStatus: text("account_status", { enum: ACCOUNT_STATUSES }).notNull().default("ACTIVE"),
    accountLockedReason: text("account_locked_reason"),
    accountLockedAt: timestamp("account_locked_at"),
    /** A failed-login lock is time-boxed so it cannot lock a stranger out forever. */
    lockedUntil: timestamp("locked_until"),
    failedLoginCount: integer("failed_login_count").notNull().default(0),
    failedLoginWindowStart: timestamp("failed_login_window_start"),
    lastFailedLoginAt: timestamp("last_failed_login_at"),
    lastLoginAt: timestamp("last_login_at"),
    emailVerifiedAt: timestamp("email_verified_at"),
    /** Set by every password change; links issued before it are refused. */
    passwordChangedAt: timestamp("password_changed_at"),
    /** Self-service deletion: asked at, and when the daily job carries it out (grace period). */
    deletionRequestedAt: timestamp("deletion_requested_at"),
    deletionDueAt: timestamp("deletion_due_at"),
    /** Set when the account was erased: personal data replaced, log-in impossible. */
    deletedAt: timestamp("deleted_at"),
    /** Calendar date `YYYY-MM-DD`; age rules live in app/domain/auth. */
    birthDate: text("birth_date"),
    isMinor: bool("is_minor").notNull().default(false),
    guardianEmail: text("guardian_email"),
    guardianConsentAt: timestamp("guardian_consent_at"),
    /** SHA-256 of the single-use consent token mailed to the guardian. */
    guardianConsentTokenHash: text("guardian_consent_token_hash"),
    twoFactorEnabled: bool("two_factor_enabled").notNull().default(false),
    /** AES-256-GCM ciphertext with key version prefix (app/lib/encryption.server.ts). */
    twoFactorSecret: text("two_factor_secret"),
    /** Last accepted TOTP time step; a code is accepted once (compared in one UPDATE). */
    twoFactorLastUsedStep: integer("two_factor_last_used_step"),
    /** JSON array of hashed, single-use recovery codes. */
    twoFactorRecoveryCodes: text("two_factor_recovery_codes", { mode: "json" })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("users_email_unique").on(t.email),
    index("users_role_idx").on(t.role),
    index("users_account_status_idx").on(t.accountStatus),
    index("users_created_at_id_idx").on(t.createdAt, t.id),
    enumCheck("users_role_check", t.role, USER_ROLES),
    enumCheck("users_account_status_check", t.accountStatus, ACCOUNT_STATUSES),
    check(
      "users_email_lowercase_check",
      sql`${t.email} = lower(${t.email}) AND ${t.email} LIKE '%_@_%'`,
    ),
    check(
      "users_birth_date_check",
      sql`${t.birthDate} IS NULL OR ${t.birthDate} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'`,
    ),
    check("users_minor_guardian_check", sql`${t.isMinor} = 0 OR ${t.guardianEmail} IS NOT NULL`),
    check(
      "users_two_factor_secret_check",
      sql`${t.twoFactorEnabled} = 0 OR ${t.twoFactorSecret} IS NOT NULL`,
    ),
    nonNegative("users_failed_login_count_check", t.failedLoginCount),
    jsonArrayCheck("users_recovery_codes_check", t.twoFactorRecoveryCodes),
    index("users_deletion_due_idx").on(t.deletionDueAt),
  ],
);

/** A device a user has logged in from. Blocked devices cannot log in or download. */
export const deviceSessions = sqliteTable(
  "device_sessions",
  {
    id: id(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** HMAC of the client-sent fingerprint and user agent; never the raw value. */
    fingerprintHash: text("fingerprint_hash").notNull(),
    userAgent: text("user_agent"),
    /** Human label derived from the user agent ("Firefox on macOS"). */
    label: text("label"),
    ipHash: text("ip_hash"),
    isBlocked: bool("is_blocked").notNull().default(false),
    blockedReason: text("blocked_reason"),
    blockedAt: timestamp("blocked_at"),
    blockedById: text("blocked_by_id").references(() => users.id, { onDelete: "set null" }),
    revokedAt: timestamp("revoked_at"),
    lastSeenAt: timestamp("last_seen_at").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("device_sessions_user_fingerprint_unique").on(t.userId, t.fingerprintHash),
    index("device_sessions_user_last_seen_idx").on(t.userId, t.lastSeenAt),
    check(
      "device_sessions_blocked_reason_check",
      sql`${t.isBlocked} = 0 OR ${t.blockedReason} IS NOT NULL`,
    ),
  ],
);

/** Log-in sessions. The cookie holds a 128-bit token; only its SHA-256 is stored. */
export const sessions = sqliteTable(
  "sessions",
  {
    id: id(),
    tokenHash: text("token_hash").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    deviceSessionId: text("device_session_id").references(() => deviceSessions.id, {
      onDelete: "cascade",
    }),
    /** Set when the session passed the TOTP step (staff need it for /admin). */
    twoFactorVerifiedAt: timestamp("two_factor_verified_at"),
    expiresAt: timestamp("expires_at").notNull(),
    lastSeenAt: timestamp("last_seen_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("sessions_token_hash_unique").on(t.tokenHash),
    index("sessions_user_id_idx").on(t.userId),
    index("sessions_expires_at_idx").on(t.expiresAt),
    index("sessions_device_session_id_idx").on(t.deviceSessionId),
  ],
);

/**
 * Single-use links mailed to a user: password reset, email verification, email change.
 * Only the SHA-256 of the token is stored; a link is used by one conditional UPDATE of
 * `used_at`, so parallel uses of one link succeed once.
 */
export const accountTokens = sqliteTable(
  "account_tokens",
  {
    id: id(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: ACCOUNT_TOKEN_PURPOSES }).notNull(),
    tokenHash: text("token_hash").notNull(),
    /** EMAIL_CHANGE only: the address that becomes the account's once the link is used. */
    newEmail: text("new_email"),
    expiresAt: timestamp("expires_at").notNull(),
    usedAt: timestamp("used_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("account_tokens_token_hash_unique").on(t.tokenHash),
    index("account_tokens_user_purpose_idx").on(t.userId, t.purpose),
    index("account_tokens_expires_at_idx").on(t.expiresAt),
    enumCheck("account_tokens_purpose_check", t.purpose, ACCOUNT_TOKEN_PURPOSES),
    check(
      "account_tokens_new_email_check",
      sql`(${t.purpose} = 'EMAIL_CHANGE') = (${t.newEmail} IS NOT NULL)`,
    ),
  ],
);

export type AccountToken = typeof accountTokens.$inferSelect;
export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type DeviceSession = typeof deviceSessions.$inferSelect;
export type Session = typeof sessions.$inferSelect;
