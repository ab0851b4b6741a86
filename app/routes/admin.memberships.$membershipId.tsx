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
import { LedgerPageQuerySchema, MembershipAdminFormSchema } from "~/domain/memberships/forms";
import { MAX_ADJUSTMENT, TIERS } from "~/domain/memberships/tiers";
import { formatDate } from "~/lib/format";
import { requireIdParam } from "~/lib/http";
import { adminAction } from "~/request/admin-action.server";
import { adminRecord } from "~/request/admin-loaders.server";
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
    load: (db, membershipId) => getMembershipDetail(db, membershipId, { cursor }),
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
    schema: MembershipAdminFormSchema,
    async perform(form, staff) {
      const membershipId = requireIdParam(args.params, "membershipId", NOT_FOUND);
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
  const { membership, remaining, check, ledger, nextCursor, audit, mayManage, adjustToken } =
    useLoaderData<typeof loader>();
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
          { label: "Paid through", value: formatDate(membership.paidThrough) },
          { label: "Auto-renew", value: membership.autoRenew ? "on" : "off" },
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
