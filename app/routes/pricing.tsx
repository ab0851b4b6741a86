import type {
  HeadersFunction,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import { Form, useLoaderData } from "@remix-run/react";
import { DataTable } from "~/components/data-table";
import { FeaturePaused } from "~/components/feature-paused";
import { PageHeader } from "~/components/page-header";
import { formatMoney } from "~/domain/money";
import { CREDIT_PACKS, TIER_ORDER, TIERS, type TierConfig } from "~/domain/memberships/tiers";
import { PUBLIC_PAGE_CACHE } from "~/lib/http";
import { featureRefusal } from "~/request/feature-gate.server";
import membershipStyles from "~/styles/membership.css?url";

/** `/pricing`: the membership tiers and credit packs, the same page for every visitor. */

export const links: LinksFunction = () => [{ rel: "stylesheet", href: membershipStyles }];

export const meta: MetaFunction = () => [
  { title: "Pricing — Studio Store" },
  {
    name: "description",
    content: "Membership tiers with monthly credits for design and build work.",
  },
];

export const headers: HeadersFunction = () => ({ "Cache-Control": PUBLIC_PAGE_CACHE });

/** Checkout paused (feature flag): the tiers stay, their Subscribe buttons give way to the sentence. */
export async function loader({ context }: LoaderFunctionArgs) {
  return { checkoutPaused: (await featureRefusal(context, "checkout"))?.message ?? null };
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
  const { checkoutPaused } = useLoaderData<typeof loader>();
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
            {checkoutPaused ? (
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
