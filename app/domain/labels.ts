import type {
  AccountStatus,
  EmailStatus,
  LicenseStatus,
  MembershipStatus,
  MembershipTier,
  ProductStatus,
  PurchaseStatus,
  ResetRequestStatus,
  UserRole,
} from "#db/schema/enums";
import type { LICENSE_ABUSE_FILTERS } from "./licenses/status-intents";

/**
 * The words staff read for stored enum values ("Basic access", not "basic_access"): one map per
 * enum, so a filter, a badge and a table say the same thing. Zod-free; pages import it.
 */

/** "BASIC_ACCESS" → "Basic access", "device_session" → "Device session": the fallback. */
export function sentenceCase(value: string): string {
  const words = value.replaceAll("_", " ").trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const USER_ROLE_LABELS: Readonly<Record<UserRole, string>> = {
  USER: "Customer",
  VIEWER: "Viewer",
  EDITOR: "Editor",
  MODERATOR: "Moderator",
  ADMIN: "Admin",
  OWNER: "Owner",
};

export const ACCOUNT_STATUS_LABELS: Readonly<Record<AccountStatus, string>> = {
  ACTIVE: "Active",
  LOCKED: "Locked",
  BANNED: "Banned",
  SUSPENDED: "Suspended",
};

export const PRODUCT_STATUS_LABELS: Readonly<Record<ProductStatus, string>> = {
  DRAFT: "Draft",
  PUBLISHED: "Published",
  ARCHIVED: "Archived",
};

export const LICENSE_STATUS_LABELS: Readonly<Record<LicenseStatus, string>> = {
  ACTIVE: "Active",
  SUSPENDED: "Suspended",
  EXPIRED: "Expired",
  REVOKED: "Revoked",
};

export const LICENSE_ABUSE_FILTER_LABELS: Readonly<
  Record<(typeof LICENSE_ABUSE_FILTERS)[number], string>
> = {
  FLAGGED: "Flagged for abuse",
};

export const PURCHASE_STATUS_LABELS: Readonly<Record<PurchaseStatus, string>> = {
  PENDING: "Pending payment",
  COMPLETED: "Completed",
  FAILED: "Failed",
  REFUNDED: "Refunded",
  DISPUTED: "Disputed",
};

export const RESET_REQUEST_STATUS_LABELS: Readonly<Record<ResetRequestStatus, string>> = {
  PENDING: "Waiting for review",
  APPROVED: "Approved",
  REJECTED: "Rejected",
};

export const EMAIL_STATUS_LABELS: Readonly<Record<EmailStatus, string>> = {
  PENDING: "Waiting to send",
  SENT: "Sent",
  FAILED: "Failed",
};

export const MEMBERSHIP_TIER_LABELS: Readonly<Record<MembershipTier, string>> = {
  BASIC_ACCESS: "Basic access",
  PRO: "Pro",
  MANAGED: "Managed",
};

export const MEMBERSHIP_STATUS_LABELS: Readonly<Record<MembershipStatus, string>> = {
  ACTIVE: "Active",
  PAUSED: "Paused",
  PAST_DUE: "Past due",
  CANCELLED: "Cancelled",
  EXPIRED: "Expired",
};

/** A label map generated from the values, for long enums with no better words (audit actions). */
export function sentenceCaseLabels<Value extends string>(
  values: readonly Value[],
): Readonly<Record<Value, string>> {
  return Object.fromEntries(values.map((value) => [value, sentenceCase(value)])) as Record<
    Value,
    string
  >;
}

/** The words for `value` in `labels`, or the value in sentence case. */
export function labelOf(labels: Readonly<Record<string, string>> | undefined, value: string) {
  return labels?.[value] ?? sentenceCase(value);
}
