import type { UserRole } from "#db/schema/enums";
import { formatDate, formatDateTime } from "~/lib/format";
import type { AuditAction, AuditEntityType } from "./actions";

/**
 * An audit row in words (docs/architecture.md §11): "Moderator Mia Chen approved the reset
 * request of Sam Lee", with the metadata as label/value pairs instead of raw JSON. Pure: the
 * caller passes the people the row names (one batched lookup per page). Used by the audit
 * viewer, its CSV export and the dashboard's activity list.
 */

/** Someone a row names: its actor, the user it is about, the owner of its record. */
export interface AuditPerson {
  name: string;
  role: UserRole;
  /** The account was deleted; the row shows a short id instead of a name. */
  deleted?: boolean;
}

export interface DescribableAuditRow {
  action: string;
  actorId: string | null;
  actorRole: UserRole | null;
  entityType: string;
  entityId: string | null;
  metadata: Record<string, unknown> | null;
  /** The user who owns the record (license, purchase, reset request…), when looked up. */
  ownerId?: string | null;
}

/** One entry of the metadata list. `href` links to a staff page; `iso` marks a time. */
export interface AuditDetail {
  label: string;
  text: string;
  href?: string;
  iso?: string;
}

export interface AuditDescription {
  sentence: string;
  /** Where the row's record lives in the admin area, if it has a page. */
  entityHref: string | null;
  actorHref: string | null;
  details: AuditDetail[];
}

export const shortId = (id: string) => id.slice(0, 8);

const ROLE_WORDS: Record<UserRole, string> = {
  USER: "",
  VIEWER: "Viewer",
  EDITOR: "Editor",
  MODERATOR: "Moderator",
  ADMIN: "Admin",
  OWNER: "Owner",
};

const ENTITY_NOUNS: Record<AuditEntityType, string> = {
  user: "account",
  session: "session",
  device_session: "device",
  product: "product",
  purchase: "purchase",
  license: "license",
  download: "download",
  reset_request: "reset request",
  project: "project",
  add_on: "add-on",
  membership: "membership",
  feature_flag: "feature flag",
  backup: "backup",
  audit_log: "audit log",
};

/** Records with a staff page of their own. */
const ENTITY_PAGES: Partial<Record<string, string>> = {
  user: "/admin/users/",
  product: "/admin/products/",
  purchase: "/admin/purchases/",
  license: "/admin/licenses/",
  reset_request: "/admin/reset-requests/",
  project: "/admin/projects/",
  membership: "/admin/memberships/",
};

/** Metadata keys holding ids of records with a staff page. */
const ID_KEYS: Partial<Record<string, string>> = {
  userId: "/admin/users/",
  clientId: "/admin/users/",
  ownerId: "/admin/users/",
  productId: "/admin/products/",
  purchaseId: "/admin/purchases/",
  licenseId: "/admin/licenses/",
  projectId: "/admin/projects/",
  membershipId: "/admin/memberships/",
};

/** The metadata keys that name a user, for the page's batched name lookup. */
export const PERSON_KEYS = ["userId", "clientId", "ownerId"] as const;

/** What a phrase may use: the record as words, whose it is, and the metadata. */
export interface PhraseContext {
  /** "the account of Sam Lee", "their license", "license 3kf9a2c1", "the reset request of Sam Lee". */
  it: string;
  /** The metadata, to pick a word or two from (the full list is shown beside the sentence). */
  m: Record<string, unknown>;
}

type Phrase = (c: PhraseContext) => string;

const word = (value: unknown) =>
  typeof value === "string" || typeof value === "number" || typeof value === "boolean"
    ? String(value).toLowerCase().replaceAll("_", " ")
    : null;
const fromTo = (m: Record<string, unknown>) =>
  word(m.from) && word(m.to) ? ` from ${word(m.from)} to ${word(m.to)}` : "";
const because = (m: Record<string, unknown>) =>
  typeof m.reason === "string" && m.reason ? ` (${word(m.reason)})` : "";

