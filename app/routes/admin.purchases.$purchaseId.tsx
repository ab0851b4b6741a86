import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { AuditHistory } from "~/components/audit-history";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorPanel, GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, SubmitButton } from "~/components/forms";
import { fieldErrors } from "~/domain/auth/admin-forms";
import { REASON_MAX_LENGTH } from "~/domain/auth/moderation";
import { can } from "~/domain/auth/permissions";
import { actionCapability, ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { formatMoney } from "~/domain/money";
import { PurchaseAdminFormSchema } from "~/domain/payments/admin-forms";
import { auditActor, auditRequestInfo, requirePermission } from "~/request/auth.server";
import { invariantResponse, requireIdParam } from "~/lib/http";
import { redirectWithToast } from "~/lib/toast.server";
import {
  getPurchaseDetail,
  refundPurchase,
  type PurchaseDetail,
  type RefundResult,
} from "~/services/admin-store.server";

const ROUTE_ID = "routes/admin.purchases.$purchaseId";

export const meta: MetaFunction = () => [{ title: "Purchase — Admin — Studio Store" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
  const purchaseId = requireIdParam(params, "purchaseId", "There is no such purchase.");
  const detail = await getPurchaseDetail(context.db, purchaseId);
  invariantResponse(detail, "There is no such purchase.", { status: 404 });
  return Response.json({
    ...detail,
    mayRefund: can(actor.role, "payments:refund"),
    stripeLive: context.env.stripe !== null,
  });
}

type ActionData = { errors: Record<string, string>; formError?: string };

const FAILURE_STATUS: Record<Extract<RefundResult, { ok: false }>["code"], number> = {
  "not-found": 404,
  forbidden: 403,
  conflict: 409,
  provider: 502,
};

export async function action({ request, context, params }: ActionFunctionArgs) {
  const formData = await request.formData();
  const rawIntent = formData.get("intent");
  const intent = typeof rawIntent === "string" ? rawIntent : null;
  const capability = actionCapability(ROUTE_ID, intent);
  if (!capability) {
    // Still log in first: an anonymous visitor learns nothing about which intents exist.
    await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
    throw new Response("This form asked for something we don't know how to do.", { status: 400 });
  }
  const actor = await requirePermission(request, context, capability);
  const purchaseId = requireIdParam(params, "purchaseId", "There is no such purchase.");

  const parsed = PurchaseAdminFormSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) {
    return Response.json({ errors: fieldErrors(parsed.error) } satisfies ActionData, {
      status: 400,
    });
  }

  const result = await refundPurchase(
    { db: context.db, env: context.env },
    {
      actor: auditActor(actor),
      purchaseId,
      reason: parsed.data.reason,
      now: new Date(),
      request: await auditRequestInfo(request, context),
    },
  );
  if (!result.ok) {
    invariantResponse(result.code !== "not-found", result.message, { status: 404 });
    return Response.json({ errors: {}, formError: result.message } satisfies ActionData, {
      status: FAILURE_STATUS[result.code],
    });
  }
  return redirectWithToast(context, `/admin/purchases/${purchaseId}`, {
    kind: "success",
    message: result.message,
  });
}

// ---- Page -----------------------------------------------------------------------------------

type Serialized<T> = T extends Date
  ? string
  : T extends Array<infer U>
    ? Array<Serialized<U>>
    : T extends object
      ? { [K in keyof T]: Serialized<T[K]> }
      : T;
type LoaderData = Serialized<PurchaseDetail> & { mayRefund: boolean; stripeLive: boolean };

// UTC on server and browser alike, so hydration sees the same text.
const dateTime = new Intl.DateTimeFormat("en", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});
const when = (value: string | null) => (value ? `${dateTime.format(new Date(value))} UTC` : "—");

