import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, SubmitButton, useFormReply } from "~/components/forms";
import { UpgradeTierQuerySchema } from "~/domain/memberships/lifecycle-forms";
import { TIERS } from "~/domain/memberships/tiers";
import { formatMoney } from "~/domain/money";
import { TestOutcomeFormSchema } from "~/domain/payments/checkout-forms";
import { formatDate } from "~/lib/format";
import { parseForm } from "~/lib/forms.server";
import { invariantResponse, requireIdParam } from "~/lib/http";
import { redirectWithToast } from "~/lib/toast.server";
import { requireUser } from "~/request/auth.server";
import { readForm } from "~/request/read-form.server";
import {
  getTestUpgradeQuote,
  settleTestUpgrade,
  testProviderActive,
} from "~/services/membership-lifecycle.server";

/**
 * The test provider's upgrade confirmation (issue 15): stands in for Stripe's prorated
 * subscription update when no key is configured. "Pay" builds the same TIER_CHANGED event as
 * Stripe's webhook and goes through the same apply function. Never in production.
 */

const NOT_FOUND = "There is no such upgrade.";

async function requireQuote({ request, params, context }: LoaderFunctionArgs, now: Date) {
  invariantResponse(testProviderActive(context.env), NOT_FOUND, { status: 404 });
  const membershipId = requireIdParam(params, "membershipId", NOT_FOUND);
  const user = await requireUser(request, context);
  const query = UpgradeTierQuerySchema.safeParse({
    tier: new URL(request.url).searchParams.get("tier"),
  });
  invariantResponse(query.success, NOT_FOUND, { status: 404 });
  const quote = await getTestUpgradeQuote(context.db, {
    userId: user.id,
    membershipId,
    tier: query.data.tier,
    now,
  });
  invariantResponse(quote, NOT_FOUND, { status: 404 });
  return quote;
}

export async function loader(args: LoaderFunctionArgs) {
  const quote = await requireQuote(args, new Date());
  return data(
    {
      quote: {
        from: TIERS[quote.from].name,
        to: TIERS[quote.to].name,
        open: quote.open,
        credits: quote.credits,
        amountCents: quote.amountCents,
        currency: quote.currency,
        periodEnd: quote.periodEnd,
      },
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

export async function action(args: ActionFunctionArgs) {
  const now = new Date();
  const quote = await requireQuote(args, now);
  const submission = parseForm(await readForm(args.request), TestOutcomeFormSchema);
  if (!submission.ok) return data(submission.reply, { status: 400 });
  if (submission.value.outcome === "fail") {
    return redirectWithToast(args.context, "/account/membership", {
      kind: "info",
      message: "The upgrade was declined. Nothing changed and nothing was charged.",
    });
  }
  const result = quote.open ? await settleTestUpgrade(args.context.db, { quote, now }) : null;
  const toast =
    result?.status === "processed"
      ? {
          kind: "success" as const,
          message: `Your membership is now ${TIERS[quote.to].name}: ${quote.credits} more credits for this period.`,
        }
      : { kind: "info" as const, message: "This upgrade was already settled." };
  return redirectWithToast(args.context, "/account/membership", toast);
}

export const meta: MetaFunction = () => [{ title: "Confirm your upgrade — Studio Store" }];

export default function TestUpgradePage() {
  const { quote } = useLoaderData<typeof loader>();
  const form = useFormReply(useActionData<typeof action>());
  return (
    <section className="container section" aria-labelledby="test-upgrade-title">
      <h1 id="test-upgrade-title">Confirm your upgrade</h1>
      <p>No payment provider is configured, so this page stands in for one. Nothing is charged.</p>
      <dl className="facts">
        <div>
          <dt>Plan</dt>
          <dd>
            {quote.from} → {quote.to}
          </dd>
        </div>
        <div>
          <dt>Credits added now</dt>
          <dd>{quote.credits}</dd>
        </div>
        <div>
          <dt>Due now</dt>
          <dd data-testid="prorated-amount">{formatMoney(quote.amountCents, quote.currency)}</dd>
        </div>
        <div>
          <dt>Period ends</dt>
          <dd>{formatDate(quote.periodEnd)}</dd>
        </div>
      </dl>
      <p className="muted">
        Due now is the price difference times the part of the period left, rounded to the nearest
        cent. From the next period on you pay the {quote.to} price.
      </p>
      {quote.open ? (
        <Form method="post" className="inline-form">
          <FormError>{form.formError ?? form.field("outcome").error}</FormError>
          <SubmitButton name="outcome" value="succeed" pendingText="Paying…">
            Pay (test)
          </SubmitButton>
          <SubmitButton
            name="outcome"
            value="fail"
            pendingText="Declining…"
            className="button button--ghost"
          >
            Decline
          </SubmitButton>
        </Form>
      ) : (
        <p>
          This upgrade is no longer open. <Link to="/account/membership">See your membership</Link>.
        </p>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
