import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { useActionData, useLoaderData } from "@remix-run/react";
import { AdminActionForm } from "~/components/admin-action-form";
import { AdminHeader, Muted, Section, UserLink } from "~/components/admin-page";
import { Badge } from "~/components/badge";
import { DataTable } from "~/components/data-table";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Facts } from "~/components/facts";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { FlagAdminFormSchema } from "~/domain/flags/flag-forms";
import {
  FEATURE_FLAG_DEFINITIONS,
  FEATURE_FLAGS,
  FLAG_REFRESH_MS,
  flagEnvironment,
  flagStates,
} from "~/domain/flags/flags";
import { adminAction } from "~/request/admin-action.server";
import { requirePermission } from "~/request/auth.server";
import { getFlagsOverview, setFlag } from "~/services/feature-flags.server";
import { LocalTime } from "~/components/local-time";

const ROUTE_ID = "routes/admin.flags";
const RECENT_CHANGES = 15;

export const meta: MetaFunction = () => [{ title: "Feature flags — Admin — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
  const environment = flagEnvironment(context.env.environment);
  // The page reads the table itself, not the isolate's copy: staff see the stored truth.
  const { rows, changes } = await getFlagsOverview(context.db, { changes: RECENT_CHANGES });
  const states = flagStates(rows.filter((row) => row.environment === environment));
  return {
    environment,
    flags: FEATURE_FLAGS.map((name) => ({
      name,
      ...FEATURE_FLAG_DEFINITIONS[name],
      enabled: states[name],
      row: rows.find((row) => row.key === name && row.environment === environment) ?? null,
      elsewhere: rows.filter((row) => row.key === name && row.environment !== environment),
    })),
    changes: changes.map(({ metadata, ...change }) => ({
      ...change,
      flag: String(metadata?.flag ?? change.entityId ?? ""),
      environment: String(metadata?.environment ?? ""),
      before: metadata?.before === true,
      after: metadata?.after === true,
      reason: typeof metadata?.reason === "string" ? metadata.reason : "",
    })),
  };
}

export async function action(args: ActionFunctionArgs) {
  return adminAction(args, {
    routeId: ROUTE_ID,
    schema: FlagAdminFormSchema,
    async perform(form, staff) {
      const result = await setFlag({ db: staff.db }, { ...staff, ...form });
      if (!result.ok) return result;
      const state = form.enabled ? "on" : "off";
      return result.changed
        ? { ok: true, toast: `“${form.name}” is ${state} in ${form.environment}.` }
        : { ok: true, toast: `“${form.name}” was already ${state}.`, toastKind: "info" };
    },
  });
}

// ---- Page -----------------------------------------------------------------------------------

const onOff = (enabled: boolean) => (enabled ? "on" : "off");

export default function AdminFlagsPage() {
  const { environment, flags, changes } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();

  return (
    <>
      <AdminHeader
        title="Feature flags"
        intro={
          <>
            Pause a part of the store without a deploy. This is the <strong>{environment}</strong>{" "}
            environment; a flag with no row is on. Pages pick up a change within{" "}
            {FLAG_REFRESH_MS / 1000} seconds.
          </>
        }
      />

      <div className="admin-actions" data-testid="feature-flags">
        {flags.map((flag) => (
          <AdminActionForm
            // Keyed by state too, so the card starts empty (no old reason) after a switch.
            key={`${flag.name}-${onOff(flag.enabled)}`}
            intent="set"
            // Every card posts intent=set: a refusal belongs to the card of the flag it names.
            reply={reply && reply.values.name === flag.name ? reply : undefined}
            title={flag.name}
            description={flag.description}
            pendingText={flag.enabled ? "Switching off…" : "Switching on…"}
            submitLabel={flag.enabled ? `Switch ${flag.name} off` : `Switch ${flag.name} on`}
            danger={flag.enabled}
            reason={{ label: "Reason (goes into the audit log)" }}
          >
            {() => (
              <div data-testid={`flag-${flag.name}`} data-enabled={onOff(flag.enabled)}>
                <input type="hidden" name="name" value={flag.name} />
                <input type="hidden" name="environment" value={environment} />
                <input type="hidden" name="enabled" value={flag.enabled ? "off" : "on"} />
                <Facts
                  facts={[
                    {
                      label: "State",
                      value: (
                        <Badge tone={flag.enabled ? "success" : "danger"}>
                          {onOff(flag.enabled)}
                        </Badge>
                      ),
                    },
                    {
                      label: "Last changed",
                      value: flag.row ? (
                        <>
                          <LocalTime value={flag.row.updatedAt} />
                          {flag.row.updatedById && flag.row.updatedByName && (
                            <>
                              {" by "}
                              <UserLink id={flag.row.updatedById} name={flag.row.updatedByName} />
                            </>
                          )}
                        </>
                      ) : (
                        <Muted>never (default)</Muted>
                      ),
                    },
                    flag.elsewhere.length > 0 && {
                      label: "Other environments",
                      value: flag.elsewhere
                        .map((row) => `${row.environment}: ${onOff(row.enabled)}`)
                        .join(", "),
                    },
                    !flag.enabled && { label: "Users read", value: flag.offMessage },
                  ]}
                />
              </div>
            )}
          </AdminActionForm>
        ))}
      </div>

      <Section title="Recent changes">
        <DataTable
          rows={changes}
          testId="flag-changes"
          empty={<p className="muted">No flag has been switched yet.</p>}
          columns={[
            { header: "When", cell: (change) => <LocalTime value={change.createdAt} /> },
            { header: "Flag", cell: (change) => <code>{change.flag}</code> },
            { header: "Environment", cell: (change) => change.environment },
            {
              header: "Change",
              cell: (change) => `${onOff(change.before)} → ${onOff(change.after)}`,
            },
            {
              header: "By",
              cell: (change) =>
                change.actorId && change.actorName ? (
                  <UserLink id={change.actorId} name={change.actorName} />
                ) : (
                  <Muted>system</Muted>
                ),
            },
            { header: "Reason", cell: (change) => change.reason },
          ]}
        />
      </Section>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