/**
 * A predicate per action. A `Record` over every action, so a new action without words does not
 * compile (and test/unit/domain/audit-describe.test.ts walks the list as well).
 */
const PHRASES: Record<AuditAction, Phrase> = {
  // Accounts and sessions
  USER_SIGNED_UP: ({ m }) => (m.isMinor ? "signed up (as a minor)" : "signed up"),
  USER_LOGIN: () => "logged in",
  USER_LOGOUT: () => "logged out",
  LOGIN_FAILED: ({ it, m }) => `failed to log in to ${it}${because(m)}`,
  SESSIONS_REVOKED: () => "signed out their other sessions",
  ACCOUNT_LOCKED: ({ it, m }) => `locked ${it}${because(m)}`,
  ACCOUNT_UNLOCKED: ({ it }) => `unlocked ${it}`,
  ACCOUNT_SUSPENDED: ({ it }) => `suspended ${it}`,
  ACCOUNT_BANNED: ({ it }) => `banned ${it}`,
  PROFILE_UPDATED: ({ it }) => `updated the profile of ${it}`,
  PASSWORD_RESET_REQUESTED: ({ it }) => `asked for a password reset link for ${it}`,
  PASSWORD_RESET_COMPLETED: ({ it }) => `set a new password for ${it} with a reset link`,
  PASSWORD_CHANGED: ({ it }) => `changed the password of ${it}`,
  PASSWORD_CHANGE_FAILED: ({ it }) => `entered a wrong current password for ${it}`,
  DATA_EXPORTED: ({ it }) => `exported the data held about ${it}`,
  ACCOUNT_DELETION_REQUESTED: ({ it }) => `asked for ${it} to be deleted`,
  ACCOUNT_DELETION_CANCELLED: ({ it }) => `cancelled the deletion of ${it} by logging in`,
  ACCOUNT_ERASED: ({ it }) => `erased the personal data of ${it}`,
  SETTINGS_CHANGED: ({ it, m }) =>
    `changed ${word(m.field) ?? word(m.setting) ?? "the settings"} of ${it}${fromTo(m)}`,
  TWO_FACTOR_ENABLED: ({ it }) => `turned on two-factor authentication for ${it}`,
  TWO_FACTOR_DISABLED: ({ it }) => `turned off two-factor authentication for ${it}`,
  TWO_FACTOR_RECOVERY_CODE_USED: ({ it }) => `used a recovery code for ${it}`,
  TWO_FACTOR_CODE_REJECTED: ({ it }) => `entered a wrong two-factor code for ${it}`,
  GUARDIAN_CONSENT_REQUESTED: ({ it }) => `asked the guardian of ${it} for consent`,
  GUARDIAN_CONSENT_GRANTED: ({ it }) => `recorded the guardian's consent for ${it}`,
  GUARDIAN_EMAIL_CHANGED: ({ it }) => `named a new guardian for ${it}`,
  EMAIL_VERIFICATION_SENT: ({ it }) => `sent an email verification link for ${it}`,
  EMAIL_VERIFIED: ({ it }) => `confirmed the email address of ${it}`,
  EMAIL_CHANGE_REQUESTED: ({ it }) => `asked to change the email address of ${it}`,
  EMAIL_CHANGED: ({ it }) => `changed the email address of ${it}`,
  DEVICE_REVOKED: ({ it }) => `signed out ${it}`,
  DEVICE_BLOCKED: ({ it }) => `blocked ${it}`,
  DEVICE_UNBLOCKED: ({ it }) => `unblocked ${it}`,
  // Store
  PRODUCT_CREATED: ({ it }) => `created ${it}`,
  PRODUCT_UPDATED: ({ it }) => `edited ${it}`,
  PRODUCT_PUBLISHED: ({ it }) => `published ${it}`,
  PRODUCT_ARCHIVED: ({ it }) => `archived ${it}`,
  PRODUCT_UNPUBLISHED: ({ it }) => `unpublished ${it}`,
  PRODUCT_FILE_UPLOADED: ({ it }) => `uploaded a file to ${it}`,
  PRODUCT_MEDIA_UPDATED: ({ it }) => `changed the images of ${it}`,
  MEDIA_ORPHANS_REMOVED: () => "removed images no product uses any more",
  PURCHASE_STARTED: ({ it }) => `started ${it}`,
  PURCHASE_COMPLETED: ({ it }) => `completed ${it}`,
  PURCHASE_FAILED: ({ it }) => `recorded the failure of ${it}`,
  PURCHASE_REFUNDED: ({ it }) => `refunded ${it}`,
  PURCHASE_REFUND_REQUESTED: ({ it }) => `asked for a refund of ${it}`,
  PURCHASE_DISPUTED: ({ it }) => `recorded a dispute of ${it}`,
  PAYMENT_AMOUNT_MISMATCH: ({ it }) =>
    `held ${it}: the amount paid did not match, so no license was issued`,
  LICENSE_ISSUED: ({ it }) => `issued ${it}`,
  LICENSE_SUSPENDED: ({ it }) => `suspended ${it}`,
  LICENSE_REVOKED: ({ it }) => `revoked ${it}`,
  LICENSE_REINSTATED: ({ it }) => `reinstated ${it}`,
  LICENSE_KEY_REVEALED: ({ it }) => `revealed the key of ${it}`,
  LICENSE_ACTIVATED: ({ it }) => `activated ${it} on a device`,
  LICENSE_DEACTIVATED: ({ it }) => `deactivated ${it} on a device`,
  // Delivery
  DOWNLOAD_ATTEMPTED: ({ it }) => `started a download of ${it}`,
  DOWNLOAD_SUCCEEDED: ({ it }) => `downloaded ${it}`,
  DOWNLOAD_FAILED: ({ it, m }) => `was refused a download of ${it}${because(m)}`,
  ABUSE_DETECTED: ({ it }) => `flagged ${it} for abuse`,
  RESET_REQUESTED: ({ it }) => `sent ${it}`,
  RESET_APPROVED: ({ it }) => `approved ${it}`,
  RESET_REJECTED: ({ it }) => `rejected ${it}`,
  // Services and credits
  PROJECT_CREATED: ({ it }) => `requested ${it}`,
  PROJECT_ACCEPTED: ({ it }) => `accepted ${it}`,
  PROJECT_DECLINED: ({ it }) => `declined ${it}`,
  PROJECT_UPDATED: ({ it }) => `changed the terms of ${it}`,
  PROJECT_PHASE_CHANGED: ({ it, m }) => `moved ${it}${fromTo(m)}`,
  PROJECT_REVISION_REQUESTED: ({ it }) => `asked for a revision of ${it}`,
  ADD_ON_REQUESTED: ({ it }) => `requested ${it}`,
  ADD_ON_PRICED: ({ it }) => `priced ${it}`,
  ADD_ON_CONFIRMED: ({ it }) => `confirmed ${it}`,
  ADD_ON_APPROVED: ({ it }) => `approved ${it}`,
  ADD_ON_STARTED: ({ it }) => `started work on ${it}`,
  ADD_ON_REJECTED: ({ it }) => `rejected ${it}`,
  ADD_ON_WITHDRAWN: ({ it }) => `withdrew ${it}`,
  ADD_ON_COMPLETED: ({ it }) => `completed ${it}`,
  MEMBERSHIP_STARTED: ({ it }) => `started ${it}`,
  MEMBERSHIP_CREATED: ({ it }) => `created ${it}`,
  MEMBERSHIP_AUTO_RENEW_CHANGED: ({ it, m }) =>
    `turned automatic renewal ${m.autoRenew === false ? "off" : "on"} for ${it}`,
  MEMBERSHIP_TIER_CHANGED: ({ it, m }) => `changed the tier of ${it}${fromTo(m)}`,
  MEMBERSHIP_PAID: ({ it }) => `recorded a payment for ${it}`,
  MEMBERSHIP_PAUSED: ({ it }) => `paused ${it}`,
  MEMBERSHIP_PAYMENT_FAILED: ({ it }) => `recorded a failed payment for ${it}`,
  CREDIT_USED: ({ it }) => `spent credits of ${it}`,
  CREDITS_REFUNDED: ({ it }) => `refunded credits to ${it}`,
  CREDITS_TOPPED_UP: ({ it }) => `topped up the credits of ${it}`,
  MEMBERSHIP_RENEWED: ({ it }) => `renewed ${it}`,
  MEMBERSHIP_EXPIRED: ({ it }) => `ended ${it}`,
  MEMBERSHIP_RESUMED: ({ it }) => `resumed ${it} after its pause`,
  CREDITS_ADJUSTED: ({ it }) => `adjusted the credits of ${it}`,
  MEMBERSHIP_GRANTED: ({ it }) => `gave ${it} without payment`,
  CREDIT_PACK_REFUNDED: ({ it }) => `refunded a credit pack of ${it}`,
  MEMBERSHIP_INVITATION_SENT: ({ it, m }) =>
    `${m.resent === true ? "sent again an invitation" : "invited a teammate"} to ${it}`,
  MEMBERSHIP_INVITATION_REVOKED: ({ it }) => `withdrew an invitation to ${it}`,
  MEMBERSHIP_MEMBER_JOINED: ({ it }) => `joined ${it} as a teammate`,
  MEMBERSHIP_MEMBER_REMOVED: ({ it }) => `removed a teammate from ${it}`,
  MEMBERSHIP_MEMBER_LEFT: ({ it }) => `left ${it}`,
  MEMBERSHIP_MEMBER_CAP_CHANGED: ({ it }) => `changed a teammate's spending cap on ${it}`,
  // Operations
  FEATURE_FLAG_CHANGED: ({ it, m }) =>
    typeof m.enabled === "boolean" ? `switched ${it} ${m.enabled ? "on" : "off"}` : `changed ${it}`,
  BACKUP_STARTED: ({ it }) => `started ${it}`,
  BACKUP_COMPLETED: ({ it }) => `completed ${it}`,
  BACKUP_FAILED: ({ it }) => `recorded the failure of ${it}`,
  BACKUP_RESTORED: ({ it }) => `restored ${it}`,
  BACKUPS_PRUNED: () => "removed backups past their retention",
  AUDIT_ARCHIVED: ({ m }) =>
    typeof m.day === "string" ? `archived the audit log of ${m.day}` : "archived audit log rows",
  AUDIT_EXPORTED: () => "exported the audit log as CSV",
};

