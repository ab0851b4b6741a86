import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { AuditHistory } from "~/components/audit-history";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useId } from "react";
import { AccountStatusBadge } from "~/components/account-status-badge";
import { ErrorPanel, GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, SubmitButton } from "~/components/forms";
import { fieldErrors, UserAdminFormSchema } from "~/domain/auth/admin-forms";
import {
  moderationOptions,
  REASON_MAX_LENGTH,
  STATUS_FOR_INTENT,
  type ModerationOptions,
  type StatusIntent,
} from "~/domain/auth/moderation";
import { can } from "~/domain/auth/permissions";
import { actionCapability, ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { auditActor, auditRequestInfo, requirePermission } from "~/request/auth.server";
import { invariantResponse, requireIdParam } from "~/lib/http";
import { redirectWithToast } from "~/lib/toast.server";
import {
  blockDevice,
  changeRole,
  getUserDetail,
  setAccountStatus,
  unblockDevice,
  type AdminFailure,
  type UserDetail,
} from "~/services/users-admin.server";

const ROUTE_ID = "routes/admin.users.$userId";

export const meta: MetaFunction = ({ data }) => {
  const name = (data as LoaderData | undefined)?.user.name;
  return [
    { title: name ? `${name} — Users — Admin — Studio Store` : "User — Admin — Studio Store" },
  ];
};

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
  const userId = requireIdParam(params, "userId", "There is no such account.");
  const detail = await getUserDetail(context.db, userId, {
    includeAudit: can(actor.role, "audit:read"),
  });
  invariantResponse(detail, "There is no such account.", { status: 404 });
  return Response.json({
    ...detail,
    options: moderationOptions(actor, detail.user),
    isSelf: actor.id === detail.user.id,
  });
}

type ActionData = {
  intent: string;
  deviceId?: string;
  errors: Record<string, string>;
  formError?: string;
};

const FAILURE_STATUS: Record<AdminFailure["code"], number> = {
  "not-found": 404,
  forbidden: 403,
  invalid: 400,
  conflict: 409,
};

function refusal(intent: string, failure: AdminFailure, deviceId?: string): Response {
  invariantResponse(failure.code !== "not-found", failure.message, { status: 404 });
  const data: ActionData = failure.field
    ? { intent, deviceId, errors: { [failure.field]: failure.message } }
    : { intent, deviceId, errors: {}, formError: failure.message };
  return Response.json(data, { status: FAILURE_STATUS[failure.code] });
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;

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
  const targetId = requireIdParam(params, "userId", "There is no such account.");

  const parsed = UserAdminFormSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) {
    const deviceId = formData.get("deviceId");
    return Response.json(
      {
        intent: intent ?? "",
        deviceId: typeof deviceId === "string" ? deviceId : undefined,
        errors: fieldErrors(parsed.error),
      } satisfies ActionData,
      { status: 400 },
    );
  }

  const form = parsed.data;
  const deps = { db: context.db };
  const change = {
    actor: auditActor(actor),
    request: await auditRequestInfo(request, context),
    now: new Date(),
  };
  const back = `/admin/users/${targetId}`;

  switch (form.intent) {
    case "lock":
    case "suspend":
    case "ban":
    case "unlock": {
      const status = STATUS_FOR_INTENT[form.intent];
      const result = await setAccountStatus(deps, {
        ...change,
        targetId,
        status,
        reason: form.reason,
      });
      if (!result.ok) return refusal(form.intent, result);
      const message =
        status === "ACTIVE"
          ? "The account is active again."
          : `The account is ${status.toLowerCase()}; ${plural(result.sessionsEnded, "session")} ended.`;
      return redirectWithToast(context, back, { kind: "success", message });
    }
    case "change-role": {
      const result = await changeRole(deps, { ...change, targetId, role: form.role });
      if (!result.ok) return refusal(form.intent, result);
      return redirectWithToast(context, back, {
        kind: "success",
        message: `The role is now ${form.role.toLowerCase()}.`,
      });
    }
    case "block-device": {
      const result = await blockDevice(deps, {
        ...change,
        userId: targetId,
        deviceId: form.deviceId,
        reason: form.reason,
      });
      if (!result.ok) return refusal(form.intent, result, form.deviceId);
      return redirectWithToast(context, back, {
        kind: "success",
        message: `The device is blocked; ${plural(result.sessionsEnded, "session")} ended.`,
      });
    }
    case "unblock-device": {
      const result = await unblockDevice(deps, {
        ...change,
        userId: targetId,
        deviceId: form.deviceId,
        reason: form.reason,
      });
      if (!result.ok) return refusal(form.intent, result, form.deviceId);
      return redirectWithToast(context, back, {
        kind: "success",
        message: "The device can sign in again.",
      });
    }
  }
}

// ---- Page -----------------------------------------------------------------------------------

type Serialized<T> = T extends Date
  ? string
  : T extends Array<infer U>
    ? Array<Serialized<U>>
    : T extends object
      ? { [K in keyof T]: Serialized<T[K]> }
      : T;
type LoaderData = Serialized<UserDetail> & { options: ModerationOptions; isSelf: boolean };

