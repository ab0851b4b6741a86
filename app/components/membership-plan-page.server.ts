import { buildBalanceChart } from "~/domain/credits/chart";
import { PAUSE_MONTH_OPTIONS, tierChange } from "~/domain/memberships/lifecycle";
import { CREDIT_PACKS, TIER_ORDER, TIERS } from "~/domain/memberships/tiers";
import { formatMoney } from "~/domain/money";
import { formatDate } from "~/lib/format";
import type { MembershipPlan } from "~/services/membership-lifecycle.server";
import type { MembershipOfUser } from "~/services/membership-team.server";
import type { CreditHistory, MembershipOverview } from "~/services/memberships.server";
import type { TeammateMembership } from "./membership-teammate";

/*
 * The words of /account/membership, made by its loader (docs/patterns.md: a page's words come
 * from its loader): the browser then carries no tier table, money or date formatting for this
 * page, only the markup (issue 17: ≤ 90 KiB of JavaScript per customer page).
 */

export interface Option {
  value: string;
  label: string;
}

/** The plan notices, tier changes, pause/resume and the test provider's panel. */
export interface PlanPageView {
  notices: {
    /** "Payment failed: credits are on hold until 3 Jan 2027." */
    pastDue: string | null;
    /** "Paused until 3 Jan 2027: …" */
    paused: string | null;
    /** "Moves to Basic access on 3 Jan 2027." */
    pendingTier: string | null;
  };
  /** The owner's controls; null for a teammate or an ended membership. */
  controls: {
    /** Tier changes are possible (the membership is active). */
    canChangeTier: boolean;
    tierOptions: { tier: string; label: string; button: string; upgrade: boolean }[];
    /** "Keep Pro (cancel the downgrade)" while a downgrade waits. */
    cancelDowngrade: string | null;
    canResume: boolean;
    /** The pause lengths, when pausing is possible. */
    pauseOptions: Option[] | null;
  } | null;
  /** The test provider's renewal panel (TEST memberships, owner): the period end. */
  testRenewal: { membershipId: string; periodEnd: string } | null;
}

export function planPageView(plan: MembershipPlan): PlanPageView {
  const date = (value: Date | null) => (value ? formatDate(value) : null);
  const owner = plan.isOwner && plan.status !== "EXPIRED";
  const active = plan.status === "ACTIVE";
  const tierOptions = TIER_ORDER.filter(
    (tier) => tier !== plan.tier && tier !== plan.pendingTier,
  ).map((tier) => {
    const config = TIERS[tier];
    const upgrade = tierChange(plan.tier, tier) === "upgrade";
    return {
      tier,
      label: `${config.name}: ${config.creditsPerPeriod} credits, ${formatMoney(config.priceCents, config.currency)} / period`,
      button: `${upgrade ? "Upgrade" : "Downgrade"} to ${config.name}`,
      upgrade,
    };
  });
  return {
    notices: {
      pastDue:
        plan.status === "PAST_DUE" && plan.graceEndsAt
          ? `Payment failed: credits are on hold until ${date(plan.graceEndsAt)}.`
          : null,
      paused:
        plan.status === "PAUSED" && plan.pauseEndsAt
          ? `Paused until ${date(plan.pauseEndsAt)}: no payment and no new credits until then. Your credits are kept.`
          : null,
      pendingTier: plan.pendingTier
        ? `Moves to ${TIERS[plan.pendingTier].name} on ${date(plan.currentPeriodEnd)}.`
        : null,
    },
    controls: owner
      ? {
          canChangeTier: active,
          tierOptions: active ? tierOptions : [],
          cancelDowngrade: plan.pendingTier
            ? `Keep ${TIERS[plan.tier].name} (cancel the downgrade)`
            : null,
          canResume: plan.status === "PAUSED",
          pauseOptions:
            active && plan.autoRenew && !plan.pendingTier
              ? PAUSE_MONTH_OPTIONS.map((months) => ({
                  value: String(months),
                  label: months === 1 ? "1 month" : `${months} months`,
                }))
              : null,
        }
      : null,
    testRenewal:
      plan.testProvider && plan.isOwner && (active || plan.status === "PAST_DUE")
        ? { membershipId: plan.id, periodEnd: formatDate(plan.currentPeriodEnd) }
        : null,
  };
}

