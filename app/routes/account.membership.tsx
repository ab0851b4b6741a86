import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { Badge } from "~/components/badge";
import { CreditsChart } from "~/components/credits-chart";
import { EmptyState, PageHeader } from "~/components/page";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Facts } from "~/components/facts";
import { FormError, SelectField, SubmitButton, useFormReply } from "~/components/forms";
import { LedgerTable } from "~/components/ledger-table";
import { TeammateView, TeamSection } from "~/components/membership-team";
import { MembershipPlan, PlanNotices, TestProviderPanel } from "~/components/membership-plan";
import { CursorPagination } from "~/components/pagination";
import { buildBalanceChart } from "~/domain/credits/chart";
import { AutoRenewFormSchema } from "~/domain/memberships/forms";
import { isTeamIntent } from "~/domain/memberships/team";
import {
  CancelDowngradeFormSchema,
  ChangeTierFormSchema,
  PauseFormSchema,
  ResumeFormSchema,
} from "~/domain/memberships/lifecycle-forms";
import { CREDIT_PACKS, TIERS } from "~/domain/memberships/tiers";
import { formatMoney } from "~/domain/money";
import { formatDate } from "~/lib/format";
import {
  cancelDowngrade,
  changeTier,
  data,
  findMembershipOfUser,
  getMembershipOverview,
  getMembershipPlan,
  getTeamOverview,
  pageCursor,
  parseForm,
  pauseMembership,
  readForm,
  redirect,
  redirectWithToast,
  refusedForm,
  requireAccountAction,
  requireUser,
  resumeMembership,
  setAutoRenew,
  teamAction,
} from "~/components/membership-page.server";
import type { AccountAction } from "~/request/account.server";
import chartStyles from "~/styles/charts.css?url";
import membershipStyles from "~/styles/membership.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: chartStyles },
  { rel: "stylesheet", href: membershipStyles },
];

