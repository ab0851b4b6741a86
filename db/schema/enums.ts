/**
 * Every enum of the data model, one `as const` array each. The same array types the
 * column, builds its CHECK constraint and feeds `z.enum` in forms (docs/architecture.md §3).
 */

export const USER_ROLES = ["USER", "VIEWER", "EDITOR", "MODERATOR", "ADMIN", "OWNER"] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const ACCOUNT_STATUSES = ["ACTIVE", "LOCKED", "BANNED", "SUSPENDED"] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export const PRODUCT_CATEGORIES = [
  "TEMPLATE",
  "THEME",
  "UI_KIT",
  "CODE_SNIPPET",
  "DOCUMENTATION",
  "ASSET",
  "LICENSE",
  "OTHER",
] as const;
export type ProductCategory = (typeof PRODUCT_CATEGORIES)[number];

export const PRODUCT_STATUSES = ["DRAFT", "PUBLISHED", "ARCHIVED"] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

export const LICENSE_TYPES = ["PERSONAL", "COMMERCIAL", "TEAM"] as const;
export type LicenseType = (typeof LICENSE_TYPES)[number];

export const LICENSE_STATUSES = ["ACTIVE", "SUSPENDED", "EXPIRED", "REVOKED"] as const;
export type LicenseStatus = (typeof LICENSE_STATUSES)[number];

export const PURCHASE_STATUSES = [
  "PENDING",
  "COMPLETED",
  "FAILED",
  "REFUNDED",
  "DISPUTED",
] as const;
export type PurchaseStatus = (typeof PURCHASE_STATUSES)[number];

export const PAYMENT_PROVIDERS = ["STRIPE", "TEST"] as const;
export type PaymentProvider = (typeof PAYMENT_PROVIDERS)[number];

/** A download row is a grant (GRANTED), a redeemed grant (COMPLETED) or a refused attempt (FAILED). */
export const DOWNLOAD_STATUSES = ["GRANTED", "COMPLETED", "FAILED"] as const;
export type DownloadStatus = (typeof DOWNLOAD_STATUSES)[number];

export const RESET_REQUEST_STATUSES = ["PENDING", "APPROVED", "REJECTED"] as const;
export type ResetRequestStatus = (typeof RESET_REQUEST_STATUSES)[number];

/** The brief's `ServiceCategory`: what kind of work a client project is. */
export const SERVICE_CATEGORIES = [
  "WEB_DESIGN",
  "WEB_DEVELOPMENT",
  "MOBILE_APP",
  "CUSTOM_SOFTWARE",
  "CONSULTING",
  "MAINTENANCE",
] as const;
export type ServiceCategory = (typeof SERVICE_CATEGORIES)[number];

export const PROJECT_PHASES = ["DESIGN", "BUILD", "POST_LAUNCH", "COMPLETED", "PAUSED"] as const;
export type ProjectPhase = (typeof PROJECT_PHASES)[number];

/**
 * The brief's `ServiceStatus`, beside the phase: ACTIVE while in DESIGN, BUILD or POST_LAUNCH,
 * PAUSED and COMPLETED with the phase of the same name, CANCELLED in the phase it stopped in
 * (a CHECK keeps the two from disagreeing).
 */
export const SERVICE_STATUSES = ["ACTIVE", "PAUSED", "COMPLETED", "CANCELLED"] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

export const ADD_ON_TYPES = [
  "EXTRA_REVISION",
  "CONTENT_EDIT",
  "SUPPORT_CALL",
  "RUSH_DELIVERY",
  "EMERGENCY_FIX",
  "REOPEN_PROJECT",
  "CUSTOM",
] as const;
export type AddOnType = (typeof ADD_ON_TYPES)[number];

/**
 * The brief's `AddOnStatus`. A client withdrawing a PENDING add-on is not a status of its own:
 * it ends REJECTED with `withdrawn_at` set (and its credits refunded), so "every add-on ends
 * COMPLETED or REJECTED" stays true and the brief's five values are all there is.
 */
