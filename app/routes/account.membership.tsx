import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { Badge } from "~/components/badge";
import { EmptyState, PageHeader } from "~/components/page";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Facts } from "~/components/facts";
import { FormError, SelectField, SubmitButton, useFormReply } from "~/components/forms";
import { MembershipTabs } from "~/components/membership-tabs";
import { TeammateView } from "~/components/membership-teammate";
import { MembershipPlan, PlanNotices, TestProviderPanel } from "~/components/membership-plan";
import {
  overviewPageView,
  planPageView,
  teammatePageView,
} from "~/components/membership-plan-page.server";
import { AutoRenewFormSchema } from "~/domain/memberships/forms";
import { isTeamIntent } from "~/domain/memberships/team";
import {
  CancelDowngradeFormSchema,
  ChangeTierFormSchema,
  PauseFormSchema,
  ResumeFormSchema,
} from "~/domain/memberships/lifecycle-forms";
import {
  cancelDowngrade,
  changeTier,
  data,
  findMembershipOfUser,
  getMembershipOverview,
  getMembershipPlan,
  getTeamOverview,
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
import type { FormReply } from "~/lib/form-reply";
import type { AccountAction } from "~/request/account.server";
import membershipStyles from "~/styles/membership.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: membershipStyles }];

export const meta: MetaFunction = () => [{ title: "Your membership — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  // The membership this person is on: their own, or the pool they have a teammate's seat on.
  const seat = await findMembershipOfUser(context.db, user.id);
  if (seat && seat.role === "MEMBER") {
    const team = await getTeamOverview(context.db, {
      membership: seat,
      viewerId: user.id,
      now: new Date(),
    });
    const teammate = teammatePageView(seat, team.viewerUsage);
    return { overview: null, teammate, plan: null };
  }
  const overview = await getMembershipOverview(context.db, user.id);
  if (!overview) return { overview: null, teammate: null, plan: null };
  const plan = await getMembershipPlan(context.db, user.id, context.env);
  return {
    plan: plan ? planPageView(plan) : null,
    overview: overviewPageView(overview),
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

/** Team forms live on /account/membership/team; this page still answers them (URL contract). */
const TEAM_PAGE_INTENTS = new Set(["invite", "revoke-invitation", "remove-member", "set-cap"]);

/** A team form's refusal posted here: its form error, else its first field's. */
const teamRefusal = (reply: FormReply | undefined) =>
  reply && TEAM_PAGE_INTENTS.has(reply.intent ?? "")
    ? (reply.formError ?? Object.values(reply.fieldErrors)[0])
    : undefined;

export default function AccountMembership() {
  const { overview, teammate, plan } = useLoaderData<typeof loader>();
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
  const { expired } = overview;
  const refusedTeamForm = teamRefusal(reply);
  return (
    <>
      <PageHeader title="Membership">
        <strong>{overview.tierName}</strong> ·{" "}
        <Badge tone={expired ? "danger" : "success"}>{overview.status}</Badge>
      </PageHeader>
      <MembershipTabs team={!expired} />
      {refusedTeamForm && (
        <FormError>
          {refusedTeamForm} <Link to="/account/membership/team">Open your team</Link>
        </FormError>
      )}

      {plan && <PlanNotices notices={plan.notices} />}

      <Facts className="membership-summary" facts={overview.facts} />
      {overview.periodText ? (
        <p className="muted">{overview.periodText}</p>
      ) : expired ? (
        <p>
          Your membership has ended. <Link to="/pricing">Subscribe again</Link> to get credits.
        </p>
      ) : null}

      {plan?.controls && <MembershipPlan controls={plan.controls} reply={reply} />}
      {plan?.testRenewal && <TestProviderPanel renewal={plan.testRenewal} />}

      {!expired && (
        <section aria-labelledby="renew-heading">
          <h2 id="renew-heading">Auto-renew</h2>
          <FormError>{form.formError}</FormError>
          <Form method="post" className="inline-form">
            <input type="hidden" name="intent" value="auto-renew" />
            <input type="hidden" name="autoRenew" value={overview.autoRenew ? "off" : "on"} />
            <p>Auto-renew is {overview.autoRenew ? "on" : "off"}.</p>
            <SubmitButton
              pendingText="Saving…"
              className={overview.autoRenew ? "button button--ghost" : "button"}
            >
              {overview.autoRenew ? "Turn off auto-renew" : "Turn on auto-renew"}
            </SubmitButton>
          </Form>
        </section>
      )}

      {overview.packOptions.length > 0 && (
        <section aria-labelledby="top-up-heading">
          <h2 id="top-up-heading">Top up</h2>
          <Form method="post" action="/checkout/credits" className="pack-form">
            <SelectField
              label="Credit pack"
              name="pack"
              options={overview.packOptions}
              defaultValue={overview.packOptions[0]!.value}
            />
            <SubmitButton pendingText="Opening checkout…">Buy credits</SubmitButton>
          </Form>
        </section>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
