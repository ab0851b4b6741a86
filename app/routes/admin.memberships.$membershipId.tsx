import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { createId } from "@paralleldrive/cuid2";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { AuditHistory, type AuditHistoryRow } from "~/components/audit-history";
import { ErrorPanel, GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, SubmitButton } from "~/components/forms";
import { LedgerTable, type LedgerTableRow } from "~/components/ledger-table";
import { CursorPagination } from "~/components/pagination";
import { MEMBERSHIP_TIERS } from "#db/schema/enums";
import { fieldErrors } from "~/domain/auth/admin-forms";
import { REASON_MAX_LENGTH } from "~/domain/auth/moderation";
import { can } from "~/domain/auth/permissions";
import { actionCapability, ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import type { LedgerCheck } from "~/domain/credits/ledger";
import { LedgerPageQuerySchema, MembershipAdminFormSchema } from "~/domain/memberships/forms";
import { MAX_ADJUSTMENT, TIERS } from "~/domain/memberships/tiers";
import { auditActor, auditRequestInfo, requirePermission } from "~/request/auth.server";
import { invariantResponse, requireIdParam } from "~/lib/http";
import { redirectWithToast } from "~/lib/toast.server";
import { adjustCredits, assignTier, getMembershipDetail } from "~/services/memberships.server";

const ROUTE_ID = "routes/admin.memberships.$membershipId";

export const meta: MetaFunction = () => [{ title: "Membership — Admin — Studio Store" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
  const membershipId = requireIdParam(params, "membershipId", "There is no such membership.");
  const query = LedgerPageQuerySchema.parse({
    cursor: new URL(request.url).searchParams.get("cursor"),
  });
  const detail = await getMembershipDetail(context.db, membershipId, { cursor: query.cursor });
  invariantResponse(detail, "There is no such membership.", { status: 404 });
  return Response.json({
    membership: detail.membership,
    remaining: detail.remaining,
    check: detail.check,
    audit: detail.audit,
    ledger: detail.ledger.items.map(({ seq: _seq, reference: _reference, ...row }) => row),
    nextCursor: detail.ledger.nextCursor,
    mayManage: can(actor.role, "memberships:manage"),
    // One per render: a double submit of the same form adjusts once.
    adjustToken: createId(),
  });
}

type ActionData = { errors: Record<string, string>; formError?: string };

export async function action({ request, context, params }: ActionFunctionArgs) {
  const formData = await request.formData();
  const rawIntent = formData.get("intent");
  const intent = typeof rawIntent === "string" ? rawIntent : null;
  const capability = actionCapability(ROUTE_ID, intent);
  if (!capability) {
    await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
    throw new Response("This form asked for something we don't know how to do.", { status: 400 });
  }
  const actor = await requirePermission(request, context, capability);
  const membershipId = requireIdParam(params, "membershipId", "There is no such membership.");
  const parsed = MembershipAdminFormSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) {
    return Response.json({ errors: fieldErrors(parsed.error) } satisfies ActionData, {
      status: 400,
    });
  }
  const common = {
    actor: auditActor(actor),
    membershipId,
    now: new Date(),
    request: await auditRequestInfo(request, context),
  };
  const result =
    parsed.data.intent === "assign-tier"
      ? await assignTier(context.db, {
          ...common,
          tier: parsed.data.tier,
          reason: parsed.data.reason,
        })
      : await adjustCredits(context.db, {
          ...common,
          amount: parsed.data.amount,
          reason: parsed.data.reason,
          token: parsed.data.token,
        });
  if (!result.ok) {
    return Response.json({ errors: {}, formError: result.message } satisfies ActionData, {
      status: 409,
    });
  }
  return redirectWithToast(context, `/admin/memberships/${membershipId}`, {
    kind: "success",
    message: result.message,
  });
}

type LoaderData = {
  membership: {
    id: string;
    userId: string;
    email: string;
    name: string;
    tier: keyof typeof TIERS;
    status: string;
    totalCredits: number;
    usedCredits: number;
    autoRenew: boolean;
    currentPeriodStart: string;
    currentPeriodEnd: string;
    paidThrough: string | null;
    providerSubscriptionId: string | null;
  };
  remaining: number;
  check: LedgerCheck;
  audit: AuditHistoryRow[];
  ledger: LedgerTableRow[];
  nextCursor: string | null;
  mayManage: boolean;
  adjustToken: string;
};

const day = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });
const when = (value: string | null) => (value ? day.format(new Date(value)) : "—");

