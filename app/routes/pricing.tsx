import type { HeadersFunction, LinksFunction, MetaFunction } from "@remix-run/cloudflare";
import { Form } from "@remix-run/react";
import { formatMoney } from "~/domain/money";
import { CREDIT_PACKS, TIER_ORDER, TIERS } from "~/domain/memberships/tiers";
import { PUBLIC_PAGE_CACHE } from "~/lib/http";
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

const tiers = TIER_ORDER.map((tier) => TIERS[tier]);
const perDays = (days: number) => (days === 30 ? "month" : `${days} days`);

export default function Pricing() {
  return (
    <div className="container section">
      <header className="page-header">
        <h1>Pricing</h1>
        <p>
          A membership gives you credits every period to spend on work from the studio: content
          edits, extra revisions, support calls and more. Unused credits roll over, up to a cap.
        </p>
      </header>

      <div className="tier-grid">
        {tiers.map((tier) => (
          <section key={tier.tier} className="tier-card" aria-labelledby={`tier-${tier.tier}`}>
            <h2 id={`tier-${tier.tier}`}>{tier.name}</h2>
            <p className="tier-card__price">
              {formatMoney(tier.priceCents, tier.currency)}
              <span className="muted"> / {perDays(tier.periodDays)}</span>
            </p>
            <p>{tier.summary}</p>
            <ul>
              <li>{tier.creditsPerPeriod} credits every period</li>
              <li>Up to {tier.rolloverCap} unused credits roll over</li>
              {tier.features.map((feature) => (
                <li key={feature}>{feature}</li>
              ))}
            </ul>
            <Form method="post" action="/checkout/membership">
              <input type="hidden" name="tier" value={tier.tier} />
              <button type="submit" className="button">
                Subscribe to {tier.name}
              </button>
            </Form>
          </section>
        ))}
      </div>

      <section aria-labelledby="compare-heading">
        <h2 id="compare-heading">Compare the tiers</h2>
        <div className="table-scroll">
          <table className="data-table comparison">
            <thead>
              <tr>
                <td />
                {tiers.map((tier) => (
                  <th key={tier.tier} scope="col">
                    {tier.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">Price</th>
                {tiers.map((tier) => (
                  <td key={tier.tier}>
                    {formatMoney(tier.priceCents, tier.currency)} / {perDays(tier.periodDays)}
                  </td>
                ))}
              </tr>
              <tr>
                <th scope="row">Credits per period</th>
                {tiers.map((tier) => (
                  <td key={tier.tier}>{tier.creditsPerPeriod}</td>
                ))}
              </tr>
              <tr>
                <th scope="row">Period</th>
                {tiers.map((tier) => (
                  <td key={tier.tier}>{tier.periodDays} days</td>
                ))}
              </tr>
              <tr>
                <th scope="row">Rollover cap</th>
                {tiers.map((tier) => (
                  <td key={tier.tier}>{tier.rolloverCap} credits</td>
                ))}
              </tr>
              <tr>
                <th scope="row">Price per credit</th>
                {tiers.map((tier) => (
                  <td key={tier.tier}>
                    {formatMoney(
                      Math.round(tier.priceCents / tier.creditsPerPeriod),
                      tier.currency,
                    )}
                  </td>
                ))}
              </tr>
            </tbody>
          </table>
        </div>
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
