import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge } from "~/components/badge";
import { StatusBoundary } from "~/components/error-boundary";
import { Facts } from "~/components/facts";
import { billingStatusLabel, parseReceiptId, SELLER_NAME } from "~/domain/billing/receipts";
import { formatMoney } from "~/domain/money";
import { formatDate, formatDateTime, isoDateTime } from "~/lib/format";
import { invariantResponse } from "~/lib/http";
import { requireUser } from "~/request/auth.server";
import { getReceipt } from "~/services/billing.server";
import receiptStyles from "~/styles/receipt.css?url";

/**
 * A printable receipt: `/account/billing/<kind>-<id>` with kind `purchase`, `checkout` or
 * `invoice` (app/domain/billing/receipts.ts). Only the payer sees it; anybody else, a payment
 * that failed and a wrong id all get the same 404. Private and never cached (the /account
 * layout's headers).
 */

const NOT_FOUND = "There is no such receipt.";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: receiptStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Receipt ${data.receipt.number} — Studio Store` : "Receipt — Studio Store" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const ref = parseReceiptId(params.receiptId);
  invariantResponse(ref, NOT_FOUND, { status: 404 });
  const receipt = await getReceipt(context.db, user.id, ref);
  invariantResponse(receipt, NOT_FOUND, { status: 404 });
  return { receipt, seller: SELLER_NAME };
}

export default function ReceiptPage() {
  const { receipt, seller } = useLoaderData<typeof loader>();
  const status = billingStatusLabel(receipt.status);
  const amount = formatMoney(receipt.amountCents, receipt.currency);
  return (
    <article className="receipt" data-testid="receipt" aria-labelledby="receipt-title">
      <header className="receipt__head">
        <div>
          <p className="receipt__seller">{seller}</p>
          <h1 id="receipt-title">Receipt</h1>
          <p>
            No. <span data-testid="receipt-number">{receipt.number}</span>
          </p>
        </div>
        <div>
          <p>
            <time dateTime={isoDateTime(receipt.date)}>{formatDateTime(receipt.date)}</time>
          </p>
          <p className="receipt__total" data-testid="receipt-amount">
            {amount}
          </p>
        </div>
      </header>
      <Facts
        facts={[
          {
            label: "Billed to",
            value: (
              <>
                {receipt.buyer.name}
                <br />
                {receipt.buyer.email}
              </>
            ),
          },
          { label: "Item", value: `${receipt.item} — ${receipt.detail}` },
          { label: "Terms", value: receipt.terms },
          receipt.period && {
            label: "Period",
            value: `${formatDate(receipt.period.start)} – ${formatDate(receipt.period.end)}`,
          },
          { label: "Amount", value: amount },
          { label: "Currency", value: receipt.currency },
          {
            label: "Status",
            testId: "receipt-status",
            value: <Badge tone={status.tone}>{status.label}</Badge>,
          },
          receipt.refundedAt && {
            label: "Refund",
            testId: "receipt-refund",
            value: `Refunded on ${formatDate(receipt.refundedAt)}${
              receipt.refundedCredits !== null
                ? `; ${receipt.refundedCredits} credits left the balance`
                : ""
            }`,
          },
        ]}
      />
      <div className="receipt__actions">
        <button type="button" className="button" onClick={() => window.print()}>
          Print
        </button>
        <Link to="/account/billing" className="button button--ghost">
          Back to billing
        </Link>
      </div>
    </article>
  );
}

export function ErrorBoundary() {
  return (
    <StatusBoundary
      status={404}
      title="There is no such receipt"
      message="The link may be wrong. Your receipts are listed under Billing."
    />
  );
}