export const meta: MetaFunction = () => [{ title: "Your membership — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  // The membership this person is on: their own, or the pool they have a teammate's seat on.
  const seat = await findMembershipOfUser(context.db, user.id);
  const team = seat
    ? await getTeamOverview(context.db, { membership: seat, viewerId: user.id, now: new Date() })
    : null;
  if (seat && team && seat.role === "MEMBER") {
    const teammate = {
      ownerName: seat.ownerName,
      tierName: TIERS[seat.tier].name,
      status: seat.status,
      balance: seat.totalCredits - seat.usedCredits,
      usage: team.viewerUsage,
      periodCap: seat.periodCap,
      periodEnd: seat.currentPeriodEnd,
    };
    return { overview: null, team: null, teammate, plan: null };
  }
  const overview = await getMembershipOverview(context.db, user.id, {
    cursor: pageCursor(request),
  });
  if (!overview) return { overview: null, team: null, teammate: null, plan: null };
  const { invitations, members, seats, seatsLeft, seatsUsed } = team ?? {
    invitations: [],
    members: [],
    seats: TIERS[overview.membership.tier].seats,
    seatsLeft: 0,
    seatsUsed: 1,
  };
  const ownerTeam = {
    tierName: TIERS[overview.membership.tier].name,
    seats,
    seatsUsed,
    seatsLeft,
    invitations,
    members,
  };
  const { membership, ledger, history, ...facts } = overview;
  return {
    plan: await getMembershipPlan(context.db, user.id, context.env),
    overview: {
      ...facts,
      membership: {
        tier: membership.tier,
        status: membership.status,
        usedCredits: membership.usedCredits,
        autoRenew: membership.autoRenew,
        currentPeriodEnd: membership.currentPeriodEnd,
      },
      tier: TIERS[membership.tier],
      ledger: ledger.items.map(({ seq: _seq, reference: _reference, ...row }) => row),
      nextCursor: ledger.nextCursor,
      chart: buildBalanceChart(history),
    },
    team: overview.membership.status === "EXPIRED" ? null : ownerTeam,
    teammate: null,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const account = await requireAccountAction(request, context);
  const formData = await readForm(request);
  if (isTeamIntent(formData.get("intent"))) {
    return teamAction({ context, account, formData, origin: new URL(request.url).origin });
  }
  const plan = await planAction(context, account, formData);
  if (plan) return plan;
  const submission = parseForm(formData, AutoRenewFormSchema);
  if (!submission.ok) return data(submission.reply, { status: 400 });
  const result = await setAutoRenew(
    { db: context.db, env: context.env },
    { ...account, user: account.actor, autoRenew: submission.value.autoRenew },
  );
  if (!result.ok) return refusedForm(formData, result);
  return redirectWithToast(context, "/account/membership", {
    kind: "success",
    message: submission.value.autoRenew
      ? "Auto-renew is on: your membership renews at the end of the period."
      : "Auto-renew is off: your membership ends with this period.",
  });
}

/** Plan intents (issue 15): change-tier, cancel-downgrade, pause, resume; null for the others. */
async function planAction(
  context: ActionFunctionArgs["context"],
  account: AccountAction,
  formData: FormData,
) {
  const deps = { db: context.db, env: context.env };
  const input = { ...account, user: { ...account.actor, email: account.user.email } };
  const done = (message: string, to = "/account/membership") =>
    redirectWithToast(context, to, { kind: "success", message });
  switch (formData.get("intent")) {
    case "change-tier": {
      const submission = parseForm(formData, ChangeTierFormSchema);
      if (!submission.ok) return data(submission.reply, { status: 400 });
      const result = await changeTier(deps, { ...input, tier: submission.value.tier });
      if (!result.ok) return refusedForm(formData, result);
      return result.redirectTo ? redirect(result.redirectTo) : done(result.message);
    }
    case "cancel-downgrade": {
      const submission = parseForm(formData, CancelDowngradeFormSchema);
      if (!submission.ok) return data(submission.reply, { status: 400 });
      const result = await cancelDowngrade(deps, input);
      return result.ok ? done(result.message) : refusedForm(formData, result);
    }
    case "pause": {
      const submission = parseForm(formData, PauseFormSchema);
      if (!submission.ok) return data(submission.reply, { status: 400 });
      const result = await pauseMembership(deps, { ...input, months: submission.value.months });
      return result.ok ? done(result.message) : refusedForm(formData, result);
    }
    case "resume": {
      const submission = parseForm(formData, ResumeFormSchema);
      if (!submission.ok) return data(submission.reply, { status: 400 });
      const result = await resumeMembership(deps, input);
      return result.ok ? done(result.message) : refusedForm(formData, result);
    }
    default:
      return null;
  }
}

const PACK_OPTIONS = CREDIT_PACKS.map((pack) => ({
  value: pack.id,
  label: `${pack.name} — ${formatMoney(pack.priceCents, pack.currency)}`,
}));

export default function AccountMembership() {
  const { overview, team, teammate, plan } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  const form = useFormReply(reply, { intent: "auto-renew" });
  if (teammate) {
    return (
      <>
        <PageHeader title="Membership">
          <strong>{teammate.tierName}</strong> · <Badge tone="neutral">teammate</Badge>
        </PageHeader>
        <TeammateView membership={teammate} reply={reply} />
      </>
    );
  }
  if (!overview) {
    return (
      <>
        <PageHeader title="Membership" />
        <EmptyState title="You're not a member yet">
          <p>
            A membership gives you credits every month for work from the studio.{" "}
            <Link to="/pricing">See the tiers and prices</Link>.
          </p>
        </EmptyState>
      </>
    );
  }
  const { membership, tier } = overview;
  const expired = membership.status === "EXPIRED";
  // Paused or waiting for a failed payment: the plan notice above says what happens next.
  const onHold =
    membership.autoRenew && (membership.status === "PAUSED" || membership.status === "PAST_DUE");
  const periodEnd = formatDate(membership.currentPeriodEnd);

  return (
    <>
      <PageHeader title="Membership">
        <strong>{tier.name}</strong> ·{" "}
        <Badge tone={expired ? "danger" : "success"}>
          {membership.status.toLowerCase().replace("_", " ")}
        </Badge>
      </PageHeader>

      {plan && <PlanNotices plan={plan} />}

      <Facts
        className="membership-summary"
        facts={[
          { label: "Balance", value: `${overview.remaining} credits`, testId: "credit-balance" },
          { label: "Used this period", value: membership.usedCredits },
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
            value: `${overview.paidCredits} credits`,
            testId: "paid-credits",
          },
          {
            label: "Rolls over at renewal",
            value: overview.renews ? `${overview.rolloverPreview} credits` : "—",
          },
        ]}
      />
      {overview.renews ? (
        <p className="muted">
          On {periodEnd}, up to {tier.rolloverCap} unused credits carry over (now{" "}
          {overview.rolloverPreview}) and {overview.nextAllocation} new credits arrive
          {overview.paidCredits > 0 && <>, beside your {overview.paidCredits} bought credits</>},
          for {overview.paidCredits + overview.rolloverPreview + overview.nextAllocation} in total.
          Credits you buy in packs never expire, and period credits are spent before them.
          {overview.paymentPending &&
            " The payment for this period hasn't reached us yet; the renewal waits for it, and the membership ends if it never arrives."}
        </p>
      ) : expired ? (
        <p>
          Your membership has ended. <Link to="/pricing">Subscribe again</Link> to get credits.
        </p>
      ) : onHold ? null : (
        <p className="muted">
          Auto-renew is off: your membership ends on {periodEnd} and unused period credits expire
          then (bought credits are kept).
        </p>
      )}

      {plan && <MembershipPlan plan={plan} reply={reply} />}
      {plan && <TestProviderPanel plan={plan} />}

      {!expired && (
        <section aria-labelledby="renew-heading">
          <h2 id="renew-heading">Auto-renew</h2>
          <FormError>{form.formError}</FormError>
          <Form method="post" className="inline-form">
            <input type="hidden" name="intent" value="auto-renew" />
            <input type="hidden" name="autoRenew" value={membership.autoRenew ? "off" : "on"} />
            <p>Auto-renew is {membership.autoRenew ? "on" : "off"}.</p>
            <SubmitButton
              pendingText="Saving…"
              className={membership.autoRenew ? "button button--ghost" : "button"}
            >
              {membership.autoRenew ? "Turn off auto-renew" : "Turn on auto-renew"}
            </SubmitButton>
          </Form>
        </section>
      )}

      {team && <TeamSection team={team} reply={reply} />}

      {!expired && (
        <section aria-labelledby="top-up-heading">
          <h2 id="top-up-heading">Top up</h2>
          <Form method="post" action="/checkout/credits" className="pack-form">
            <SelectField
              label="Credit pack"
              name="pack"
              options={PACK_OPTIONS}
              defaultValue={PACK_OPTIONS[0]!.value}
            />
            <SubmitButton pendingText="Opening checkout…">Buy credits</SubmitButton>
          </Form>
        </section>
      )}

      <section aria-labelledby="chart-heading">
        <h2 id="chart-heading">Credits over time</h2>
        <CreditsChart chart={overview.chart} />
      </section>

      <section aria-labelledby="ledger-heading">
        <h2 id="ledger-heading">Ledger</h2>
        <LedgerTable rows={overview.ledger} empty={<EmptyState title="No entries yet" />} />
        <CursorPagination nextCursor={overview.nextCursor} />
      </section>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
