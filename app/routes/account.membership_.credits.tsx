import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { useLoaderData } from "@remix-run/react";
import { CreditsChart } from "~/components/credits-chart";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { LedgerTable } from "~/components/ledger-table";
import { MembershipTabs } from "~/components/membership-tabs";
import { EmptyState, PageHeader } from "~/components/page";
import { CursorPagination } from "~/components/pagination";
import { creditHistoryPageView } from "~/components/membership-plan-page.server";
import {
  getCreditHistory,
  pageCursor,
  redirect,
  requireUser,
} from "~/components/membership-page.server";
import chartStyles from "~/styles/charts.css?url";
import membershipStyles from "~/styles/membership.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: chartStyles },
  { rel: "stylesheet", href: membershipStyles },
];

export const meta: MetaFunction = () => [{ title: "Credit history — Studio Store" }];

/** The owner's ledger, newest first (`?cursor=`), and the balance over time. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const history = await getCreditHistory(context.db, user.id, { cursor: pageCursor(request) });
  // A teammate spends from someone else's pool and has no ledger of their own to read here.
  if (!history) throw redirect("/account/membership");
  return creditHistoryPageView(history);
}

export default function MembershipCredits() {
  const { tierName, ended, ledger, nextCursor, chart } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="Membership">
        <strong>{tierName}</strong>
      </PageHeader>
      <MembershipTabs team={!ended} />

      <section aria-labelledby="chart-heading">
        <h2 id="chart-heading">Credits over time</h2>
        <CreditsChart chart={chart} />
      </section>

      <section aria-labelledby="ledger-heading">
        <h2 id="ledger-heading">Ledger</h2>
        <LedgerTable rows={ledger} empty={<EmptyState title="No entries yet" />} />
        <CursorPagination nextCursor={nextCursor} />
      </section>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
