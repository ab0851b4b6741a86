import type { LinksFunction, MetaFunction } from "@remix-run/cloudflare";
import { Link } from "@remix-run/react";
import { LegalPage, LegalSection } from "~/components/legal-page";
import { licenseOptions } from "~/domain/catalog/license-options";
import { DOWNLOADS_PER_WINDOW, GRANT_TTL_MS, RESUME_WINDOW_MS } from "~/domain/downloads/quota";
import { TIER_ORDER, TIERS } from "~/domain/memberships/tiers";
import { DEFAULT_REVISIONS } from "~/domain/projects/revisions";
import { CONTACT_EMAIL } from "~/lib/contact";
import { publicPageData, publicPageHeaders } from "~/request/page-cache.server";
import legalStyles from "~/styles/legal.css?url";

/**
 * `/terms` (issue 13, item 8): the license terms, downloads, refunds, memberships and studio
 * projects in plain words. Numbers and license wording come from the modules that enforce them
 * (the checkout's license summaries, the download quota, the tiers), so the page says what the
 * code does.
 */

export const links: LinksFunction = () => [{ rel: "stylesheet", href: legalStyles }];

export const meta: MetaFunction = () => [
  { title: "Terms — Studio Store" },
  {
    name: "description",
    content: "License terms, downloads, refunds, memberships and studio projects at Studio Store.",
  },
];

/** Nothing per visitor: the loader exists so the page is cached like the other public pages. */
export function loader() {
  return publicPageData(null);
}

export const headers = publicPageHeaders;

// The same sentences the product page shows next to each price.
const [personal, commercial] = licenseOptions({
  pricePersonalCents: 0,
  priceCommercialCents: 0,
  priceTeamCents: null,
  teamSeats: 0,
});
const SECTIONS = {
  licenses: "Licenses",
  downloads: "Downloads",
  refunds: "Refunds",
  memberships: "Memberships and credits",
  studio: "Studio projects",
  contact: "Contact",
};

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

export default function Terms() {
  return (
    <LegalPage
      title="Terms"
      lead="The rules for what you buy here: what each license lets you do, how downloads work, refunds, memberships and studio projects."
      contents={SECTIONS}
    >
      <LegalSection id="licenses" title={SECTIONS.licenses}>
        <p>
          Every purchase gives you a license for one product, with a license key for the software.
          The license is yours: you may not resell, share or publish the files or the key. Which
          license you bought is shown on your <Link to="/account/licenses">licenses page</Link>.
        </p>
        <dl className="legal__facts">
          <dt>{personal!.label}</dt>
          <dd>{personal!.summary} Not for client work or for anything you sell.</dd>
          <dt>{commercial!.label}</dt>
          <dd>{commercial!.summary}</dd>
          <dt>Team</dt>
          <dd>
            Commercial use for the number of people shown on the product page; the key can be
            activated by that many people at once.
          </dd>
        </dl>
        <p>
          A license may have an expiry date when the product says so; otherwise it does not expire.
          We may suspend a license while we look into a payment dispute or a key that is being
          shared, and revoke it after a refund or a lost dispute. Your software is told the same
          through the license API.
        </p>
      </LegalSection>

      <LegalSection id="downloads" title={SECTIONS.downloads}>
        <ul className="legal__list">
          <li>
            Each license can download its file{" "}
            <strong>{DOWNLOADS_PER_WINDOW} times in any rolling 14 days</strong>. A download counts
            when its link is issued; a link you never use stops counting when it expires after{" "}
            {GRANT_TTL_MS / MINUTE_MS} minutes.
          </li>
          <li>
            An interrupted download can be resumed for {RESUME_WINDOW_MS / HOUR_MS} hours without
            counting again.
          </li>
          <li>
            Need more (a new computer, a lost file)? Ask for a reset on the license&apos;s page.
            Staff read every request; once approved, earlier downloads stop counting.
          </li>
          <li>
            Downloads from many different places in a short time suspend the license until we have
            checked it.
          </li>
        </ul>
      </LegalSection>

      <LegalSection id="refunds" title={SECTIONS.refunds}>
        <p>
          If a product isn&apos;t what its page described, or you bought it by mistake, write to{" "}
          <a href={`mailto:${CONTACT_EMAIL}`}>{CONTACT_EMAIL}</a> with the purchase. Refunds go back
          to the card you paid with, through Stripe. A refunded purchase&apos;s license is revoked:
          its key stops working and the file can no longer be downloaded. Your receipts are on your{" "}
          <Link to="/account/purchases">purchases page</Link>.
        </p>
      </LegalSection>

      <LegalSection id="memberships" title={SECTIONS.memberships}>
        <ul className="legal__list">
          <li>
            A membership ({TIER_ORDER.map((tier) => TIERS[tier].name).join(", ")}) gives you credits
            every {TIERS[TIER_ORDER[0]!].periodDays} days to spend on studio work. Prices and
            allowances are on the <Link to="/pricing">pricing page</Link>.
          </li>
          <li>
            At the end of a period unused credits roll over up to your tier&apos;s cap; the rest
            lapse. Credits you top up count towards the same cap.
          </li>
          <li>
            A membership renews automatically until you turn auto-renew off on your{" "}
            <Link to="/account/membership">membership page</Link>; it then runs to the end of the
            period you paid for.
          </li>
          <li>
            Credits have no cash value and cannot be transferred. Credits reserved for an add-on the
            studio rejects, or that you withdraw before work starts, come back to you.
          </li>
        </ul>
      </LegalSection>

      <LegalSection id="studio" title={SECTIONS.studio}>
        <ul className="legal__list">
          <li>
            You <Link to="/account/projects/new">request a project</Link>; the studio accepts it
            with a scope, the features agreed and a deadline, or declines it with a reason.
          </li>
          <li>
            Projects go through design, build and post-launch. You have {DEFAULT_REVISIONS.DESIGN}{" "}
            design revisions and {DEFAULT_REVISIONS.BUILD} build revision unless agreed otherwise;
            more are an add-on.
          </li>
          <li>
            Add-ons (extra revisions, content edits, support calls, rush delivery, fixes) are paid
            with credits, reserved when you ask and priced up front; a custom request is priced by
            the studio and you confirm it before any credits are used.
          </li>
          <li>
            The studio may pause a project (it resumes where it left off) or cancel it, always with
            a reason; every change is recorded on the project&apos;s page.
          </li>
        </ul>
      </LegalSection>

      <LegalSection id="contact" title={SECTIONS.contact}>
        <p>
          Questions about these terms: <a href={`mailto:${CONTACT_EMAIL}`}>{CONTACT_EMAIL}</a>. How
          we handle your data is on the <Link to="/privacy">privacy page</Link>.
        </p>
      </LegalSection>
    </LegalPage>
  );
}
