import type {
  ActionFunctionArgs,
  HeadersFunction,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { CreditsChart } from "~/components/credits-chart";
import { EmptyState } from "~/components/empty-state";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { SubmitButton } from "~/components/forms";
import { LedgerTable, type LedgerTableRow } from "~/components/ledger-table";
import { CursorPagination } from "~/components/pagination";
import { buildBalanceChart, type BalanceChart } from "~/domain/credits/chart";
import { AutoRenewFormSchema, LedgerPageQuerySchema } from "~/domain/memberships/forms";
import { CREDIT_PACKS, TIERS, type TierConfig } from "~/domain/memberships/tiers";
import { formatMoney } from "~/domain/money";
import { auditActor, auditRequestInfo, requireUser } from "~/request/auth.server";
import { invariantResponse } from "~/lib/http";
import { redirectWithToast } from "~/lib/toast.server";
import { getMembershipOverview, setAutoRenew } from "~/services/memberships.server";
import membershipStyles from "~/styles/membership.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: membershipStyles }];

export const meta: MetaFunction = () => [{ title: "Your membership — Studio Store" }];

/** A member's credits and ledger are private. */
export const headers: HeadersFunction = () => ({ "Cache-Control": "private, no-store" });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const query = LedgerPageQuerySchema.parse({
    cursor: new URL(request.url).searchParams.get("cursor"),
  });
  const overview = await getMembershipOverview(context.db, user.id, { cursor: query.cursor });
  if (!overview) {
    return Response.json({ overview: null }, { headers: { "Cache-Control": "private, no-store" } });
  }
  const { membership, ledger, history, ...facts } = overview;
  return Response.json(
    {
      overview: {
        ...facts,
        membership: {
          tier: membership.tier,
          status: membership.status,
          totalCredits: membership.totalCredits,
          usedCredits: membership.usedCredits,
          autoRenew: membership.autoRenew,
          currentPeriodStart: membership.currentPeriodStart,
          currentPeriodEnd: membership.currentPeriodEnd,
        },
        tier: TIERS[membership.tier],
        ledger: ledger.items.map(({ seq: _seq, reference: _reference, ...row }) => row),
        nextCursor: ledger.nextCursor,
        chart: buildBalanceChart(history),
      },
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const form = await request.formData();
  const parsed = AutoRenewFormSchema.safeParse({
    intent: form.get("intent") ?? undefined,
    autoRenew: form.get("autoRenew") ?? undefined,
  });
  invariantResponse(parsed.success, "This form asked for something we don't know how to do.");
  const result = await setAutoRenew(
    { db: context.db, env: context.env },
    {
      user: auditActor(user),
      autoRenew: parsed.data.autoRenew,
      now: new Date(),
      request: await auditRequestInfo(request, context),
    },
  );
  return redirectWithToast(context, "/account/membership", {
    kind: result.ok ? "success" : "error",
    message: result.message,
  });
}

type LoaderData = {
  overview: {
    membership: {
      tier: string;
      status: string;
      totalCredits: number;
      usedCredits: number;
      autoRenew: boolean;
      currentPeriodStart: string;
      currentPeriodEnd: string;
    };
    tier: TierConfig;
    remaining: number;
    renews: boolean;
    paymentPending: boolean;
    rolloverPreview: number;
    nextAllocation: number;
    ledger: LedgerTableRow[];
    nextCursor: string | null;
    chart: BalanceChart;
  } | null;
};

const day = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });

export default function AccountMembership() {
  const { overview } = useLoaderData<LoaderData>();
  if (!overview) {
    return (
      <>
        <header className="page-header">
          <h1>Membership</h1>
        </header>
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
  const periodEnd = day.format(new Date(membership.currentPeriodEnd));

  return (
    <>
      <header className="page-header">
        <h1>Membership</h1>
        <p>
          <strong>{tier.name}</strong> ·{" "}
          <span className={expired ? "badge badge--danger" : "badge badge--success"}>
            {membership.status.toLowerCase().replace("_", " ")}
          </span>
        </p>
      </header>

      <dl className="membership-summary">
        <div>
          <dt>Balance</dt>
          <dd data-testid="credit-balance">{`${overview.remaining} credits`}</dd>
        </div>
        <div>
          <dt>Used this period</dt>
          <dd>{membership.usedCredits}</dd>
        </div>
        <div>
          <dt>{expired ? "Ended" : overview.renews ? "Next renewal" : "Ends"}</dt>
          <dd>{periodEnd}</dd>
        </div>
        <div>
          <dt>Rolls over at renewal</dt>
          <dd>{overview.renews ? `${overview.rolloverPreview} credits` : "—"}</dd>
        </div>
      </dl>
      {overview.renews ? (
        <p className="muted">
          On {periodEnd}, up to {tier.rolloverCap} unused credits carry over (now{" "}
          {overview.rolloverPreview}) and {overview.nextAllocation} new credits arrive, for{" "}
          {overview.rolloverPreview + overview.nextAllocation} in total.
          {overview.paymentPending &&
            " The payment for this period hasn't reached us yet; the renewal waits for it, and the membership ends if it never arrives."}
        </p>
      ) : expired ? (
        <p>
          Your membership has ended. <Link to="/pricing">Subscribe again</Link> to get credits.
        </p>
      ) : (
        <p className="muted">
          Auto-renew is off: your membership ends on {periodEnd} and unused credits expire then.
        </p>
      )}

      {!expired && (
        <section aria-labelledby="renew-heading">
          <h2 id="renew-heading">Auto-renew</h2>
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

      {!expired && (
        <section aria-labelledby="top-up-heading">
          <h2 id="top-up-heading">Top up</h2>
          <Form method="post" action="/checkout/credits" className="pack-form">
            <div className="field">
              <label htmlFor="pack">Credit pack</label>
              <select id="pack" name="pack" defaultValue={CREDIT_PACKS[0]!.id}>
                {CREDIT_PACKS.map((pack) => (
                  <option key={pack.id} value={pack.id}>
                    {pack.name} — {formatMoney(pack.priceCents, pack.currency)}
                  </option>
                ))}
              </select>
            </div>
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
        {overview.ledger.length === 0 ? (
          <EmptyState title="No entries yet" />
        ) : (
          <LedgerTable rows={overview.ledger} />
        )}
        <CursorPagination nextCursor={overview.nextCursor} />
      </section>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