// UTC on server and browser alike, so hydration sees the same text.
const dateTime = new Intl.DateTimeFormat("en", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});
const when = (value: string | null) => (value ? `${dateTime.format(new Date(value))} UTC` : "—");

export default function AdminUserPage() {
  const { user, devices, activeSessions, audit, options, isSelf } = useLoaderData<LoaderData>();
  const actionData = useActionData<ActionData>();
  const canModerate = options.statusIntents.length > 0 || options.roles.length > 0;

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/admin/users">Users</Link> <span aria-hidden="true">/</span> {user.name}
      </nav>
      <header>
        <h1>{user.name}</h1>
        <p>
          {user.email} · {user.role.toLowerCase()} ·{" "}
          <AccountStatusBadge status={user.accountStatus} />
        </p>
      </header>

      <section className="admin-panel" aria-labelledby="profile-heading">
        <h2 id="profile-heading">Account</h2>
        <dl className="facts">
          <div>
            <dt>Role</dt>
            <dd>{user.role.toLowerCase()}</dd>
          </div>
          <div>
            <dt>Status</dt>
            <dd>
              <AccountStatusBadge status={user.accountStatus} />
            </dd>
          </div>
          {user.accountStatus !== "ACTIVE" && (
            <>
              <div>
                <dt>Reason</dt>
                <dd>{user.accountLockedReason ?? "—"}</dd>
              </div>
              <div>
                <dt>Since</dt>
                <dd>{when(user.accountLockedAt)}</dd>
              </div>
            </>
          )}
          <div>
            <dt>Two-factor authentication</dt>
            <dd>{user.twoFactorEnabled ? "on" : "off"}</dd>
          </div>
          <div>
            <dt>Active sessions</dt>
            <dd>{activeSessions}</dd>
          </div>
          {user.lockedUntil && (
            <div>
              <dt>Log-ins paused until (failed attempts)</dt>
              <dd>{when(user.lockedUntil)}</dd>
            </div>
          )}
          <div>
            <dt>Minor</dt>
            <dd>
              {user.isMinor
                ? user.guardianConsentAt
                  ? "yes, guardian agreed"
                  : "yes, waiting for guardian"
                : "no"}
            </dd>
          </div>
          <div>
            <dt>Joined</dt>
            <dd>{when(user.createdAt)}</dd>
          </div>
          <div>
            <dt>Last log-in</dt>
            <dd>{when(user.lastLoginAt)}</dd>
          </div>
        </dl>
      </section>

      {isSelf && (
        <p className="notice">
          This is your own account. Nobody can change their own role or status.
        </p>
      )}

      {canModerate && (
        <section aria-labelledby="actions-heading">
          <h2 id="actions-heading">Actions</h2>
          <div className="admin-actions">
            {options.statusIntents.map((intent) => (
              <StatusForm
                key={intent}
                intent={intent}
                currentStatus={user.accountStatus}
                actionData={actionData}
              />
            ))}
            {options.roles.length > 0 && (
              <RoleForm roles={options.roles} currentRole={user.role} actionData={actionData} />
            )}
          </div>
        </section>
      )}

      <section aria-labelledby="devices-heading">
        <h2 id="devices-heading">Devices</h2>
        {devices.length === 0 ? (
          <p className="muted">This account hasn&apos;t signed in from any device yet.</p>
        ) : (
          <div className="table-scroll">
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col">First seen</th>
                  <th scope="col">Last seen</th>
                  <th scope="col">Sessions</th>
                  <th scope="col">Status</th>
                  {options.devices && <th scope="col">Action</th>}
                </tr>
              </thead>
              <tbody>
                {devices.map((device) => (
                  <tr key={device.id}>
                    <td title={device.userAgent ?? undefined}>
                      {device.label ?? "Unknown device"}
                    </td>
                    <td>{when(device.createdAt)}</td>
                    <td>{when(device.lastSeenAt)}</td>
                    <td>{device.sessionCount}</td>
                    <td>
                      {device.isBlocked ? (
                        <>
                          <span className="badge badge--danger">blocked</span>{" "}
                          <span className="muted">{device.blockedReason}</span>
                        </>
                      ) : device.revokedAt ? (
                        <span className="badge">signed out</span>
                      ) : (
                        <span className="badge badge--success">allowed</span>
                      )}
                    </td>
                    {options.devices && (
                      <td>
                        <DeviceForm
                          device={device}
                          actionData={
                            actionData?.deviceId === device.id &&
                            (actionData.intent === "block-device" ||
                              actionData.intent === "unblock-device")
                              ? actionData
                              : undefined
                          }
                        />
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {audit && (
        <AuditHistory
          rows={audit}
          title="Recent activity"
          empty="Nothing recorded for this account yet."
          selfId={user.id}
        />
      )}
    </>
  );
}

const STATUS_COPY: Record<
  StatusIntent,
  { title: string; description: string; button: string; pending: string }
> = {
  lock: {
    title: "Lock account",
    description: "Signs them out everywhere and stops log-ins until the account is unlocked.",
    button: "Lock account",
    pending: "Locking…",
  },
  suspend: {
    title: "Suspend account",
    description:
      "For accounts under review: signs them out everywhere until the suspension is lifted.",
    button: "Suspend account",
    pending: "Suspending…",
  },
  ban: {
    title: "Ban account",
    description:
      "Closes the account for breaking the terms. Signs them out everywhere; only an admin can lift it.",
    button: "Ban account",
    pending: "Banning…",
  },
  unlock: {
    title: "Reactivate account",
    description: "Lets them log in again. Their old sessions stay ended.",
    button: "Reactivate account",
    pending: "Reactivating…",
  },
};

function StatusForm({
  intent,
  currentStatus,
  actionData,
}: {
  intent: StatusIntent;
  currentStatus: string;
  actionData: ActionData | undefined;
}) {
  const id = useId();
  const copy = STATUS_COPY[intent];
  const mine = actionData?.intent === intent ? actionData : undefined;
  const reasonError = mine?.errors.reason;
  const optional = intent === "unlock";
  return (
    <Form method="post" className="admin-panel form-stack" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{copy.title}</h3>
      <p className="muted">
        {copy.description}
        {optional && ` It is ${currentStatus.toLowerCase()} now.`}
      </p>
      <FormError>{mine?.formError}</FormError>
      <input type="hidden" name="intent" value={intent} />
      <div className="field">
        <label htmlFor={`${id}-reason`}>{optional ? "Note (optional)" : "Reason"}</label>
        <textarea
          id={`${id}-reason`}
          name="reason"
          required={!optional}
          maxLength={REASON_MAX_LENGTH}
          aria-invalid={reasonError ? true : undefined}
          aria-describedby={reasonError ? `${id}-reason-error` : undefined}
        />
        {reasonError && (
          <p id={`${id}-reason-error`} className="field__error" role="alert">
            {reasonError}
          </p>
        )}
      </div>
      <SubmitButton
        name="intent"
        value={intent}
        pendingText={copy.pending}
        className={optional ? "button" : "button button--danger"}
      >
        {copy.button}
      </SubmitButton>
    </Form>
  );
}

function RoleForm({
  roles,
  currentRole,
  actionData,
}: {
  roles: string[];
  currentRole: string;
  actionData: ActionData | undefined;
}) {
  const id = useId();
  const mine = actionData?.intent === "change-role" ? actionData : undefined;
  const roleError = mine?.errors.role;
  return (
    <Form method="post" className="admin-panel form-stack" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Change role</h3>
      <p className="muted">
        Now {currentRole.toLowerCase()}. Staff roles need two-factor authentication before they can
        open the admin area.
      </p>
      <FormError>{mine?.formError}</FormError>
      <input type="hidden" name="intent" value="change-role" />
      <div className="field">
        <label htmlFor={`${id}-role`}>New role</label>
        <select
          id={`${id}-role`}
          name="role"
          required
          defaultValue=""
          aria-invalid={roleError ? true : undefined}
          aria-describedby={roleError ? `${id}-role-error` : undefined}
        >
          <option value="" disabled>
            Choose a role
          </option>
          {roles.map((role) => (
            <option key={role} value={role}>
              {role.toLowerCase()}
            </option>
          ))}
        </select>
        {roleError && (
          <p id={`${id}-role-error`} className="field__error" role="alert">
            {roleError}
          </p>
        )}
      </div>
      <SubmitButton name="intent" value="change-role" pendingText="Saving…">
        Change role
      </SubmitButton>
    </Form>
  );
}

function DeviceForm({
  device,
  actionData,
}: {
  device: { id: string; label: string | null; isBlocked: boolean };
  actionData: ActionData | undefined;
}) {
  const id = useId();
  const label = device.label ?? "this device";
  const reasonError = actionData?.errors.reason ?? actionData?.errors.deviceId;
  const intent = device.isBlocked ? "unblock-device" : "block-device";
  return (
    <Form method="post" className="inline-form device-block-form">
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="deviceId" value={device.id} />
      {!device.isBlocked && (
        <div className="field">
          <label htmlFor={`${id}-reason`}>Reason</label>
          <input
            id={`${id}-reason`}
            name="reason"
            required
            maxLength={REASON_MAX_LENGTH}
            aria-label={`Reason for blocking ${label}`}
            aria-invalid={reasonError ? true : undefined}
            aria-describedby={reasonError ? `${id}-error` : undefined}
          />
        </div>
      )}
      <SubmitButton
        name="intent"
        value={intent}
        pendingText={device.isBlocked ? "Unblocking…" : "Blocking…"}
        className={device.isBlocked ? "button button--ghost" : "button button--danger"}
      >
        {device.isBlocked ? "Unblock" : "Block"}
      </SubmitButton>
      {(reasonError || actionData?.formError) && (
        <p id={`${id}-error`} className="field__error" role="alert">
          {reasonError ?? actionData?.formError}
        </p>
      )}
    </Form>
  );
}

export function ErrorBoundary() {
  return (
    <GeneralErrorBoundary
      statusHandlers={{
        404: () => (
          <ErrorPanel
            status={404}
            title="There is no such account"
            message="It may have been deleted, or the link is wrong. Search for it on the users page."
          />
        ),
      }}
    />
  );
}
