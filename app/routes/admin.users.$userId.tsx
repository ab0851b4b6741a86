import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { AdminActionForm } from "~/components/admin-action-form";
import { ActionsSection, DetailHeader, FactsPanel, Muted, Section } from "~/components/admin-page";
import { StatusBoundary } from "~/components/error-boundary";
import { AuditHistory } from "~/components/audit-history";
import { Badge } from "~/components/badge";
import { DataTable } from "~/components/data-table";
import { Field, FormError, SelectField, SubmitButton, useFormReply } from "~/components/forms";
import { StatusBadge } from "~/components/status-badge";
import { UserAdminFormSchema } from "~/domain/auth/admin-forms";
import {
  moderationOptions,
  REASON_MAX_LENGTH,
  STATUS_FOR_INTENT,
  type StatusIntent,
} from "~/domain/auth/moderation";
import { can } from "~/domain/auth/permissions";
import type { FormReply } from "~/lib/form-reply";
import { requireIdParam } from "~/lib/http";
import { adminAction } from "~/request/admin-action.server";
import { adminRecord } from "~/request/admin-loaders.server";
import {
  blockDevice,
  changeRole,
  getUserDetail,
  setAccountStatus,
  unblockDevice,
} from "~/services/users-admin.server";
import { LocalTime } from "~/components/local-time";

const ROUTE_ID = "routes/admin.users.$userId";
const NOT_FOUND = "There is no such account.";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: data
      ? `${data.user.name} — Users — Admin — Studio Store`
      : "User — Admin — Studio Store",
  },
];

