import type { LicenseStatus, PurchaseStatus } from "#db/schema/enums";

/**
 * What a payment event means for a purchase, whatever the provider called it
 * (Stripe: `checkout.session.completed`, `charge.refunded`, …; the test provider: succeed/fail).
 */
export const PAYMENT_EVENT_KINDS = [
  "PAYMENT_SUCCEEDED",
  "PAYMENT_FAILED",
  "REFUNDED",
  "DISPUTE_OPENED",
  "DISPUTE_WON",
  "DISPUTE_LOST",
] as const;
export type PaymentEventKind = (typeof PAYMENT_EVENT_KINDS)[number];

/** What happens to the purchase's license alongside a transition. */
export type LicenseEffect = "ISSUE" | "SUSPEND" | "REVOKE" | "REINSTATE" | "NONE";

export interface PurchaseTransition {
  from: PurchaseStatus;
  to: PurchaseStatus;
  license: LicenseEffect;
  /** The sale counts now (first completion): `purchase_count + 1`, receipt, audit. */
  completes: boolean;
  /** Money went back to the buyer: `refunded_at` is set. */
  refunds: boolean;
  /** Why a purchase ended without a sale, for `failure_reason`. */
  failureReason?: string;
}

export interface PurchaseState {
  status: PurchaseStatus;
  /** Whether the purchase ever completed (a license may exist). */
  everCompleted: boolean;
}

/**
 * The transition an event causes from the purchase's current state, or null when the event
 * changes nothing (a replay, or an event that arrives after a later one). Events can arrive in
 * any order, so every rule is stated from the current state, never from "the previous event":
 * - a refund or lost dispute of a purchase that never completed ends it as FAILED, and a
 *   completion that arrives afterwards finds no PENDING purchase, so no license is ever issued;
 * - a dispute opened before the completion arrived holds the purchase as DISPUTED; winning it
 *   completes the sale then (license issued), losing it ends it.
 */
export function planTransition(
  state: PurchaseState,
  kind: PaymentEventKind,
): PurchaseTransition | null {
  const { status, everCompleted } = state;
  const base = { from: status, completes: false, refunds: false };
  switch (kind) {
    case "PAYMENT_SUCCEEDED":
      return status === "PENDING"
        ? { ...base, to: "COMPLETED", license: "ISSUE", completes: true }
        : null;
    case "PAYMENT_FAILED":
      return status === "PENDING"
        ? { ...base, to: "FAILED", license: "NONE", failureReason: "The payment failed." }
        : null;
    case "REFUNDED":
      if (status === "PENDING") {
        return {
          ...base,
          to: "FAILED",
          license: "NONE",
          refunds: true,
          failureReason: "Refunded before the payment completed.",
        };
      }
      if (status === "COMPLETED" || status === "DISPUTED") {
        return everCompleted
          ? { ...base, to: "REFUNDED", license: "REVOKE", refunds: true }
          : { ...base, to: "FAILED", license: "NONE", refunds: true, failureReason: "Refunded." };
      }
      return null;
    case "DISPUTE_OPENED":
      if (status === "COMPLETED") return { ...base, to: "DISPUTED", license: "SUSPEND" };
      if (status === "PENDING") return { ...base, to: "DISPUTED", license: "NONE" };
      return null;
    case "DISPUTE_WON":
      if (status !== "DISPUTED") return null;
      return everCompleted
        ? { ...base, to: "COMPLETED", license: "REINSTATE" }
        : { ...base, to: "COMPLETED", license: "ISSUE", completes: true };
    case "DISPUTE_LOST":
      if (status !== "DISPUTED") return null;
      return everCompleted
        ? { ...base, to: "REFUNDED", license: "REVOKE", refunds: true }
        : {
            ...base,
            to: "FAILED",
            license: "NONE",
            refunds: true,
            failureReason: "The payment was disputed and lost.",
          };
  }
}

/** The license status a license effect leaves behind, from the statuses it applies to. */
export const LICENSE_EFFECT_STATUSES: Record<
  Exclude<LicenseEffect, "ISSUE" | "NONE">,
  { from: LicenseStatus[]; to: LicenseStatus }
> = {
  SUSPEND: { from: ["ACTIVE"], to: "SUSPENDED" },
  REINSTATE: { from: ["SUSPENDED"], to: "ACTIVE" },
  REVOKE: { from: ["ACTIVE", "SUSPENDED", "EXPIRED"], to: "REVOKED" },
};

/** What a provider says was paid: minor units and an ISO currency (any case). */
export interface PaidAmount {
  amount: number | null;
  currency: string | null;
}

/**
 * Why a successful payment does not pay for the purchase, or null when it does. Checkout asks
 * the provider for exactly the purchase's price (no taxes or discounts are configured), so any
 * difference means a tampered or misconfigured session: it must never issue a license.
 */
export function paymentMismatch(
  expected: { amountCents: number; currency: string },
  paid: PaidAmount,
): string | null {
  const currency = paid.currency?.toUpperCase() ?? null;
  if (paid.amount === expected.amountCents && currency === expected.currency) return null;
  return `Paid ${paid.amount ?? "nothing"} ${currency ?? "(no currency)"} for a purchase of ${expected.amountCents} ${expected.currency} (minor units).`;
}