export default function AdminMembershipPage() {
  const data = useLoaderData<LoaderData>();
  const actionData = useActionData<ActionData>();
  const { membership, check } = data;
  const errors = actionData?.errors ?? {};

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/admin/memberships">Memberships</Link> <span aria-hidden="true">/</span>{" "}
        {membership.email}
      </nav>
      <header>
        <h1>{membership.name}</h1>
        <p>
          {TIERS[membership.tier].name} · {membership.status.toLowerCase()} · {data.remaining}{" "}
          credits
        </p>
      </header>

      <section className="admin-panel" aria-labelledby="membership-heading">
        <h2 id="membership-heading">Membership</h2>
        <dl className="facts">
          <div>
            <dt>Member</dt>
            <dd>
              <Link to={`/admin/users/${membership.userId}`}>{membership.email}</Link>
            </dd>
          </div>
          <div>
            <dt>Credits</dt>
            <dd>
              {data.remaining} left ({membership.totalCredits} total, {membership.usedCredits} used
              this period)
            </dd>
          </div>
          <div>
            <dt>Period</dt>
            <dd>
              {when(membership.currentPeriodStart)} – {when(membership.currentPeriodEnd)}
            </dd>
          </div>
          <div>
            <dt>Paid through</dt>
            <dd>{when(membership.paidThrough)}</dd>
          </div>
          <div>
            <dt>Auto-renew</dt>
            <dd>{membership.autoRenew ? "on" : "off"}</dd>
          </div>
          <div>
            <dt>Ledger check</dt>
            <dd data-testid="ledger-check">
              {check.ok ? (
                <span className="badge badge--success">
                  {`consistent (${check.rows} ${check.rows === 1 ? "row" : "rows"})`}
                </span>
              ) : (
                <>
                  <span className="badge badge--danger">inconsistent</span>
                  <ul>
                    {check.problems.map((problem) => (
                      <li key={problem}>{problem}</li>
                    ))}
                  </ul>
                </>
              )}
            </dd>
          </div>
        </dl>
      </section>

      {data.mayManage && (
        <section aria-labelledby="manage-heading">
          <h2 id="manage-heading">Manage</h2>
          <FormError>{actionData?.formError}</FormError>
          <Form method="post" className="admin-panel form-stack" aria-labelledby="tier-title">
            <h3 id="tier-title">Assign a tier</h3>
            <p className="muted">
              The new tier&apos;s allocation and rollover cap apply from the next renewal.
            </p>
            <div className="field">
              <label htmlFor="tier">Tier</label>
              <select id="tier" name="tier" defaultValue={membership.tier}>
                {MEMBERSHIP_TIERS.map((tier) => (
                  <option key={tier} value={tier}>
                    {TIERS[tier].name}
                  </option>
                ))}
              </select>
            </div>
            <ReasonField id="tier-reason" error={errors.reason} />
            <SubmitButton name="intent" value="assign-tier" pendingText="Saving…">
              Assign tier
            </SubmitButton>
          </Form>
          <Form method="post" className="admin-panel form-stack" aria-labelledby="adjust-title">
            <h3 id="adjust-title">Adjust credits</h3>
            <input type="hidden" name="token" value={data.adjustToken} />
            <div className="field">
              <label htmlFor="adjust-amount">Credits (negative to remove)</label>
              <input
                id="adjust-amount"
                name="amount"
                type="number"
                step={1}
                min={-MAX_ADJUSTMENT}
                max={MAX_ADJUSTMENT}
                required
                aria-invalid={errors.amount ? true : undefined}
                aria-describedby={errors.amount ? "adjust-amount-error" : undefined}
              />
              {errors.amount && (
                <p id="adjust-amount-error" className="field__error" role="alert">
                  {errors.amount}
                </p>
              )}
            </div>
            <ReasonField id="adjust-reason" error={errors.reason} />
            <SubmitButton name="intent" value="adjust" pendingText="Adjusting…">
              Adjust credits
            </SubmitButton>
          </Form>
        </section>
      )}

      <section aria-labelledby="ledger-heading">
        <h2 id="ledger-heading">Ledger</h2>
        <LedgerTable rows={data.ledger} />
        <CursorPagination nextCursor={data.nextCursor} />
      </section>

      <AuditHistory rows={data.audit} title="History" empty="Nothing recorded yet." />
    </>
  );
}

function ReasonField({ id, error }: { id: string; error?: string }) {
  return (
    <div className="field">
      <label htmlFor={id}>Reason (recorded in the audit log)</label>
      <textarea
        id={id}
        name="reason"
        required
        maxLength={REASON_MAX_LENGTH}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      {error && (
        <p id={`${id}-error`} className="field__error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return (
    <GeneralErrorBoundary
      statusHandlers={{
        404: () => (
          <ErrorPanel
            status={404}
            title="There is no such membership"
            message="The link may be wrong. Search for it on the memberships page."
          />
        ),
      }}
    />
  );
}
