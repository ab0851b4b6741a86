import {
  data,
  type ActionFunctionArgs,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { Badge } from "~/components/badge";
import { Field, FormError, SubmitButton, useFormReply } from "~/components/forms";
import { PageHeader } from "~/components/page";
import { ProjectStatusBadge } from "~/components/studio";
import { PROFILE_NAME_MAX_LENGTH } from "~/domain/account/profile-limits";
import { ProfileFormSchema } from "~/domain/account/profile-forms";
import { needsGuardianConsent } from "~/domain/auth/age";
import { DOWNLOADS_PER_WINDOW } from "~/domain/downloads/quota";
import { TIERS } from "~/domain/memberships/tiers";
import { PHASE_LABELS } from "~/domain/projects/labels";
import { formatDate } from "~/lib/format";
import { parseForm } from "~/lib/forms.server";
import { redirectWithToast } from "~/lib/toast.server";
import { requireAccountAction } from "~/request/account.server";
import { requireUserWith } from "~/request/auth.server";
import { readForm } from "~/request/read-form.server";
import { sessionAccountOverview, updateProfile } from "~/services/account-overview.server";
import overviewStyles from "~/styles/account-overview.css?url";
import { LocalTime } from "~/components/local-time";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: overviewStyles }];

export const meta: MetaFunction = () => [{ title: "Your account — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  // The overview goes to D1 in the same batch as the session lookup: one round trip.
  const { user, data: overview } = await requireUserWith(
    request,
    context,
    sessionAccountOverview(context.db),
  );
  return { ...overview, consentPending: needsGuardianConsent(user) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const account = await requireAccountAction(request, context);
  const formData = await readForm(request);
  const submission = parseForm(formData, ProfileFormSchema);
  if (!submission.ok) return data(submission.reply, { status: 400 });
  const { changed } = await updateProfile(context.db, {
    actor: account.actor,
    name: submission.value.name,
    request: account.request,
    now: account.now,
  });
  return redirectWithToast(context, "/account", {
    message: changed ? "Your name is saved." : "Nothing to change: that is already your name.",
  });
}

// ---- Page -----------------------------------------------------------------------------------

export default function AccountOverview() {
  const overview = useLoaderData<typeof loader>();
  const { profile } = overview;
  return (
    <>
      <PageHeader title={`Hello, ${profile.name}`}>{profile.email}</PageHeader>

      {overview.consentPending && (
        <section className="notice" aria-labelledby="consent-title" data-testid="consent-pending">
          <h2 id="consent-title">Waiting for your guardian</h2>
          <p>
            We emailed your parent or guardian a link to agree to your account. Until they do, you
            can browse the store, but you can&apos;t buy or start a project.
          </p>
          <Form method="post" action="/account/consent">
            <SubmitButton pendingText="Sending…" className="button button--ghost">
              Send the email again
            </SubmitButton>
          </Form>
        </section>
      )}

      <div className="overview-grid">
        <LicensesCard licenses={overview.licenses} />
        <MembershipCard membership={overview.membership} />
        <ProjectsCard projects={overview.projects} />
        <SecurityCard security={overview.security} />
      </div>

      <ProfileSection name={profile.name} />
    </>
  );
}

type Overview = ReturnType<typeof useLoaderData<typeof loader>>;

/** Each card's title links to its page; the link under it says what is there. */
const CARDS = {
  licenses: { title: "Licenses", to: "/account/licenses", more: "All licenses" },
  membership: { title: "Membership", to: "/account/membership", more: "Credits and history" },
  pricing: { title: "Membership", to: "/pricing", more: "See the tiers" },
  projects: { title: "Projects", to: "/account/projects", more: "All projects" },
  security: { title: "Security", to: "/account/security", more: "Security settings" },
} as const;

/**
 * One overview card: `empty` (an invitation to the next step) stands in for the figure and
 * the list when the user has nothing of this kind yet.
 */
function OverviewCard({
  id,
  card,
  empty,
  figure,
  children,
}: {
  id: string;
  card: (typeof CARDS)[keyof typeof CARDS];
  empty?: ReactNode;
  figure?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <section className="overview-card" aria-labelledby={`${id}-title`} data-testid={id}>
      <h2 id={`${id}-title`}>
        <Link to={card.to}>{card.title}</Link>
      </h2>
      {empty ? (
        <p className="muted">{empty}</p>
      ) : (
        <>
          {figure && (
            <p className="overview-card__figure" data-testid={`${id}-figure`}>
              {figure}
            </p>
          )}
          {children}
        </>
      )}
      <p className="overview-card__more">
        <Link to={card.to}>{card.more}</Link>
      </p>
    </section>
  );
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function LicensesCard({ licenses }: { licenses: Overview["licenses"] }) {
  return (
    <OverviewCard
      id="overview-licenses"
      card={CARDS.licenses}
      empty={
        licenses.total === 0 && (
          <>
            No licenses yet. <Link to="/products">Browse the products</Link> — each one comes with a
            license key and {DOWNLOADS_PER_WINDOW} downloads every 14 days.
          </>
        )
      }
      figure={
        <>
          <strong>{licenses.active}</strong> active
          {licenses.total > licenses.active && <span className="muted"> of {licenses.total}</span>}
        </>
      }
    >
      <ul className="overview-list" role="list">
        {licenses.newest.map((license) => (
          <li key={license.id} data-testid="overview-license">
            <Link to={`/account/licenses/${license.id}`}>{license.productName}</Link>
            <span className="muted">
              {license.quota.left} of {DOWNLOADS_PER_WINDOW} downloads left
              {license.quota.nextFreeAt && (
                <>
                  {" "}
                  · next on <LocalTime value={license.quota.nextFreeAt} />
                </>
              )}
            </span>
          </li>
        ))}
      </ul>
    </OverviewCard>
  );
}

function MembershipCard({ membership }: { membership: Overview["membership"] }) {
  if (!membership) {
    return (
      <OverviewCard
        id="overview-membership"
        card={CARDS.pricing}
        empty="No membership yet. A membership gives you credits every month for design and build work from the studio."
      />
    );
  }
  return (
    <OverviewCard
      id="overview-membership"
      card={CARDS.membership}
      figure={
        <>
          <strong>{membership.balance}</strong> {membership.balance === 1 ? "credit" : "credits"}
        </>
      }
    >
      <p>
        {TIERS[membership.tier].name}
        {membership.status !== "ACTIVE" && (
          <>
            {" "}
            <Badge tone="neutral">{membership.status.toLowerCase().replace("_", " ")}</Badge>
          </>
        )}
        <br />
        <span className="muted">
          {membership.renews ? "Renews" : "Ends"} on {formatDate(membership.periodEnd)}
        </span>
      </p>
    </OverviewCard>
  );
}

function ProjectsCard({ projects }: { projects: Overview["projects"] }) {
  return (
    <OverviewCard
      id="overview-projects"
      card={CARDS.projects}
      empty={
        projects.open === 0 && (
          <>
            No open projects. <Link to="/account/projects/new">Request a project</Link> and the
            studio replies with a scope and a deadline.
          </>
        )
      }
      figure={
        <>
          <strong>{projects.open}</strong> open
        </>
      }
    >
      <ul className="overview-list" role="list">
        {projects.newest.map((project) => (
          <li key={project.id} data-testid="overview-project">
            <Link to={`/account/projects/${project.id}`}>{project.title}</Link>
            <span>
              <ProjectStatusBadge status={project.status} accepted={project.accepted} />{" "}
              {project.accepted && <span className="muted">{PHASE_LABELS[project.phase]}</span>}
            </span>
          </li>
        ))}
      </ul>
    </OverviewCard>
  );
}

function SecurityCard({ security }: { security: Overview["security"] }) {
  return (
    <OverviewCard id="overview-security" card={CARDS.security}>
      <ul className="overview-list" role="list">
        <li>
          Two-factor authentication
          <Badge tone={security.twoFactorEnabled ? "success" : "neutral"}>
            {security.twoFactorEnabled ? "On" : "Off"}
          </Badge>
        </li>
        <li>
          Email address
          <Badge tone={security.emailVerified ? "success" : "danger"}>
            {security.emailVerified ? "Verified" : "Not verified"}
          </Badge>
        </li>
        <li>
          Devices
          <span>{plural(security.devices, "device")}</span>
        </li>
        <li>
          Last log-in
          <span>
            <LocalTime value={security.lastLoginAt} empty="Not recorded" />
          </span>
        </li>
      </ul>
    </OverviewCard>
  );
}

function ProfileSection({ name }: { name: string }) {
  const form = useFormReply(useActionData<typeof action>(), { intent: "profile" });
  return (
    <section className="section overview-profile" aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      <Form method="post" className="form-stack" key={name}>
        <input type="hidden" name="intent" value="profile" />
        <FormError>{form.formError}</FormError>
        <Field
          label="Name"
          description="Shown on your account and in the emails we send you."
          meta={form.field("name", name)}
          required
          maxLength={PROFILE_NAME_MAX_LENGTH}
          autoComplete="name"
        />
        <SubmitButton pendingText="Saving…">Save name</SubmitButton>
      </Form>
      <p className="muted">
        Your email address and password are changed on the{" "}
        <Link to="/account/security">Security</Link> page. To take a copy of your data or delete
        your account, see <Link to="/account/privacy">Privacy</Link>.
      </p>
    </section>
  );
}
