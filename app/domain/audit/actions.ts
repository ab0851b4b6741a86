/**
 * Every audited action. The database checks only the shape of `audit_logs.action`
 * (docs/decisions/0002); this list is the vocabulary, and `recordAudit` accepts nothing else.
 * Features add their actions here.
 */
export const AUDIT_ACTIONS = [
  // Accounts and sessions
  "USER_SIGNED_UP",
  "USER_LOGIN",
  "USER_LOGOUT",
  "LOGIN_FAILED",
  "SESSIONS_REVOKED",
  "ACCOUNT_LOCKED",
  "ACCOUNT_UNLOCKED",
  "ACCOUNT_SUSPENDED",
  "ACCOUNT_BANNED",
  "SETTINGS_CHANGED",
  "PROFILE_UPDATED",
  "TWO_FACTOR_ENABLED",
  "TWO_FACTOR_DISABLED",
  "TWO_FACTOR_RECOVERY_CODE_USED",
  "TWO_FACTOR_CODE_REJECTED",
  "GUARDIAN_CONSENT_REQUESTED",
  "GUARDIAN_CONSENT_GRANTED",
  "GUARDIAN_EMAIL_CHANGED",
  "EMAIL_VERIFICATION_SENT",
  "EMAIL_VERIFIED",
  "EMAIL_CHANGE_REQUESTED",
  "EMAIL_CHANGED",
  "DEVICE_REVOKED",
  "DEVICE_BLOCKED",
  "DEVICE_UNBLOCKED",
  // Privacy (issue 13)
  "DATA_EXPORTED",
  "ACCOUNT_DELETION_REQUESTED",
  "ACCOUNT_DELETION_CANCELLED",
  "ACCOUNT_ERASED",
  "PASSWORD_RESET_REQUESTED",
  "PASSWORD_RESET_COMPLETED",
  "PASSWORD_CHANGED",
  "PASSWORD_CHANGE_FAILED",
  // Store
  "PRODUCT_CREATED",
  "PRODUCT_UPDATED",
  "PRODUCT_PUBLISHED",
  "PRODUCT_ARCHIVED",
  "PRODUCT_UNPUBLISHED",
  "PRODUCT_FILE_UPLOADED",
  "PRODUCT_MEDIA_UPDATED",
  "MEDIA_ORPHANS_REMOVED",
  "PURCHASE_STARTED",
  "PURCHASE_COMPLETED",
  "PURCHASE_FAILED",
  "PURCHASE_REFUNDED",
  "PURCHASE_REFUND_REQUESTED",
  "PURCHASE_DISPUTED",
  "PAYMENT_AMOUNT_MISMATCH",
  "LICENSE_ISSUED",
  "LICENSE_SUSPENDED",
  "LICENSE_REVOKED",
  "LICENSE_REINSTATED",
  "LICENSE_KEY_REVEALED",
  "LICENSE_ACTIVATED",
  "LICENSE_DEACTIVATED",
  // Delivery
  "DOWNLOAD_ATTEMPTED",
  "DOWNLOAD_SUCCEEDED",
  "DOWNLOAD_FAILED",
  "ABUSE_DETECTED",
  "RESET_REQUESTED",
  "RESET_APPROVED",
  "RESET_REJECTED",
  // Services and credits
  "PROJECT_CREATED",
  "PROJECT_ACCEPTED",
  "PROJECT_DECLINED",
  "PROJECT_UPDATED",
  "PROJECT_PHASE_CHANGED",
  "PROJECT_REVISION_REQUESTED",
  "ADD_ON_REQUESTED",
  "ADD_ON_PRICED",
  "ADD_ON_CONFIRMED",
  "ADD_ON_APPROVED",
  "ADD_ON_STARTED",
  "ADD_ON_REJECTED",
  "ADD_ON_WITHDRAWN",
  "ADD_ON_COMPLETED",
  "MEMBERSHIP_STARTED",
  "MEMBERSHIP_CREATED",
  "MEMBERSHIP_AUTO_RENEW_CHANGED",
  "MEMBERSHIP_TIER_CHANGED",
  "MEMBERSHIP_PAID",
  "MEMBERSHIP_PAUSED",
  "MEMBERSHIP_PAYMENT_FAILED",
  "CREDIT_USED",
  "CREDITS_REFUNDED",
  "CREDITS_TOPPED_UP",
  "MEMBERSHIP_RENEWED",
  "MEMBERSHIP_EXPIRED",
  "MEMBERSHIP_RESUMED",
  "CREDITS_ADJUSTED",
  "MEMBERSHIP_GRANTED",
  "CREDIT_PACK_REFUNDED",
  // Shared memberships (issue 15)
  "MEMBERSHIP_INVITATION_SENT",
  "MEMBERSHIP_INVITATION_REVOKED",
  "MEMBERSHIP_MEMBER_JOINED",
  "MEMBERSHIP_MEMBER_REMOVED",
  "MEMBERSHIP_MEMBER_LEFT",
  "MEMBERSHIP_MEMBER_CAP_CHANGED",
  // Operations
  "FEATURE_FLAG_CHANGED",
  "BACKUP_STARTED",
  "BACKUP_COMPLETED",
  "BACKUP_FAILED",
  "BACKUP_RESTORED",
  "BACKUPS_PRUNED",
  "AUDIT_ARCHIVED",
  "AUDIT_EXPORTED",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The kinds of thing an audit row is about (`audit_logs.entity_type`). */
export const AUDIT_ENTITY_TYPES = [
  "user",
  "session",
  "device_session",
  "product",
  "purchase",
  "license",
  "download",
  "reset_request",
  "project",
  "add_on",
  "membership",
  "feature_flag",
  "backup",
  "audit_log",
] as const;
export type AuditEntityType = (typeof AUDIT_ENTITY_TYPES)[number];

/** Metadata keys that must never reach the audit log, at any depth (matched loosely). */
const SECRET_KEY_PARTS = [
  "password",
  "passcode",
  "secret",
  "token",
  "licensekey",
  "apikey",
  "privatekey",
  "totp",
  "otp",
  "recoverycode",
  "cvc",
  "cardnumber",
  "iban",
];
const isSecretKey = (key: string) => {
  const normalized = key.toLowerCase().replace(/[^a-z]/g, "");
  return (
    normalized === "code" ||
    normalized === "key" ||
    SECRET_KEY_PARTS.some((part) => normalized.includes(part))
  );
};

/**
 * Strip secrets from audit metadata before it is stored: the trail is read by staff and
 * exported as CSV, so it must never hold a password, a license key or a 2FA code.
 */
export function redactMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  const redact = (value: unknown, depth: number): unknown => {
    if (depth > 4) return "[truncated]";
    if (Array.isArray(value)) return value.slice(0, 50).map((item) => redact(item, depth + 1));
    if (value && typeof value === "object") {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([key, inner]) => [
          key,
          isSecretKey(key) ? "[redacted]" : redact(inner, depth + 1),
        ]),
      );
    }
    if (typeof value === "string" && value.length > 500) return `${value.slice(0, 500)}…`;
    return value;
  };
  return redact(metadata, 0) as Record<string, unknown>;
}
