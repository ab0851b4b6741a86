import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { AdminActionForm } from "~/components/admin-action-form";
import { ActionsSection, DetailHeader, FactsPanel, Muted, UserLink } from "~/components/admin-page";
import { StatusBoundary } from "~/components/error-boundary";
import { AuditHistory } from "~/components/audit-history";
import { PurchaseStatusBadge } from "~/components/badge";
import { can } from "~/domain/auth/permissions";
import { formatMoney } from "~/domain/money";
import { PurchaseAdminFormSchema } from "~/domain/payments/admin-forms";
import { requireIdParam } from "~/lib/http";
import { adminAction } from "~/request/admin-action.server";
import { adminRecord } from "~/request/admin-loaders.server";
import { getPurchaseDetail, refundPurchase } from "~/services/admin-store.server";
import { LocalTime } from "~/components/local-time";

const ROUTE_ID = "routes/admin.purchases.$purchaseId";
const NOT_FOUND = "There is no such purchase.";

export const meta: MetaFunction = () => [{ title: "Purchase — Admin — Studio Store" }];

export async function loader(args: LoaderFunctionArgs) {
  const { staff, record } = await adminRecord(args, {
    routeId: ROUTE_ID,
    param: "purchaseId",
    notFound: NOT_FOUND,
    load: getPurchaseDetail,
  });
  return {
    ...record,
    mayRefund: can(staff.role, "payments:refund"),
    stripeLive: args.context.env.stripe !== null,
  };
}

export async function action(args: ActionFunctionArgs) {
  return adminAction(args, {
    routeId: ROUTE_ID,
    schema: PurchaseAdminFormSchema,
    async perform(form, staff) {
      const purchaseId = requireIdParam(args.params, "purchaseId", NOT_FOUND);
      const result = await refundPurchase(staff, { ...staff, purchaseId, reason: form.reason });
      if (!result.ok) return result;
      return { ok: true, toast: result.message };
    },
  });
}

// ---- Page -----------------------------------------------------------------------------------

export default function AdminPurchasePage() {
  const { purchase, license, audit, mayRefund, stripeLive } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  const amount = formatMoney(purchase.amountCents, purchase.currency);

  return (
    <>
      <DetailHeader list={["/admin/purchases", "Purchases"]} title={purchase.productName}>
        {amount} · {purchase.licenseType.toLowerCase()} license ·{" "}
        <PurchaseStatusBadge status={purchase.status} />
      </DetailHeader>

      <FactsPanel
        title="Purchase"
        facts={[
          {
            label: "Buyer",
            value: (
              <UserLink
                id={purchase.buyerId}
                name={purchase.buyerName}
                email={purchase.buyerEmail}
              />
            ),
          },
          { label: "Status", value: purchase.status.toLowerCase() },
          { label: "Provider", value: purchase.provider.toLowerCase() },
          purchase.providerPaymentIntentId && {
            label: "Payment intent",
            value: <code>{purchase.providerPaymentIntentId}</code>,
          },
          purchase.providerDisputeId && {
            label: "Open dispute",
            value: <code>{purchase.providerDisputeId}</code>,
          },
          purchase.failureReason && { label: "Failure", value: purchase.failureReason },
          { label: "Started", value: <LocalTime value={purchase.createdAt} /> },
          { label: "Completed", value: <LocalTime value={purchase.completedAt} /> },
          { label: "Refunded", value: <LocalTime value={purchase.refundedAt} /> },
          {
            label: "License",
            value: license ? (
              <>
                <Link to={`/admin/licenses/${license.id}`}>
                  <code>{license.maskedKey}</code>
                </Link>{" "}
                ({license.status.toLowerCase()})
              </>
            ) : (
              <Muted>none issued</Muted>
            ),
          },
        ]}
      />

      {mayRefund && purchase.refundable && (
        <ActionsSection title="Refund">
          <AdminActionForm
            intent="refund"
            reply={reply}
            title="Refund this purchase"
            description={
              purchase.provider !== "STRIPE"
                ? "Refunds through the test provider at once. The license stops working."
                : stripeLive
                  ? "Asks Stripe to refund the full amount; the purchase and its license change when Stripe confirms."
                  : "Stripe isn't configured here, so this Stripe purchase can't be refunded from this server."
            }
            pendingText="Refunding…"
            submitLabel={`Refund ${amount}`}
            danger
            reason={{ label: "Reason (recorded in the audit log)" }}
          />
        </ActionsSection>
      )}

      <AuditHistory
        rows={audit}
        title="History"
        empty="Nothing recorded for this purchase yet."
        fullHistory={{ entity: "purchase", entityId: purchase.id }}
      />
    </>
  );
}

export function ErrorBoundary() {
  return (
    <StatusBoundary
      status={404}
      title="There is no such purchase"
      message="The link may be wrong. Search for it on the purchases page."
    />
  );
}