/** True when every action has its words (the unit test's check, also used by the dashboard). */
export const describesAction = (action: string): action is AuditAction =>
  Object.hasOwn(PHRASES, action);

function personLabel(id: string, people: ReadonlyMap<string, AuditPerson>): string {
  const person = people.get(id);
  if (!person || person.deleted) return `user ${shortId(id)}`;
  return person.name;
}

function actorLabel(row: DescribableAuditRow, people: ReadonlyMap<string, AuditPerson>): string {
  if (!row.actorId) return "The system";
  const person = people.get(row.actorId);
  // The role the row recorded (what they were then), else what they are now.
  const role = ROLE_WORDS[row.actorRole ?? person?.role ?? "USER"];
  const name = personLabel(row.actorId, people);
  return role ? `${role} ${name}` : name;
}

/** The record as words, from the actor's point of view. */
function recordWords(row: DescribableAuditRow, people: ReadonlyMap<string, AuditPerson>): string {
  const noun = ENTITY_NOUNS[row.entityType as AuditEntityType] ?? row.entityType.replace("_", " ");
  if (row.entityType === "user") {
    if (!row.entityId) return "an account";
    if (row.entityId === row.actorId) return "their account";
    return `the account of ${personLabel(row.entityId, people)}`;
  }
  const metadataOwner = PERSON_KEYS.map((key) => row.metadata?.[key]).find(
    (value): value is string => typeof value === "string",
  );
  const owner = row.ownerId ?? metadataOwner ?? null;
  if (owner && owner === row.actorId) return `their ${noun}`;
  if (owner) return `the ${noun} of ${personLabel(owner, people)}`;
  if (row.entityType === "feature_flag" && row.entityId) return `the "${row.entityId}" flag`;
  return row.entityId ? `${noun} ${shortId(row.entityId)}` : `a ${noun}`;
}

