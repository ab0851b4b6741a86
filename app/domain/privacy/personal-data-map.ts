/**
 * Every table of the database, and what the privacy features do with it (issue 13 items 6
 * and 7): the export section its rows about a person land in (or why they are not exported),
 * and what erasing an account does to them. test/integration/privacy-export.test.ts compares
 * this list with the tables in the database, so a new table fails that test until it is
 * listed here, and checks that every section named here is in the export.
 */
export interface TableTreatment {
  /** The top-level key of the export holding the person's rows, or null with `why`. */
  readonly export: string | null;
  /** Why the rows are not exported (when `export` is null). */
  readonly why?: string;
  /** What the erasure job does to the person's rows. */
  readonly erase: string;
}

export const PERSONAL_DATA_MAP = {
  users: {
    export: "profile",
    erase: "email and name replaced by a tombstone; birth date, guardian, password and 2FA cleared",
  },
  device_sessions: {
    export: "devices",
    erase: "deleted (with the fingerprint and IP hashes)",
  },
  sessions: { export: "sessions", erase: "deleted" },
  account_tokens: { export: "accountLinks", erase: "deleted" },
  digital_product_purchases: {
    export: "purchases",
    erase: "kept for the books (invoices); they hold no personal data beyond the account id",
  },
  licenses: { export: "licenses", erase: "active and suspended licenses revoked" },
  license_activations: {
    export: "licenseActivations",
    erase: "deleted (instance names, IP hashes)",
  },
  downloads: {
    export: "downloads",
    erase: "kept as counts; IP hash, device hash and browser cleared",
  },
  download_reset_requests: { export: "resetRequests", erase: "kept" },
  memberships: {
    export: "memberships",
    erase: "cancelled: unused credits expire through the ledger, auto-renew off",
  },
  credit_transactions: { export: "creditLedger", erase: "kept (append-only, no personal data)" },
  membership_checkouts: { export: "membershipCheckouts", erase: "kept for the books" },
  membership_invoices: {
    export: "membershipInvoices",
    erase:
      "kept for the books (renewal and upgrade invoices); no personal data beyond the account id",
  },
  membership_members: {
    export: "membershipSeats",
    erase: "their seat deleted, and the teammates' seats on their cancelled membership",
  },
  membership_invitations: {
    export: "membershipInvitations",
    erase: "pending ones to them or from their membership revoked; their address erased",
  },
  service_projects: { export: "projects", erase: "open projects cancelled" },
  project_phase_history: { export: "projectPhaseHistory", erase: "open stints closed" },
  service_add_ons: { export: "projectAddOns", erase: "open add-ons rejected" },
  email_outbox: {
    export: "emails",
    erase:
      "address, subject and body of mail to them erased; their name and email erased elsewhere",
  },
  audit_logs: {
    export: "auditTrail",
    erase: "kept; IP hash and browser cleared, metadata naming them erased (ADR 0009)",
  },
  payment_events: {
    export: null,
    why: "the provider's event log: ids, amounts and statuses of purchases already exported",
    erase: "kept for the books",
  },
  rate_limits: {
    export: null,
    why: "counters that expire within the hour, keyed by hashes",
    erase: "windows keyed by their IP hashes or account id deleted",
  },
  digital_products: {
    export: null,
    why: "the catalogue; purchases name the product",
    erase: "untouched (a staff author stays)",
  },
  feature_flags: { export: null, why: "site switches set by staff", erase: "untouched" },
  audit_log_archives: {
    export: null,
    why: "only the index of archived audit days (the rows themselves are in R2)",
    erase: "untouched",
  },
  job_runs: { export: null, why: "scheduled job health, no personal data", erase: "untouched" },
  system_backups: {
    export: null,
    why: "the index of backups; backups expire with the retention policy",
    erase: "untouched",
  },
} as const satisfies Record<string, TableTreatment>;

export type ExportSection = NonNullable<
  (typeof PERSONAL_DATA_MAP)[keyof typeof PERSONAL_DATA_MAP]["export"]
>;
