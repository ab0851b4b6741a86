import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { AdminActionForm } from "~/components/admin-action-form";
import { DetailHeader, UserLink } from "~/components/admin-page";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, SelectField } from "~/components/forms";
import { MEMBERSHIP_TIERS } from "#db/schema/enums";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import {
  GrantMembershipFormSchema,
  GrantMembershipQuerySchema,
} from "~/domain/memberships/staff-forms";
import { TIERS } from "~/domain/memberships/tiers";
import { adminAction } from "~/request/admin-action.server";
import { requirePermission } from "~/request/auth.server";
import { getGrantTarget, grantMembership } from "~/services/membership-staff.server";

/**
 * Staff give a membership to a user who has none (issue 15 item 7): `/admin/memberships/new
 * ?userId=<id>`, linked from the user's admin page. No payment and no provider subscription;
 * auto-renew off, so it ends with its first period unless the user subscribes.
 */
const ROUTE_ID = "routes/admin.memberships.new";

export const meta: MetaFunction = () => [{ title: "Give a membership — Admin — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
  const { userId } = GrantMembershipQuerySchema.parse({
    userId: new URL(request.url).searchParams.get("userId"),
  });
  const target = userId ? await getGrantTarget(context.db, userId) : null;
  return { userId, target };
}

export async function action(args: ActionFunctionArgs) {
  return adminAction(args, {
    routeId: ROUTE_ID,
    schema: GrantMembershipFormSchema,
    async perform(form, staff) {
      const result = await grantMembership(staff.db, { ...staff, ...form });
      if (!result.ok) return result;
      return {
        ok: true,
        toast: result.message,
        redirectTo: `/admin/memberships/${result.membershipId}`,
      };
    },
  });
}

const TIER_OPTIONS = MEMBERSHIP_TIERS.map((tier) => ({
  value: tier,
  label: `${TIERS[tier].name} (${TIERS[tier].creditsPerPeriod} credits, ${TIERS[tier].periodDays} days)`,
}));

export default function GrantMembershipPage() {
  const { userId, target } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  return (
    <>
      <DetailHeader
        list={["/admin/memberships", "Memberships"]}
        here="New"
        title="Give a membership"
      >
        Free of charge: no payment, no renewal. The tier’s credits arrive at once.
      </DetailHeader>
      {target ? (
        <p>
          For <UserLink id={target.user.id} name={target.user.email} /> ({target.user.name}).
        </p>
      ) : (
        <p className="muted">
          Open the account under <Link to="/admin/users">Users</Link> and follow “Give a
          membership”, or enter its id below.
        </p>
      )}
      {target?.current ? (
        <p className="notice" role="status" data-testid="grant-has-membership">
          This account already has a {TIERS[target.current.tier].name} membership (
          {target.current.status.toLowerCase()}):{" "}
          <Link to={`/admin/memberships/${target.current.id}`}>open it</Link>.
        </p>
      ) : (
        <AdminActionForm
          intent="grant"
          reply={reply}
          title="Membership"
          pendingText="Giving…"
          submitLabel="Give membership"
          reason={{ label: "Reason (recorded in the audit log)" }}
        >
          {(form) => (
            <>
              {target ? (
                <input type="hidden" name="userId" value={target.user.id} />
              ) : (
                <Field label="Account id" meta={form.field("userId", userId ?? "")} required />
              )}
              <SelectField label="Tier" meta={form.field("tier", "PRO")} options={TIER_OPTIONS} />
            </>
          )}
        </AdminActionForm>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