export const ADD_ON_STATUSES = [
  "PENDING",
  "APPROVED",
  "IN_PROGRESS",
  "COMPLETED",
  "REJECTED",
] as const;
export type AddOnStatus = (typeof ADD_ON_STATUSES)[number];

export const MEMBERSHIP_TIERS = ["BASIC_ACCESS", "PRO", "MANAGED"] as const;
export type MembershipTier = (typeof MEMBERSHIP_TIERS)[number];

/** The brief's MembershipStatus: PAUSED (issue 15) holds credits with no renewal or allocation. */
export const MEMBERSHIP_STATUSES = [
  "ACTIVE",
  "PAUSED",
  "PAST_DUE",
  "CANCELLED",
  "EXPIRED",
] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

/**
 * Ledger row kinds (issue 6's words). `amount` is positive for the first five, negative for
 * USAGE and EXPIRY, either for ADJUSTMENT.
 */
export const CREDIT_TRANSACTION_TYPES = [
  "INITIAL_ALLOCATION",
  "RENEWAL",
  "ROLLOVER",
  "TOP_UP",
  "REFUND",
  "USAGE",
  "EXPIRY",
  "ADJUSTMENT",
] as const;
export type CreditTransactionType = (typeof CREDIT_TRANSACTION_TYPES)[number];

/** What a membership checkout buys: a subscription to a tier, or a one-off pack of credits. */
export const MEMBERSHIP_CHECKOUT_KINDS = ["SUBSCRIPTION", "CREDIT_PACK"] as const;
export type MembershipCheckoutKind = (typeof MEMBERSHIP_CHECKOUT_KINDS)[number];

/** REFUNDED: staff refunded a credit pack; its unspent credits left the ledger (issue 15). */
export const MEMBERSHIP_CHECKOUT_STATUSES = ["PENDING", "COMPLETED", "FAILED", "REFUNDED"] as const;
export type MembershipCheckoutStatus = (typeof MEMBERSHIP_CHECKOUT_STATUSES)[number];

/** Who a shared membership's seat belongs to: the payer (OWNER) or an invited teammate. */
export const MEMBERSHIP_MEMBER_ROLES = ["OWNER", "MEMBER"] as const;
export type MembershipMemberRole = (typeof MEMBERSHIP_MEMBER_ROLES)[number];

export const MEMBERSHIP_INVITATION_STATUSES = ["PENDING", "ACCEPTED", "REVOKED"] as const;
export type MembershipInvitationStatus = (typeof MEMBERSHIP_INVITATION_STATUSES)[number];

/** A provider invoice after the first payment: a period renewal or an upgrade's proration. */
export const MEMBERSHIP_INVOICE_KINDS = ["RENEWAL", "UPGRADE"] as const;
export type MembershipInvoiceKind = (typeof MEMBERSHIP_INVOICE_KINDS)[number];

export const MEMBERSHIP_INVOICE_STATUSES = ["PAID", "FAILED"] as const;
export type MembershipInvoiceStatus = (typeof MEMBERSHIP_INVOICE_STATUSES)[number];

export const BACKUP_STATUSES = ["PENDING", "IN_PROGRESS", "COMPLETED", "FAILED"] as const;
export type BackupStatus = (typeof BACKUP_STATUSES)[number];

export const BACKUP_TRIGGERS = ["SCHEDULED", "MANUAL", "PRE_DEPLOYMENT"] as const;
export type BackupTrigger = (typeof BACKUP_TRIGGERS)[number];

export const PAYMENT_EVENT_STATUSES = ["PROCESSED", "IGNORED", "FAILED"] as const;
export type PaymentEventStatus = (typeof PAYMENT_EVENT_STATUSES)[number];

export const EMAIL_STATUSES = ["PENDING", "SENT", "FAILED"] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

/** What an emailed single-use account link does (account_tokens.purpose). */
export const ACCOUNT_TOKEN_PURPOSES = [
  "PASSWORD_RESET",
  "EMAIL_VERIFICATION",
  "EMAIL_CHANGE",
] as const;
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number];

export const FEATURE_ENVIRONMENTS = ["development", "staging", "production"] as const;
export type FeatureEnvironment = (typeof FEATURE_ENVIRONMENTS)[number];
