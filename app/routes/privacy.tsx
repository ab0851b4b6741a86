import type { LinksFunction, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { LegalPage, LegalSection } from "~/components/legal-page";
import { RETENTION } from "~/domain/backups/retention";
import { DOWNLOADS_PER_WINDOW } from "~/domain/downloads/quota";
import { CONTACT_EMAIL } from "~/lib/contact";
import { publicPageData, publicPageHeaders } from "~/request/page-cache.server";
import { GUARDIAN_CONSENT_TTL_MS } from "~/services/auth/signup.server";
import { SENT_EMAIL_RETENTION_MS } from "~/services/email-outbox.server";
import { SESSION_TTL_MS } from "~/services/sessions.server";
import legalStyles from "~/styles/legal.css?url";

/**
 * `/privacy` (issue 13, item 8): what the site stores, why, for how long, who processes it,
 * and how people take or erase it. The periods come from the code that enforces them, so the
 * page cannot drift from what the jobs do.
 */

export const links: LinksFunction = () => [{ rel: "stylesheet", href: legalStyles }];

export const meta: MetaFunction = () => [
  { title: "Privacy — Studio Store" },
  {
    name: "description",
    content:
      "What Studio Store stores about you, why, for how long, and how to export or delete it.",
  },
];

const SECTIONS = {
  what: "What we store and why",
  "how-long": "How long we keep it",
  who: "Who processes it",
  cookies: "Cookies",
  rights: "Export or delete your data",
};

const DAY_MS = 24 * 60 * 60 * 1000;
/** Audit rows stay in the database this long, then move to the archive (§11). */
const AUDIT_RETENTION_DAYS = 180;
/** A deletion request waits this long; logging in during it cancels the deletion. */
const DELETION_GRACE_DAYS = 7;

export async function loader() {
  return publicPageData({
    sessionDays: SESSION_TTL_MS / DAY_MS,
    sentEmailDays: SENT_EMAIL_RETENTION_MS / DAY_MS,
    consentDays: GUARDIAN_CONSENT_TTL_MS / DAY_MS,
    backups: RETENTION,
  });
}

export const headers = publicPageHeaders;

export default function Privacy() {
  const periods = useLoaderData<typeof loader>();
  return (
    <LegalPage
      title="Privacy"
      lead="What we store about you, why, for how long, and how to take it with you or have it erased. We never sell your data, rent it out or share it for advertising."
      contents={SECTIONS}
    >
      <LegalSection id="what" title={SECTIONS.what}>
        <dl className="legal__facts">
          <dt>Your account</dt>
          <dd>
            Your name, email address, a scrypt hash of your password (never the password itself),
            your date of birth (to apply the age rules) and, for under-18s, a parent or
            guardian&apos;s email address. With two-factor authentication on, an encrypted secret
            and hashed recovery codes. We need these to let you log in and keep the account safe.
          </dd>
          <dt>Purchases and licenses</dt>
          <dd>
            What you bought, under which license, the price and its status, and your license keys
            (encrypted; shown to you masked unless you reveal them). Payments go through Stripe: we
            keep Stripe&apos;s reference, never your card details. We need these to deliver what you
            paid for and because the law asks us to keep invoices.
          </dd>
          <dt>Downloads</dt>
          <dd>
            Each download and each refused attempt: when, the license, your browser&apos;s user
            agent, a keyed hash of your IP address and a hash of your device&apos;s fingerprint. The
            hashes cannot be turned back into an address or a device; they let us enforce the limit
            of {DOWNLOADS_PER_WINDOW} downloads per 14 days and spot a key shared around.
          </dd>
          <dt>Devices and sessions</dt>
          <dd>
            The devices you logged in from (a readable label such as &ldquo;Firefox on macOS&rdquo;,
            a fingerprint hash and a hashed IP address) and your log-in sessions (we store only a
            hash of the session token). You see them and log them out at{" "}
            <Link to="/account/security">Security</Link>.
          </dd>
          <dt>Memberships, credits and projects</dt>
          <dd>
            Your membership tier, every credit added or spent, and the studio projects you request
            with their notes, revisions and add-ons, so both sides can see what was agreed and paid
            for.
          </dd>
          <dt>Audit log</dt>
          <dd>
            A record of security-relevant events (log-ins and failed attempts, changes to your
            account, purchases, downloads, staff actions) with a hashed IP address and the user
            agent. Secrets (passwords, keys, codes) are removed before anything is written.
          </dd>
          <dt>Emails we send you</dt>
          <dd>
            Receipts, security notices and project updates wait in an outbox until they are
            delivered; we keep a copy for a while so staff can answer &ldquo;did I get that
            email?&rdquo;.
          </dd>
        </dl>
      </LegalSection>

      <LegalSection id="how-long" title={SECTIONS["how-long"]}>
        <ul className="legal__list">
          <li>
            <strong>Log-in sessions</strong> last {periods.sessionDays} days and are deleted within
            the hour after they expire, or at once when you log out.
          </li>
          <li>
            <strong>Rate-limit counters</strong> (keyed by a hash, never by your address) are
            deleted every day once their window has ended.
          </li>
          <li>
            <strong>Sent emails</strong> are deleted {periods.sentEmailDays} days after they were
            sent.
          </li>
          <li>
            <strong>Guardian consent links</strong> expire after {periods.consentDays} days;
            password reset and email links expire much sooner and work once.
          </li>
          <li>
            <strong>The audit log</strong> stays in the database for {AUDIT_RETENTION_DAYS} days,
            then moves to an archive in our own storage, readable only by staff allowed to see it.
          </li>
          <li>
            <strong>Backups</strong> of the database: one for each of the last{" "}
            {periods.backups.daily} days, {periods.backups.weekly} weeks and{" "}
            {periods.backups.monthly} months, plus the ones taken before a new version goes live,
            for {periods.backups.preDeploymentDays} days. Older backups are deleted.
          </li>
          <li>
            <strong>Your account, purchases, licenses, downloads and projects</strong> stay while
            your account exists. When you delete your account, they are erased or made anonymous as
            described below.
          </li>
        </ul>
      </LegalSection>

      <LegalSection id="who" title={SECTIONS.who}>
        <ul className="legal__list">
          <li>
            <strong>Cloudflare</strong> runs the site: the application, its database and file
            storage, and the delivery of our emails.
          </li>
          <li>
            <strong>Stripe</strong> takes payments. Your card details go to Stripe directly and
            never reach us.
          </li>
        </ul>
        <p>
          Nobody else receives your data. <strong>We do not sell it</strong>, rent it out, or share
          it with advertisers or data brokers, and the site has no advertising or tracking scripts.
        </p>
      </LegalSection>

      <LegalSection id="cookies" title={SECTIONS.cookies}>
        <p>
          Only the ones the site needs to work: a session cookie while you are logged in, a
          short-lived one during the two-factor step, and a one-minute one that carries a
          confirmation message to the next page. Your browser also keeps a random device id so you
          can recognise your devices at Security. No analytics or advertising cookies.
        </p>
      </LegalSection>

      <LegalSection id="rights" title={SECTIONS.rights}>
        <p>
          At <Link to="/account/privacy">Account → Privacy</Link> you can download everything we
          hold about you as one JSON file, and delete your account. A deletion waits{" "}
          {DELETION_GRACE_DAYS} days, and logging in during that time cancels it. After that your
          name, email, sessions, devices and two-factor secret are erased; purchases, licenses,
          credit history and audit rows are kept without anything that identifies you, because
          invoices must be kept and the records must stay consistent. Active licenses are revoked
          and a membership is cancelled.
        </p>
        <p>
          You can also correct your name on your <Link to="/account">account page</Link>, and write
          to <a href={`mailto:${CONTACT_EMAIL}`}>{CONTACT_EMAIL}</a> with any question or request
          about your data.
        </p>
      </LegalSection>
    </LegalPage>
  );
}
