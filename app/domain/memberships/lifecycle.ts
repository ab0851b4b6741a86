import type { MembershipStatus, MembershipTier } from "#db/schema/enums";
import { refuse, type Refusal } from "~/domain/refusal";
import { TIER_ORDER, TIERS } from "./tiers";

/**
 * The rules of a membership's life after checkout (issue 15): tier changes, pause and failed
 * payments. Pure: time is passed in; services (membership-lifecycle.server.ts,
 * membership-fulfilment.server.ts) do the writing.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A failed renewal payment leaves the member this long to fix it before the membership ends. */
export const GRACE_PERIOD_DAYS = 7;
export const GRACE_PERIOD_MS = GRACE_PERIOD_DAYS * DAY_MS;

/** A pause lasts 1–3 calendar months. */
export const PAUSE_MONTHS_MIN = 1;
export const PAUSE_MONTHS_MAX = 3;
export const PAUSE_MONTH_OPTIONS = [1, 2, 3] as const;

/** The test provider pays a renewal this long before the period ends. */
export const TEST_RENEWAL_WINDOW_MS = HOUR_MS;

export const graceEndsAt = (now: Date) => new Date(now.getTime() + GRACE_PERIOD_MS);

/** `months` calendar months after `from` (UTC; the 31st of a short month becomes its last day). */
export function addMonths(from: Date, months: number): Date {
  const result = new Date(from.getTime());
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCMonth(result.getUTCMonth() + months);
  const lastDay = new Date(
    Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0),
  ).getUTCDate();
  result.setUTCDate(Math.min(day, lastDay));
  return result;
}

export type TierChange = "upgrade" | "downgrade" | "same";

export function tierChange(from: MembershipTier, to: MembershipTier): TierChange {
  const a = TIER_ORDER.indexOf(from);
  const b = TIER_ORDER.indexOf(to);
  return b > a ? "upgrade" : b < a ? "downgrade" : "same";
}

export const isUpgrade = (from: MembershipTier, to: MembershipTier) =>
  tierChange(from, to) === "upgrade";

/** Credits an upgrade adds at once: the difference of the two tiers' allocations. */
export const upgradeCredits = (from: MembershipTier, to: MembershipTier) =>
  Math.max(0, TIERS[to].creditsPerPeriod - TIERS[from].creditsPerPeriod);

/**
 * What an upgrade costs now: the price difference × the fraction of the period left, in integer
 * cents, rounded to the nearest cent (half up). Nothing after the period end, the whole
 * difference before its start.
 */
export function proratedUpgradeCents(input: {
  from: MembershipTier;
  to: MembershipTier;
  periodStart: Date;
  periodEnd: Date;
  now: Date;
}): number {
  const difference = TIERS[input.to].priceCents - TIERS[input.from].priceCents;
  if (difference <= 0) return 0;
  const length = input.periodEnd.getTime() - input.periodStart.getTime();
  if (length <= 0) return 0;
  const left = Math.min(length, Math.max(0, input.periodEnd.getTime() - input.now.getTime()));
  return Math.round((difference * left) / length);
}

/** The idempotency key of an upgrade's credit difference: once per period and tier. */
export const upgradeKey = (membershipId: string, periodStart: Date, tier: MembershipTier) =>
  `upgrade:${membershipId}:${periodStart.getTime()}:${tier}`;

export const upgradeDescription = (from: MembershipTier, to: MembershipTier) =>
  `Upgrade to ${TIERS[to].name}: ${upgradeCredits(from, to)} more credits for this period`;

/** The test provider's invoice for the renewal of the period ending at `periodEnd`. */
export const testRenewalInvoiceId = (membershipId: string, periodEnd: Date) =>
  `test_inv_${membershipId}_${periodEnd.getTime()}`;

export interface LifecycleState {
  tier: MembershipTier;
  status: MembershipStatus;
  autoRenew: boolean;
  pendingTier: MembershipTier | null;
}

export type TierChangeRefusal = "not-active" | "unchanged";

/** May the owner move to `to` now? (Owner-ness is checked by the service.) */
export function tierChangeRefusal(
  membership: LifecycleState,
  to: MembershipTier,
): Refusal<TierChangeRefusal> | null {
  if (membership.status !== "ACTIVE") {
    return refuse(
      "conflict",
      "not-active",
      membership.status === "PAST_DUE"
        ? "Fix the failed payment before changing your plan."
        : membership.status === "PAUSED"
          ? "Resume your membership before changing your plan."
          : "Your membership isn't running.",
    );
  }
  if (tierChange(membership.tier, to) === "same") {
    return refuse("conflict", "unchanged", `You're already on ${TIERS[to].name}.`);
  }
  if (membership.pendingTier === to) {
    return refuse(
      "conflict",
      "unchanged",
      `You already move to ${TIERS[to].name} at the end of this period.`,
    );
  }
  return null;
}

export type PauseRefusal = "not-active" | "not-renewing" | "pending-change";

/** Only an ACTIVE, auto-renewing membership without a pending tier change can pause. */
export function pauseRefusal(membership: LifecycleState): Refusal<PauseRefusal> | null {
  if (membership.status !== "ACTIVE") {
    return refuse(
      "conflict",
      "not-active",
      membership.status === "PAST_DUE"
        ? "Fix the failed payment before pausing."
        : membership.status === "PAUSED"
          ? "Your membership is already paused."
          : "Your membership isn't running.",
    );
  }
  if (!membership.autoRenew) {
    return refuse(
      "conflict",
      "not-renewing",
      "Your membership ends with this period: turn auto-renew on to pause instead.",
    );
  }
  if (membership.pendingTier) {
    return refuse("conflict", "pending-change", "Cancel the pending plan change before pausing.");
  }
  return null;
}
