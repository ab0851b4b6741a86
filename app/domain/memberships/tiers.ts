import type { MembershipTier } from "#db/schema/enums";

/**
 * The membership tiers and credit packs (docs/architecture.md §9): the one place prices, credits per
 * period, period lengths and rollover caps are configured. The pricing page, checkout, the
 * ledger and the renewal job all read them from here.
 */
export interface TierConfig {
  tier: MembershipTier;
  name: string;
  summary: string;
  /** Credits allocated at the start of every period. */
  creditsPerPeriod: number;
  periodDays: number;
  /** At most this many unused credits carry over into the next period. */
  rolloverCap: number;
  priceCents: number;
  currency: string;
  /** People who share the credit pool, the owner included (teammates are invited by email). */
  seats: number;
  features: readonly string[];
}

export const TIERS: Readonly<Record<MembershipTier, TierConfig>> = {
  BASIC_ACCESS: {
    tier: "BASIC_ACCESS",
    name: "Basic access",
    summary: "For the occasional tweak to a live site.",
    creditsPerPeriod: 10,
    periodDays: 30,
    rolloverCap: 5,
    priceCents: 1900,
    currency: "USD",
    seats: 1,
    features: ["Content edits", "Email support"],
  },
  PRO: {
    tier: "PRO",
    name: "Pro",
    summary: "Regular design and build work every month.",
    creditsPerPeriod: 40,
    periodDays: 30,
    rolloverCap: 20,
    priceCents: 4900,
    currency: "USD",
    seats: 3,
    features: ["Content edits", "Extra revisions", "Support calls", "Priority queue"],
  },
  MANAGED: {
    tier: "MANAGED",
    name: "Managed",
    summary: "The studio runs your site with you.",
    creditsPerPeriod: 120,
    periodDays: 30,
    rolloverCap: 60,
    priceCents: 12900,
    currency: "USD",
    seats: 10,
    features: [
      "Content edits",
      "Extra revisions",
      "Support calls",
      "Rush delivery",
      "Emergency fixes",
    ],
  },
};

export const TIER_ORDER: readonly MembershipTier[] = ["BASIC_ACCESS", "PRO", "MANAGED"];

export const tierConfig = (tier: MembershipTier): TierConfig => TIERS[tier];

export interface CreditPack {
  id: string;
  name: string;
  credits: number;
  priceCents: number;
  currency: string;
}

/** One-off top-ups, bought like products. Their credits are paid credits: renewal never expires them (ADR 0010). */
export const CREDIT_PACKS: readonly CreditPack[] = [
  { id: "pack-10", name: "10 credits", credits: 10, priceCents: 2500, currency: "USD" },
  { id: "pack-25", name: "25 credits", credits: 25, priceCents: 5500, currency: "USD" },
  { id: "pack-60", name: "60 credits", credits: 60, priceCents: 12000, currency: "USD" },
];
export const CREDIT_PACK_IDS = ["pack-10", "pack-25", "pack-60"] as const;

export const findCreditPack = (id: string): CreditPack | null =>
  CREDIT_PACKS.find((pack) => pack.id === id) ?? null;

const DAY_MS = 86_400_000;
export const periodLengthMs = (tier: MembershipTier) => TIERS[tier].periodDays * DAY_MS;

/** Credits that carry into the next period: min(remaining, cap), never negative. */
export function rolloverCredits(remaining: number, cap: number): number {
  return Math.max(0, Math.min(remaining, cap));
}

/** The largest staff adjustment in one go: big enough for any real correction. */
export const MAX_ADJUSTMENT = 10_000;
