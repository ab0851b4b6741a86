import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import { useActionData, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { MembershipTabs } from "~/components/membership-tabs";
import { TeamSection } from "~/components/membership-team";
import { PageHeader } from "~/components/page";
import { tierName } from "~/components/membership-plan-page.server";
import {
  findMembershipOfUser,
  getTeamOverview,
  readForm,
  redirect,
  requireAccountAction,
  requireUser,
  teamAction,
} from "~/components/membership-page.server";
import membershipStyles from "~/styles/membership.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: membershipStyles }];

export const meta: MetaFunction = () => [{ title: "Your team — Studio Store" }];

/** The owner's seats, teammates (usage and caps) and invitations. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const seat = await findMembershipOfUser(context.db, user.id);
  // Only a running membership's owner manages its team; everyone else has the plan page.
  if (!seat || seat.role !== "OWNER" || seat.status === "EXPIRED") {
    throw redirect("/account/membership");
  }
  const team = await getTeamOverview(context.db, {
    membership: seat,
    viewerId: user.id,
    now: new Date(),
  });
  return {
    team: {
      tierName: tierName(seat.tier),
      seats: team.seats,
      seatsUsed: team.seatsUsed,
      seatsLeft: team.seatsLeft,
      invitations: team.invitations,
      members: team.members,
    },
  };
}

/** The team intents (`invite`, `revoke-invitation`, `remove-member`, `set-cap`). */
export async function action({ request, context }: ActionFunctionArgs) {
  const account = await requireAccountAction(request, context);
  const formData = await readForm(request);
  return teamAction({ context, account, formData, origin: new URL(request.url).origin });
}

export default function MembershipTeam() {
  const { team } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  return (
    <>
      <PageHeader title="Membership">
        <strong>{team.tierName}</strong>
      </PageHeader>
      <MembershipTabs team />
      <TeamSection team={team} reply={reply} />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