export async function loader(args: LoaderFunctionArgs) {
  const { staff, record } = await adminRecord(args, {
    routeId: ROUTE_ID,
    param: "userId",
    notFound: NOT_FOUND,
    load: (db, userId, staff) =>
      getUserDetail(db, userId, { includeAudit: can(staff.role, "audit:read") }),
  });
  return {
    ...record,
    options: moderationOptions(staff, record.user),
    isSelf: staff.id === record.user.id,
    mayGrantMembership: can(staff.role, "memberships:manage"),
  };
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;

export async function action(args: ActionFunctionArgs) {
  return adminAction(args, {
    routeId: ROUTE_ID,
    schema: UserAdminFormSchema,
    async perform(form, staff) {
      const targetId = requireIdParam(args.params, "userId", NOT_FOUND);
      const deps = { db: staff.db };
      switch (form.intent) {
        case "lock":
        case "suspend":
        case "ban":
        case "unlock": {
          const status = STATUS_FOR_INTENT[form.intent];
          const result = await setAccountStatus(deps, {
            ...staff,
            targetId,
            status,
            reason: form.reason,
          });
          if (!result.ok) return result;
          return {
            ok: true,
            toast:
              status === "ACTIVE"
                ? "The account is active again."
                : `The account is ${status.toLowerCase()}; ${plural(result.sessionsEnded, "session")} ended.`,
          };
        }
        case "change-role": {
          const result = await changeRole(deps, { ...staff, targetId, role: form.role });
          if (!result.ok) return result;
          return { ok: true, toast: `The role is now ${form.role.toLowerCase()}.` };
        }
        case "block-device": {
          const result = await blockDevice(deps, { ...staff, ...form, userId: targetId });
          if (!result.ok) return result;
          return {
            ok: true,
            toast: `The device is blocked; ${plural(result.sessionsEnded, "session")} ended.`,
          };
        }
        case "unblock-device": {
          const result = await unblockDevice(deps, { ...staff, ...form, userId: targetId });
          if (!result.ok) return result;
          return { ok: true, toast: "The device can sign in again." };
        }
      }
    },
  });
}

// ---- Page -----------------------------------------------------------------------------------

export default function AdminUserPage() {
  const { user, devices, activeSessions, audit, options, isSelf, mayGrantMembership } =
    useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  const canModerate = options.statusIntents.length > 0 || options.roles.length > 0;
  const restricted = user.accountStatus !== "ACTIVE";

  return (
    <>
      <DetailHeader list={["/admin/users", "Users"]} title={user.name}>
        {user.email} · {user.role.toLowerCase()} · <StatusBadge status={user.accountStatus} />
      </DetailHeader>

      <FactsPanel
        title="Account"
        facts={[
          { label: "Role", value: user.role.toLowerCase() },
          { label: "Status", value: <StatusBadge status={user.accountStatus} /> },
          restricted && { label: "Reason", value: user.accountLockedReason ?? "—" },
          restricted && { label: "Since", value: <LocalTime value={user.accountLockedAt} /> },
          { label: "Two-factor authentication", value: user.twoFactorEnabled ? "on" : "off" },
          { label: "Active sessions", value: activeSessions },
          user.lockedUntil && {
            label: "Log-ins paused until (failed attempts)",
            value: <LocalTime value={user.lockedUntil} />,
          },
          {
            label: "Minor",
            value: user.isMinor
              ? user.guardianConsentAt
                ? "yes, guardian agreed"
                : "yes, waiting for guardian"
              : "no",
          },
          { label: "Joined", value: <LocalTime value={user.createdAt} /> },
          { label: "Last log-in", value: <LocalTime value={user.lastLoginAt} /> },
          mayGrantMembership && {
            label: "Membership",
            value: <Link to={`/admin/memberships/new?userId=${user.id}`}>Give a membership</Link>,
          },
        ]}
      />

      {isSelf && (
        <p className="notice">
          This is your own account. Nobody can change their own role or status.
        </p>
      )}

      {canModerate && (
        <ActionsSection>
          {options.statusIntents.map((intent) => (
            <StatusForm
              key={intent}
              intent={intent}
              currentStatus={user.accountStatus}
              reply={reply}
            />
          ))}
          {options.roles.length > 0 && (
            <AdminActionForm
              intent="change-role"
              reply={reply}
              title="Change role"
              description={`Now ${user.role.toLowerCase()}. Staff roles need two-factor authentication before they can open the admin area.`}
              pendingText="Saving…"
              reason={false}
            >
              {(form) => (
                <SelectField
                  label="New role"
                  meta={form.field("role")}
                  required
                  options={[
                    { value: "", label: "Choose a role" },
                    ...options.roles.map((role) => ({ value: role, label: role.toLowerCase() })),
                  ]}
                />
              )}
            </AdminActionForm>
          )}
        </ActionsSection>
      )}

      <Section title="Devices">
        <DataTable
          rows={devices}
          empty={<p className="muted">This account hasn&apos;t signed in from any device yet.</p>}
          columns={[
            {
              header: "Device",
              cellProps: (device) => ({ title: device.userAgent ?? undefined }),
              cell: (device) => device.label ?? "Unknown device",
            },
            { header: "First seen", cell: (device) => <LocalTime value={device.createdAt} /> },
            { header: "Last seen", cell: (device) => <LocalTime value={device.lastSeenAt} /> },
            { header: "Sessions", cell: (device) => device.sessionCount },
            { header: "Status", cell: (device) => <DeviceStatus device={device} /> },
            ...(options.devices
              ? [
                  {
                    header: "Action",
                    cell: (device: DeviceRow) => <DeviceForm device={device} reply={reply} />,
                  },
                ]
              : []),
          ]}
        />
      </Section>

      {audit && (
        <AuditHistory
          rows={audit}
          title="Recent activity"
          empty="Nothing recorded for this account yet."
          selfId={user.id}
          fullHistory={{ entity: "user", entityId: user.id, actorEmail: user.email }}
        />
      )}
    </>
  );
}

const STATUS_COPY: Record<StatusIntent, { title: string; description: string; pending: string }> = {
  lock: {
    title: "Lock account",
    description: "Signs them out everywhere and stops log-ins until the account is unlocked.",
    pending: "Locking…",
  },
  suspend: {
    title: "Suspend account",
    description:
      "For accounts under review: signs them out everywhere until the suspension is lifted.",
    pending: "Suspending…",
  },
  ban: {
    title: "Ban account",
    description:
      "Closes the account for breaking the terms. Signs them out everywhere; only an admin can lift it.",
    pending: "Banning…",
  },
  unlock: {
    title: "Reactivate account",
    description: "Lets them log in again. Their old sessions stay ended.",
    pending: "Reactivating…",
  },
};

function StatusForm({
  intent,
  currentStatus,
  reply,
}: {
  intent: StatusIntent;
  currentStatus: string;
  reply: FormReply | undefined;
}) {
  const copy = STATUS_COPY[intent];
  const lifting = intent === "unlock";
  return (
    <AdminActionForm
      intent={intent}
      reply={reply}
      title={copy.title}
      description={
        lifting ? `${copy.description} It is ${currentStatus.toLowerCase()} now.` : copy.description
      }
      pendingText={copy.pending}
      danger={!lifting}
      reason={lifting ? { label: "Note (optional)", optional: true } : {}}
    />
  );
}

type DeviceRow = {
  id: string;
  label: string | null;
  isBlocked: boolean;
  blockedReason: string | null;
  revokedAt: Date | null;
};

function DeviceStatus({ device }: { device: DeviceRow }) {
  if (device.isBlocked) {
    return (
      <>
        <Badge tone="danger">blocked</Badge> <Muted>{device.blockedReason}</Muted>
      </>
    );
  }
  return device.revokedAt ? <Badge>signed out</Badge> : <Badge tone="success">allowed</Badge>;
}

function DeviceForm({ device, reply }: { device: DeviceRow; reply: FormReply | undefined }) {
  const intent = device.isBlocked ? "unblock-device" : "block-device";
  // Every row has a form with this intent: a reply belongs to the row of the device it names.
  const form = useFormReply(reply?.values.deviceId === device.id ? reply : undefined, { intent });
  return (
    <Form method="post" className="inline-form device-block-form">
      <input type="hidden" name="deviceId" value={device.id} />
      {!device.isBlocked && (
        <Field
          label="Reason"
          aria-label={`Reason for blocking ${device.label ?? "this device"}`}
          meta={form.field("reason")}
          required
          maxLength={REASON_MAX_LENGTH}
        />
      )}
      <SubmitButton
        name="intent"
        value={intent}
        pendingText={device.isBlocked ? "Unblocking…" : "Blocking…"}
        className={device.isBlocked ? "button button--ghost" : "button button--danger"}
      >
        {device.isBlocked ? "Unblock" : "Block"}
      </SubmitButton>
      <FormError>{form.formError ?? form.field("deviceId").error}</FormError>
    </Form>
  );
}

export function ErrorBoundary() {
  return (
    <StatusBoundary
      status={404}
      title="There is no such account"
      message="It may have been deleted, or the link is wrong. Search for it on the users page."
    />
  );
}