/** "failuresInWindow" → "Failures in window". */
export function metadataLabel(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replaceAll("_", " ")
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const TIME_KEY = /(At|Until|Time)$/;

function scalarText(value: unknown): string {
  if (value === null || value === undefined) return "none";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "string") return value === "" ? "(empty)" : value;
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) return value.length ? value.map(scalarText).join(", ") : "none";
  return Object.entries(value as Record<string, unknown>)
    .map(([key, inner]) => `${metadataLabel(key)}: ${scalarText(inner)}`)
    .join("; ");
}

function detailsOf(
  metadata: Record<string, unknown>,
  people: ReadonlyMap<string, AuditPerson>,
  prefix = "",
  depth = 0,
): AuditDetail[] {
  const details: AuditDetail[] = [];
  for (const [key, value] of Object.entries(metadata)) {
    const label = prefix ? `${prefix} — ${metadataLabel(key).toLowerCase()}` : metadataLabel(key);
    const page = ID_KEYS[key];
    if (value && typeof value === "object" && !Array.isArray(value) && depth < 1) {
      details.push(...detailsOf(value as Record<string, unknown>, people, label, depth + 1));
    } else if (page && typeof value === "string") {
      const isPerson = (PERSON_KEYS as readonly string[]).includes(key);
      const text = isPerson ? personLabel(value, people) : shortId(value);
      details.push({ label, text, href: `${page}${value}` });
    } else if (typeof value === "string" && ISO_TIME.test(value)) {
      details.push({ label, text: formatDateTime(value, value), iso: value });
    } else if (typeof value === "string" && ISO_DAY.test(value)) {
      details.push({ label, text: formatDate(value, value) });
    } else if (typeof value === "number" && TIME_KEY.test(key) && value > 1e11) {
      const iso = new Date(value).toISOString();
      details.push({ label, text: formatDateTime(value), iso });
    } else {
      details.push({ label, text: scalarText(value) });
    }
  }
  return details;
}

