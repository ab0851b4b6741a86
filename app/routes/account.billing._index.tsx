import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge } from "~/components/badge";
import { EmptyState, PageHeader } from "~/components/page";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { CursorPagination } from "~/components/pagination";
import { billingStatusLabel } from "~/domain/billing/receipts";
import { formatMoney } from "~/domain/money";
import { formatDate, isoDateTime } from "~/lib/format";
import { pageCursor } from "~/request/account.server";
import { requireUser } from "~/request/auth.server";
import { listBilling } from "~/services/billing.server";
import receiptStyles from "~/styles/receipt.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: receiptStyles }];

export const meta: MetaFunction = () => [{ title: "Billing — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const page = await listBilling(context.db, user.id, { cursor: pageCursor(request) });
  return {
    entries: page.items.map(({ terms: _terms, period: _period, ...entry }) => entry),
    nextCursor: page.nextCursor,
  };
}

export default function BillingPage() {
  const { entries, nextCursor } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="Billing">
        Every payment: products, memberships, renewals and credit packs, with a receipt for each one
        paid.
      </PageHeader>
      {entries.length === 0 ? (
        <EmptyState title="No payments yet">
          <p>
            When you buy a product, a membership or a credit pack, it appears here with its receipt.{" "}
            <Link to="/products">Browse products</Link> or see the{" "}
            <Link to="/pricing">membership plans</Link>.
          </p>
        </EmptyState>
      ) : (
        <ul className="billing-list" data-testid="billing-list">
          {entries.map((entry) => {
            const status = billingStatusLabel(entry.status);
            return (
              <li key={entry.receiptId} className="billing-entry" data-receipt={entry.receiptId}>
                <div className="billing-entry__what">
                  <strong>{entry.item}</strong>
                  <span className="muted">{entry.detail}</span>
                </div>
                <div className="billing-entry__amount">
                  {formatMoney(entry.amountCents, entry.currency)}
                </div>
                <div className="billing-entry__meta">
                  <Badge tone={status.tone} title={entry.failureReason ?? undefined}>
                    {status.label}
                  </Badge>{" "}
                  <time dateTime={isoDateTime(entry.date)}>{formatDate(entry.date)}</time>
                  {entry.refundedAt && (
                    <span className="billing-entry__refund">
                      Refunded on{" "}
                      <time dateTime={isoDateTime(entry.refundedAt)}>
                        {formatDate(entry.refundedAt)}
                      </time>
                      {entry.refundedCredits !== null &&
                        ` (${entry.refundedCredits} credits taken back)`}
                    </span>
                  )}
                  {entry.status === "FAILED" && entry.failureReason && (
                    <span className="billing-entry__refund">{entry.failureReason}</span>
                  )}
                </div>
                <div className="billing-entry__receipt">
                  {entry.hasReceipt ? (
                    <Link
                      to={`/account/billing/${entry.receiptId}`}
                      aria-label={`Receipt for ${entry.item}, ${formatDate(entry.date)}`}
                    >
                      Receipt
                    </Link>
                  ) : (
                    <span className="muted">No receipt</span>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      <CursorPagination nextCursor={nextCursor} />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
