import type {
  HeadersFunction,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import { Form, useLoaderData } from "@remix-run/react";
import { DataTable } from "~/components/data-table";
import { FeaturePaused } from "~/components/feature-paused";
import { PageHeader } from "~/components/page";
import { formatMoney } from "~/domain/money";
import type { MembershipTier } from "#db/schema/enums";
import { tierChange } from "~/domain/memberships/lifecycle";
import { CREDIT_PACKS, TIER_ORDER, TIERS, type TierConfig } from "~/domain/memberships/tiers";
import { PUBLIC_PAGE_CACHE } from "~/lib/http";
import { getCurrentUser } from "~/request/auth.server";
import { featureRefusal } from "~/request/feature-gate.server";
import { getMembershipPlan } from "~/services/membership-lifecycle.server";
import membershipStyles from "~/styles/membership.css?url";

/** `/pricing`: the membership tiers and credit packs, the same page for every anonymous visitor. */

export const links: LinksFunction = () => [{ rel: "stylesheet", href: membershipStyles }];

export const meta: MetaFunction = () => [
  { title: "Pricing — Studio Store" },
  {
    name: "description",
    content: "Membership tiers with monthly credits for design and build work.",
  },
];

export const headers: HeadersFunction = () => ({ "Cache-Control": PUBLIC_PAGE_CACHE });

/**
 * Checkout paused (feature flag): the tiers stay, their Subscribe buttons give way to the
 * sentence. A logged-in member sees "Your plan" on their tier and Upgrade/Downgrade on the
 * others (the worker makes any page of a session private, so this never reaches a shared cache).
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getCurrentUser(request, context);
  const plan = user ? await getMembershipPlan(context.db, user.id, context.env) : null;
  return {
    checkoutPaused: (await featureRefusal(context, "checkout"))?.message ?? null,
    plan:
      plan && plan.status !== "EXPIRED"
        ? {
            tier: plan.tier,
            status: plan.status,
            pendingTier: plan.pendingTier,
            isOwner: plan.isOwner,
          }
        : null,
  };
}

/** The member's button on a tier card: "Your plan", Upgrade, Downgrade, or nothing. */
function PlanButton({
  tier,
  plan,
}: {
  tier: TierConfig;
  plan: {
    tier: MembershipTier;
    status: string;
    pendingTier: MembershipTier | null;
    isOwner: boolean;
  };
}) {
  if (plan.tier === tier.tier) {
    return (
      <p className="tier-card__current" data-testid="your-plan">
        Your plan
      </p>
    );
  }
  if (plan.pendingTier === tier.tier) {
    return <p className="muted">Your plan from the next period</p>;
  }
  if (!plan.isOwner || plan.status !== "ACTIVE") return null;
  const change = tierChange(plan.tier, tier.tier);
  return (
    <Form method="post" action="/account/membership">
      <input type="hidden" name="intent" value="change-tier" />
      <input type="hidden" name="tier" value={tier.tier} />
      <button type="submit" className={change === "upgrade" ? "button" : "button button--ghost"}>
        {change === "upgrade" ? `Upgrade to ${tier.name}` : `Downgrade to ${tier.name}`}
      </button>
    </Form>
  );
}

const tiers = TIER_ORDER.map((tier) => TIERS[tier]);
const perDays = (days: number) => (days === 30 ? "month" : `${days} days`);
const price = (tier: TierConfig) => formatMoney(tier.priceCents, tier.currency);

type Comparison = { label: string; value: (tier: TierConfig) => string | number };

/** The rows of "Compare the tiers": one fact, one cell per tier. */
const COMPARISON: Comparison[] = [
  { label: "Price", value: (tier) => `${price(tier)} / ${perDays(tier.periodDays)}` },
  { label: "Credits per period", value: (tier) => tier.creditsPerPeriod },
  { label: "Period", value: (tier) => `${tier.periodDays} days` },
  { label: "Rollover cap", value: (tier) => `${tier.rolloverCap} credits` },
  {
    label: "Price per credit",
    value: (tier) =>
      formatMoney(Math.round(tier.priceCents / tier.creditsPerPeriod), tier.currency),
  },
];

export default function Pricing() {
  const { checkoutPaused, plan } = useLoaderData<typeof loader>();
  return (
    <div className="container section">
      <PageHeader title="Pricing">
        A membership gives you credits every period to spend on work from the studio: content edits,
        extra revisions, support calls and more. Unused credits roll over, up to a cap.
      </PageHeader>

      <div className="tier-grid">
        {tiers.map((tier) => (
          <section key={tier.tier} className="tier-card" aria-labelledby={`tier-${tier.tier}`}>
            <h2 id={`tier-${tier.tier}`}>{tier.name}</h2>
            <p className="tier-card__price">
              {price(tier)}
              <span className="muted"> / {perDays(tier.periodDays)}</span>
            </p>
            <p>{tier.summary}</p>
            <ul>
              <li>{tier.creditsPerPeriod} credits every period</li>
              <li>Up to {tier.rolloverCap} unused credits roll over</li>
              <li>{tier.seats === 1 ? "For you alone" : `Shared by up to ${tier.seats} people`}</li>
              {tier.features.map((feature) => (
                <li key={feature}>{feature}</li>
              ))}
            </ul>
            {plan ? (
              <PlanButton tier={tier} plan={plan} />
            ) : checkoutPaused ? (
              <FeaturePaused message={checkoutPaused} />
            ) : (
              <Form method="post" action="/checkout/membership">
                <input type="hidden" name="tier" value={tier.tier} />
                <button type="submit" className="button">
                  Subscribe to {tier.name}
                </button>
              </Form>
            )}
          </section>
        ))}
      </div>

      <section aria-labelledby="compare-heading">
        <h2 id="compare-heading">Compare the tiers</h2>
        <DataTable
          rows={COMPARISON}
          rowKey={(row) => row.label}
          className="data-table comparison"
          columns={[
            { header: "", cell: (row) => row.label, rowHeader: true },
            ...tiers.map((tier) => ({
              header: tier.name,
              cell: (row: Comparison) => row.value(tier),
            })),
          ]}
        />
      </section>

      <section aria-labelledby="packs-heading">
        <h2 id="packs-heading">Need more credits?</h2>
        <p>
          Members can top up at any time from their account:{" "}
          {CREDIT_PACKS.map(
            (pack) => `${pack.name} for ${formatMoney(pack.priceCents, pack.currency)}`,
          ).join(", ")}
          .
        </p>
      </section>
    </div>
  );
}
