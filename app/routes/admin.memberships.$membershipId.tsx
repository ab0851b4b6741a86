import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { createId } from "@paralleldrive/cuid2";
import { useActionData, useLoaderData } from "@remix-run/react";
import { AdminActionForm } from "~/components/admin-action-form";
import {
  ActionsSection,
  DetailHeader,
  FactsPanel,
  Section,
  UserLink,
} from "~/components/admin-page";
import { StatusBoundary } from "~/components/error-boundary";
import { AuditHistory } from "~/components/audit-history";
import { Badge } from "~/components/badge";
import { Field, SelectField } from "~/components/forms";
import { LedgerTable } from "~/components/ledger-table";
import { CursorPagination } from "~/components/pagination";
import { MEMBERSHIP_TIERS } from "#db/schema/enums";
import { can } from "~/domain/auth/permissions";
import { DataTable } from "~/components/data-table";
import { LedgerPageQuerySchema } from "~/domain/memberships/forms";
import { MembershipDetailFormSchema } from "~/domain/memberships/staff-forms";
import { findCreditPack, MAX_ADJUSTMENT, TIERS } from "~/domain/memberships/tiers";
import { formatMoney } from "~/domain/money";
import { formatDate } from "~/lib/format";
import { requireIdParam } from "~/lib/http";
import { adminAction } from "~/request/admin-action.server";
import { adminRecord } from "~/request/admin-loaders.server";
import { getSeatsAndPacks, refundCreditPack } from "~/services/membership-staff.server";
import { adjustCredits, assignTier, getMembershipDetail } from "~/services/memberships.server";

const ROUTE_ID = "routes/admin.memberships.$membershipId";
const NOT_FOUND = "There is no such membership.";

export const meta: MetaFunction = () => [{ title: "Membership — Admin — Studio Store" }];

export async function loader(args: LoaderFunctionArgs) {
  const { cursor } = LedgerPageQuerySchema.parse({
    cursor: new URL(args.request.url).searchParams.get("cursor"),
  });
  const { staff, record } = await adminRecord(args, {
    routeId: ROUTE_ID,
    param: "membershipId",
    notFound: NOT_FOUND,
    load: async (db, membershipId) => {
      const [detail, team] = await Promise.all([
        getMembershipDetail(db, membershipId, { cursor }),
        getSeatsAndPacks(db, membershipId),
      ]);
      return detail && team ? { ...detail, ...team } : null;
    },
  });
  const { ledger, ...detail } = record;
  return {
    ...detail,
    ledger: ledger.items.map(({ seq: _seq, reference: _reference, ...row }) => row),
    nextCursor: ledger.nextCursor,
    mayManage: can(staff.role, "memberships:manage"),
    // One per render: a double submit of the same form adjusts once.
    adjustToken: createId(),
  };
}

export async function action(args: ActionFunctionArgs) {
  return adminAction(args, {
    routeId: ROUTE_ID,
    schema: MembershipDetailFormSchema,
    async perform(form, staff) {
      const membershipId = requireIdParam(args.params, "membershipId", NOT_FOUND);
      if (form.intent === "refund-pack") {
        const refunded = await refundCreditPack(staff, { ...staff, ...form, membershipId });
        if (!refunded.ok) return refunded;
        return { ok: true, toast: refunded.message };
      }
      const change = { ...staff, ...form, membershipId };
      const result =
        form.intent === "assign-tier"
          ? await assignTier(staff.db, { ...change, tier: form.tier })
          : await adjustCredits(staff.db, { ...change, amount: form.amount, token: form.token });
      if (!result.ok) return result;
      return { ok: true, toast: result.message };
    },
  });
}

const TIER_OPTIONS = MEMBERSHIP_TIERS.map((tier) => ({ value: tier, label: TIERS[tier].name }));
const AUDITED_REASON = { label: "Reason (recorded in the audit log)" };

