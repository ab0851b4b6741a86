import type {
  LicenseType,
  MembershipCheckoutStatus,
  MembershipInvoiceStatus,
  PurchaseStatus,
} from "#db/schema/enums";

/**
 * Billing history and receipts (issue 15 item 6), the pure part: which payments have a
 * receipt, how a status reads, and receipt ids. A receipt's URL is
 * `/account/billing/<kind>-<id>`: `purchase-…` (a product purchase), `checkout-…` (a
 * membership's first payment or a credit pack) or `invoice-…` (a renewal or upgrade invoice).
 */

/** Who sells: printed at the top of every receipt. */
export const SELLER_NAME = "Studio Store";

export const BILLING_KINDS = ["purchase", "checkout", "invoice"] as const;
export type BillingKind = (typeof BILLING_KINDS)[number];

export interface ReceiptRef {
  kind: BillingKind;
  id: string;
}

export const receiptId = (ref: ReceiptRef) => `${ref.kind}-${ref.id}`;

/** `purchase-abc123` → its parts; null for anything else (the page answers 404). */
export function parseReceiptId(value: string | undefined): ReceiptRef | null {
  const match = /^(purchase|checkout|invoice)-([a-z0-9]{1,64})$/.exec(value ?? "");
  if (!match) return null;
  return { kind: match[1] as BillingKind, id: match[2]! };
}

/** The number printed on a receipt: a letter for the kind and the record's id. */
export function receiptNumber(ref: ReceiptRef): string {
  const prefix = { purchase: "P", checkout: "M", invoice: "I" }[ref.kind];
  return `${prefix}-${ref.id.toUpperCase()}`;
}

export type BillingStatus = PurchaseStatus | MembershipCheckoutStatus | MembershipInvoiceStatus;

/** Statuses in which money was taken (so there is a receipt to print). */
const PAID: ReadonlySet<BillingStatus> = new Set<BillingStatus>([
  "COMPLETED",
  "PAID",
  "REFUNDED",
  "DISPUTED",
]);
export const hasReceipt = (status: BillingStatus) => PAID.has(status);

/** Statuses listed in the billing history (a checkout never paid is not a payment). */
export const LISTED_STATUSES = ["COMPLETED", "PAID", "FAILED", "REFUNDED", "DISPUTED"] as const;

export type BillingTone = "success" | "danger" | "neutral";

export function billingStatusLabel(status: BillingStatus): { label: string; tone: BillingTone } {
  switch (status) {
    case "COMPLETED":
    case "PAID":
      return { label: "Paid", tone: "success" };
    case "FAILED":
      return { label: "Failed", tone: "danger" };
    case "REFUNDED":
      return { label: "Refunded", tone: "neutral" };
    case "DISPUTED":
      return { label: "Disputed", tone: "danger" };
    case "PENDING":
      return { label: "Pending", tone: "neutral" };
  }
}

/** The license terms a receipt prints for a product purchase (the words of the product page). */
export function licenseTerms(type: LicenseType, teamSeats: number): string {
  switch (type) {
    case "PERSONAL":
      return "Personal license: for your own projects and portfolio. One person.";
    case "COMMERCIAL":
      return "Commercial license: for client work and products you sell. One person.";
    case "TEAM":
      return `Team license: commercial use for up to ${teamSeats} people.`;
  }
}