/** The credit packs of the top-up form: "25 credits — $55.00". */
export const creditPackOptions = (): Option[] =>
  CREDIT_PACKS.map((pack) => ({
    value: pack.id,
    label: `${pack.name} — ${formatMoney(pack.priceCents, pack.currency)}`,
  }));

/** The membership's summary: its facts, when the period ends and what renewal brings. */
export function overviewPageView(overview: MembershipOverview) {
  const { membership } = overview;
  const tier = TIERS[membership.tier];
  const expired = membership.status === "EXPIRED";
  // Paused or waiting for a failed payment: the plan notice above says what happens next.
  const onHold =
    membership.autoRenew && (membership.status === "PAUSED" || membership.status === "PAST_DUE");
  const periodEnd = formatDate(membership.currentPeriodEnd);
  const { paidCredits, rolloverPreview, nextAllocation } = overview;
  return {
    tierName: tier.name,
    status: membership.status.toLowerCase().replace("_", " "),
    expired,
    autoRenew: membership.autoRenew,
    facts: [
      { label: "Balance", value: `${overview.remaining} credits`, testId: "credit-balance" },
      { label: "Used this period", value: String(membership.usedCredits) },
      {
        label: expired
          ? "Ended"
          : overview.renews
            ? "Next renewal"
            : onHold
              ? "Period ends"
              : "Ends",
        value: periodEnd,
      },
      {
        label: "Bought credits (never expire)",
        value: `${paidCredits} credits`,
        testId: "paid-credits",
      },
      {
        label: "Rolls over at renewal",
        value: overview.renews ? `${rolloverPreview} credits` : "—",
      },
    ],
    /** What the end of the period brings, in one paragraph; null when ended or on hold. */
    periodText: overview.renews
      ? `On ${periodEnd}, up to ${tier.rolloverCap} unused credits carry over (now ${rolloverPreview}) and ${nextAllocation} new credits arrive` +
        (paidCredits > 0 ? `, beside your ${paidCredits} bought credits` : "") +
        `, for ${paidCredits + rolloverPreview + nextAllocation} in total. Credits you buy in packs never expire, and period credits are spent before them.` +
        (overview.paymentPending
          ? " The payment for this period hasn't reached us yet; the renewal waits for it, and the membership ends if it never arrives."
          : "")
      : expired || onHold
        ? null
        : `Auto-renew is off: your membership ends on ${periodEnd} and unused period credits expire then (bought credits are kept).`,
    packOptions: expired ? [] : creditPackOptions(),
  };
}

/** What a teammate sees: the pool they spend from, their usage this period and their cap. */
export function teammatePageView(seat: MembershipOfUser, usage: number): TeammateMembership {
  return {
    ownerName: seat.ownerName,
    tierName: TIERS[seat.tier].name,
    status: seat.status,
    balance: seat.totalCredits - seat.usedCredits,
    usage,
    periodCap: seat.periodCap,
    periodEnd: formatDate(seat.currentPeriodEnd),
  };
}

/** The name of a tier, for the headers of the membership's other pages. */
export const tierName = (tier: MembershipOfUser["tier"]) => TIERS[tier].name;

/** /account/membership/credits: the ledger page (storage details left out) and the chart. */
export function creditHistoryPageView({ membership, ledger, history }: CreditHistory) {
  return {
    tierName: TIERS[membership.tier].name,
    ended: membership.status === "EXPIRED",
    ledger: ledger.items.map(({ seq: _seq, reference: _reference, ...row }) => row),
    nextCursor: ledger.nextCursor,
    chart: buildBalanceChart(history),
  };
}