export function describeAuditRow(
  row: DescribableAuditRow,
  people: ReadonlyMap<string, AuditPerson> = new Map(),
): AuditDescription {
  const phrase = describesAction(row.action)
    ? PHRASES[row.action]
    : ({ it }: PhraseContext) => `did ${row.action.toLowerCase().replaceAll("_", " ")} on ${it}`;
  const m = row.metadata ?? {};
  const actor = actorLabel(row, people);
  const sentence = `${actor.charAt(0).toUpperCase()}${actor.slice(1)} ${phrase({ it: recordWords(row, people), m })}`;
  const page = ENTITY_PAGES[row.entityType];
  return {
    sentence: sentence.endsWith(".") ? sentence : `${sentence}.`,
    entityHref: page && row.entityId ? `${page}${row.entityId}` : null,
    actorHref: row.actorId ? `/admin/users/${row.actorId}` : null,
    details: detailsOf(m, people),
  };
}

/** The user ids a page of rows names, for one batched lookup. */
export function peopleOf(rows: readonly DescribableAuditRow[]): string[] {
  const ids = new Set<string>();
  for (const row of rows) {
    if (row.actorId) ids.add(row.actorId);
    if (row.entityType === "user" && row.entityId) ids.add(row.entityId);
    if (row.ownerId) ids.add(row.ownerId);
    for (const key of PERSON_KEYS) {
      const value = row.metadata?.[key];
      if (typeof value === "string") ids.add(value);
    }
  }
  return [...ids];
}