export default function AdminPurchasePage() {
  const { purchase, license, audit, mayRefund, stripeLive } = useLoaderData<LoaderData>();
  const actionData = useActionData<ActionData>();
  const reasonError = actionData?.errors.reason;

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/admin/purchases">Purchases</Link> <span aria-hidden="true">/</span>{" "}
        {purchase.productName}
      </nav>
      <header>
        <h1>{purchase.productName}</h1>
        <p>
          {formatMoney(purchase.amountCents, purchase.currency)} ·{" "}
          {purchase.licenseType.toLowerCase()} license · {purchase.status.toLowerCase()}
        </p>
      </header>

      <section className="admin-panel" aria-labelledby="purchase-heading">
        <h2 id="purchase-heading">Purchase</h2>
        <dl className="facts">
          <div>
            <dt>Buyer</dt>
            <dd>
              <Link to={`/admin/users/${purchase.buyerId}`}>{purchase.buyerName}</Link> (
              {purchase.buyerEmail})
            </dd>
          </div>
          <div>
            <dt>Status</dt>
            <dd>{purchase.status.toLowerCase()}</dd>
          </div>
          <div>
            <dt>Provider</dt>
            <dd>{purchase.provider.toLowerCase()}</dd>
          </div>
          {purchase.providerPaymentIntentId && (
            <div>
              <dt>Payment intent</dt>
              <dd>
                <code>{purchase.providerPaymentIntentId}</code>
              </dd>
            </div>
          )}
          {purchase.providerDisputeId && (
            <div>
              <dt>Open dispute</dt>
              <dd>
                <code>{purchase.providerDisputeId}</code>
              </dd>
            </div>
          )}
          {purchase.failureReason && (
            <div>
              <dt>Failure</dt>
              <dd>{purchase.failureReason}</dd>
            </div>
          )}
          <div>
            <dt>Started</dt>
            <dd>{when(purchase.createdAt)}</dd>
          </div>
          <div>
            <dt>Completed</dt>
            <dd>{when(purchase.completedAt)}</dd>
          </div>
          <div>
            <dt>Refunded</dt>
            <dd>{when(purchase.refundedAt)}</dd>
          </div>
          <div>
            <dt>License</dt>
            <dd>
              {license ? (
                <>
                  <Link to={`/admin/licenses/${license.id}`}>
                    <code>{license.maskedKey}</code>
                  </Link>{" "}
                  ({license.status.toLowerCase()})
                </>
              ) : (
                <span className="muted">none issued</span>
              )}
            </dd>
          </div>
        </dl>
      </section>

      {mayRefund && purchase.refundable && (
        <section aria-labelledby="refund-heading">
          <h2 id="refund-heading">Refund</h2>
          <Form method="post" className="admin-panel form-stack" aria-labelledby="refund-title">
            <h3 id="refund-title">Refund this purchase</h3>
            <p className="muted">
              {purchase.provider === "STRIPE"
                ? stripeLive
                  ? "Asks Stripe to refund the full amount; the purchase and its license change when Stripe confirms."
                  : "Stripe isn't configured here, so this Stripe purchase can't be refunded from this server."
                : "Refunds through the test provider at once. The license stops working."}
            </p>
            <FormError>{actionData?.formError}</FormError>
            <div className="field">
              <label htmlFor="refund-reason">Reason (recorded in the audit log)</label>
              <textarea
                id="refund-reason"
                name="reason"
                required
                maxLength={REASON_MAX_LENGTH}
                aria-invalid={reasonError ? true : undefined}
                aria-describedby={reasonError ? "refund-reason-error" : undefined}
              />
              {reasonError && (
                <p id="refund-reason-error" className="field__error" role="alert">
                  {reasonError}
                </p>
              )}
            </div>
            <SubmitButton
              name="intent"
              value="refund"
              pendingText="Refunding…"
              className="button button--danger"
            >
              Refund {formatMoney(purchase.amountCents, purchase.currency)}
            </SubmitButton>
          </Form>
        </section>
      )}

      <AuditHistory rows={audit} title="History" empty="Nothing recorded for this purchase yet." />
    </>
  );
}

export function ErrorBoundary() {
  return (
    <GeneralErrorBoundary
      statusHandlers={{
        404: () => (
          <ErrorPanel
            status={404}
            title="There is no such purchase"
            message="The link may be wrong. Search for it on the purchases page."
          />
        ),
      }}
    />
  );
}