export default function AdminMembershipPage() {
  const {
    membership,
    remaining,
    check,
    ledger,
    nextCursor,
    audit,
    mayManage,
    adjustToken,
    lifecycle,
    seats,
    packs,
  } = useLoaderData<typeof loader>();
  const refundable = packs.filter((pack) => pack.status === "COMPLETED");
  const reply = useActionData<typeof action>();

  return (
    <>
      <DetailHeader
        list={["/admin/memberships", "Memberships"]}
        here={membership.email}
        title={membership.name}
      >
        {TIERS[membership.tier].name} · {membership.status.toLowerCase()} · {remaining} credits
      </DetailHeader>

      <FactsPanel
        title="Membership"
        facts={[
          {
            label: "Member",
            value: <UserLink id={membership.userId} name={membership.email} />,
          },
          {
            label: "Credits",
            value: `${remaining} left (${membership.totalCredits} total, ${membership.usedCredits} used this period)`,
          },
          {
            label: "Period",
            value: `${formatDate(membership.currentPeriodStart)} – ${formatDate(membership.currentPeriodEnd)}`,
          },
          { label: "Paid credits (packs)", value: `${lifecycle.paidCredits} of those left` },
          { label: "Paid through", value: formatDate(membership.paidThrough) },
          { label: "Auto-renew", value: membership.autoRenew ? "on" : "off" },
          lifecycle.pendingTier && {
            label: "Pending downgrade",
            testId: "pending-downgrade",
            value: `to ${TIERS[lifecycle.pendingTier].name} on ${formatDate(lifecycle.currentPeriodEnd)}`,
          },
          lifecycle.pauseEndsAt && {
            label: "Paused",
            value: `since ${formatDate(lifecycle.pausedAt)}, resumes ${formatDate(lifecycle.pauseEndsAt)}`,
          },
          lifecycle.graceEndsAt && {
            label: "Payment grace",
            value: `ends ${formatDate(lifecycle.graceEndsAt)} (then the membership expires)`,
          },
          {
            label: "Ledger check",
            testId: "ledger-check",
            value: check.ok ? (
              <Badge tone="success">
                {`consistent (${check.rows} ${check.rows === 1 ? "row" : "rows"})`}
              </Badge>
            ) : (
              <>
                <Badge tone="danger">inconsistent</Badge>
                <ul>
                  {check.problems.map((problem) => (
                    <li key={problem}>{problem}</li>
                  ))}
                </ul>
              </>
            ),
          },
        ]}
      />

      <Section title="Seats and pool usage">
        <p className="muted">
          Credits spent this period (since {formatDate(lifecycle.currentPeriodStart)}) by each
          person on this membership.
        </p>
        <DataTable
          testId="membership-seats"
          rows={seats}
          rowKey={(seat) => seat.userId}
          columns={[
            {
              header: "Person",
              cell: (seat) => <UserLink id={seat.userId} name={seat.email} />,
            },
            { header: "Seat", cell: (seat) => (seat.role === "OWNER" ? "owner" : "teammate") },
            { header: "Spent this period", cell: (seat) => `${seat.spent} credits` },
            {
              header: "Cap per period",
              cell: (seat) => (seat.periodCap === null ? "no cap" : `${seat.periodCap} credits`),
            },
          ]}
          empty={<p className="muted">No seats recorded.</p>}
        />
      </Section>

      <Section title="Credit packs">
        <DataTable
          testId="membership-packs"
          rows={packs}
          columns={[
            {
              header: "Pack",
              cell: (pack) => findCreditPack(pack.pack ?? "")?.name ?? `${pack.credits} credits`,
            },
            { header: "Paid", cell: (pack) => formatMoney(pack.amountCents, pack.currency) },
            { header: "Bought", cell: (pack) => formatDate(pack.completedAt) },
            {
              header: "Status",
              cell: (pack) =>
                pack.status === "REFUNDED" ? (
                  <Badge>{`refunded ${formatDate(pack.refundedAt)}, ${pack.refundedCredits ?? 0} credits taken back`}</Badge>
                ) : (
                  <Badge tone="success">paid</Badge>
                ),
            },
          ]}
          empty={<p className="muted">No credit packs bought.</p>}
        />
      </Section>

      {mayManage && (
        <ActionsSection title="Manage">
          <AdminActionForm
            intent="assign-tier"
            reply={reply}
            title="Assign a tier"
            description="The new tier's allocation and rollover cap apply from the next renewal."
            pendingText="Saving…"
            submitLabel="Assign tier"
            reason={AUDITED_REASON}
          >
            {(form) => (
              <SelectField
                label="Tier"
                meta={form.field("tier", membership.tier)}
                options={TIER_OPTIONS}
              />
            )}
          </AdminActionForm>
          <AdminActionForm
            intent="adjust"
            reply={reply}
            title="Adjust credits"
            pendingText="Adjusting…"
            reason={AUDITED_REASON}
          >
            {(form) => (
              <>
                <input type="hidden" name="token" value={adjustToken} />
                <Field
                  label="Credits (negative to remove)"
                  meta={form.field("amount")}
                  type="number"
                  step={1}
                  min={-MAX_ADJUSTMENT}
                  max={MAX_ADJUSTMENT}
                  required
                />
              </>
            )}
          </AdminActionForm>
          {refundable.length > 0 && (
            <AdminActionForm
              intent="refund-pack"
              reply={reply}
              title="Refund a credit pack"
              description="The payment goes back to the buyer; the pack's credits still unspent (at most what it added) leave the balance."
              pendingText="Refunding…"
              submitLabel="Refund pack"
              danger
              reason={AUDITED_REASON}
            >
              {(form) => (
                <SelectField
                  label="Pack"
                  meta={form.field("checkoutId", refundable[0]!.id)}
                  options={refundable.map((pack) => ({
                    value: pack.id,
                    label: `${pack.credits} credits, ${formatMoney(pack.amountCents, pack.currency)}, ${formatDate(pack.completedAt)}`,
                  }))}
                />
              )}
            </AdminActionForm>
          )}
        </ActionsSection>
      )}

      <Section title="Ledger">
        <LedgerTable rows={ledger} />
        <CursorPagination nextCursor={nextCursor} />
      </Section>

      <AuditHistory rows={audit} title="History" empty="Nothing recorded yet." />
    </>
  );
}

export function ErrorBoundary() {
  return (
    <StatusBoundary
      status={404}
      title="There is no such membership"
      message="The link may be wrong. Search for it on the memberships page."
    />
  );
}
