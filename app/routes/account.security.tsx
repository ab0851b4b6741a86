import {
  data,
  type ActionFunctionArgs,
  type AppLoadContext,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { EmptyState } from "~/components/page";
import { NewPasswordField } from "~/components/new-password-field";
import { StatusBoundary } from "~/components/error-boundary";
import { Field, FormError, SubmitButton, useFormReply } from "~/components/forms";
import { CursorPagination } from "~/components/pagination";
import { TwoFactorSection } from "~/components/two-factor-section";
import { needsGuardianConsent } from "~/domain/auth/age";
import { SecurityActionSchema, SecurityPageQuerySchema } from "~/domain/auth/forms";
import { ChangePasswordFormSchema } from "~/domain/auth/password-forms";
import { parseForm } from "~/lib/forms.server";
import { invariantResponse } from "~/lib/http";
import { redirectWithToast } from "~/lib/toast.server";
import {
  auditActor,
  auditRequestInfo,
  clearSessionCookie,
  requireUser,
  type CurrentUser,
} from "~/request/auth.server";
import { refusedForm } from "~/request/refusals.server";
import { readForm } from "~/request/read-form.server";
import {
  listUserDevices,
  logOutOtherSessions,
  revokeDevice,
  type DeviceListItem,
} from "~/services/account-security.server";
import { changePassword } from "~/services/auth/password-change.server";
import { LocalTime } from "~/components/local-time";

export const meta: MetaFunction = () => [{ title: "Security — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const search = new URL(request.url).searchParams;
  const query = SecurityPageQuerySchema.parse({
    cursor: search.get("cursor"),
    required: search.get("required"),
  });
  const devices = await listUserDevices(context.db, {
    userId: user.id,
    now: new Date(),
    cursor: query.cursor,
  });
  return {
    twoFactorEnabled: user.twoFactorEnabled,
    twoFactorRequired: query.required === "2fa" && !user.twoFactorEnabled,
    consentPending: needsGuardianConsent(user),
    currentDeviceId: user.deviceSessionId,
    devices: devices.items,
    nextCursor: devices.nextCursor,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const formData = await readForm(request);
  if (formData.get("intent") === "change-password") {
    return changePasswordAction(request, context, user, formData);
  }
  const submission = parseForm(formData, SecurityActionSchema);
  // Only buttons and hidden fields: nothing a person typed could be shown again.
  invariantResponse(submission.ok, "This form wasn't understood. Reload the page and try again.");
  const form = submission.value;
  const now = new Date();
  const requestInfo = await auditRequestInfo(request, context);

  if (form.intent === "log-out-others") {
    const { endedSessions } = await logOutOtherSessions(context.db, {
      user,
      request: requestInfo,
      now,
    });
    return redirectWithToast(context, "/account/security", {
      message:
        endedSessions === 0
          ? "No other device was logged in."
          : `Logged out ${endedSessions} other session${endedSessions === 1 ? "" : "s"}.`,
    });
  }

  const result = await revokeDevice(context.db, {
    user,
    deviceId: form.deviceId,
    request: requestInfo,
    now,
  });
  if (!result.ok) return refusedForm(formData, result);
  if (result.wasCurrentDevice) {
    return redirectWithToast(
      context,
      "/login",
      { kind: "info", message: "You revoked this device, so it has been logged out." },
      { headers: { "Set-Cookie": await clearSessionCookie(context) } },
    );
  }
  return redirectWithToast(context, "/account/security", {
    message: "Device revoked and logged out.",
  });
}

/** `intent=change-password`: the current password (and a code with 2FA), then the new one. */
async function changePasswordAction(
  request: Request,
  context: AppLoadContext,
  user: CurrentUser,
  formData: FormData,
) {
  const submission = parseForm(formData, ChangePasswordFormSchema);
  if (!submission.ok) return data(submission.reply, { status: 400 });
  const form = submission.value;
  const result = await changePassword(
    { db: context.db, env: context.env },
    {
      user,
      currentPassword: form.currentPassword,
      newPassword: form.password,
      code: form.code,
      actor: auditActor(user),
      request: await auditRequestInfo(request, context),
      now: new Date(),
    },
  );
  if (!result.ok) return refusedForm(formData, result);
  return redirectWithToast(context, "/account/security", {
    message:
      result.endedSessions === 0
        ? "Password changed."
        : `Password changed. ${result.endedSessions} other session${result.endedSessions === 1 ? " was" : "s were"} logged out.`,
  });
}

export default function AccountSecurity() {
  const data = useLoaderData<typeof loader>();
  return (
    <>
      <header className="page-header">
        <h1>Security</h1>
        <p>Two-factor authentication and the devices signed in to your account.</p>
        <p>
          <Link to="/account/email">Change your email address</Link>
        </p>
      </header>

      {data.twoFactorRequired && (
        <div className="notice" role="alert" data-testid="two-factor-required">
          Staff accounts need two-factor authentication before opening the admin area.
        </div>
      )}

      {/* The 2FA slot: enrollment and switching it off replace this placeholder. */}
      <TwoFactorSection enabled={data.twoFactorEnabled} />

      <ChangePasswordSection twoFactorEnabled={data.twoFactorEnabled} />

      {data.consentPending && (
        <section className="section notice" aria-labelledby="consent-title">
          <h2 id="consent-title">Waiting for your guardian</h2>
          <p>
            Until your parent or guardian agrees through the link we emailed them, you can browse
            but can&apos;t buy or start a project.
          </p>
          <Form method="post" action="/account/consent">
            <input type="hidden" name="redirectTo" value="/account/security" />
            <SubmitButton className="button button--ghost" pendingText="Sending…">
              Send the email again
            </SubmitButton>
          </Form>
        </section>
      )}

      <section className="section" aria-labelledby="devices-title">
        <h2 id="devices-title">Your devices</h2>
        <p>
          Each browser you log in from is listed here. Revoke one you don&apos;t recognise: it is
          logged out at once. Logging in from it again brings it back.
        </p>
        {data.devices.length === 0 ? (
          <EmptyState title="No devices yet">
            <p>Devices appear here after you log in.</p>
          </EmptyState>
        ) : (
          <div className="table-scroll">
            <table className="data-table" data-testid="device-list">
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col">First seen</th>
                  <th scope="col">Last seen</th>
                  <th scope="col">Status</th>
                  <th scope="col" aria-label="Actions" />
                </tr>
              </thead>
              <tbody>
                {data.devices.map((device) => (
                  <DeviceTableRow
                    key={device.id}
                    device={device}
                    isCurrent={device.id === data.currentDeviceId}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
        <CursorPagination nextCursor={data.nextCursor} />
      </section>

      <section className="section" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Other sessions</h2>
        <p>Log out everywhere except this browser, for example after using a shared computer.</p>
        <Form method="post">
          <SubmitButton
            className="button button--ghost"
            name="intent"
            value="log-out-others"
            pendingText="Logging out…"
          >
            Log out other devices
          </SubmitButton>
        </Form>
      </section>
    </>
  );
}

/** Self-contained: its own form, errors and intent, so other sections can sit beside it. */
function ChangePasswordSection({ twoFactorEnabled }: { twoFactorEnabled: boolean }) {
  const form = useFormReply(useActionData<typeof action>(), { intent: "change-password" });
  return (
    <section className="section" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <p>Changing your password logs out every other device; this browser stays logged in.</p>
      <FormError>{form.formError}</FormError>
      <Form method="post" className="form-stack" noValidate data-testid="change-password-form">
        <input type="hidden" name="intent" value="change-password" />
        <Field
          label="Current password"
          meta={form.field("currentPassword")}
          type="password"
          autoComplete="current-password"
          required
        />
        <NewPasswordField meta={form.field("password")} />
        {twoFactorEnabled && (
          <Field
            label="Code from your app"
            meta={form.field("code")}
            inputMode="numeric"
            autoComplete="one-time-code"
            required
            description="The 6-digit code from your authenticator app, or a recovery code."
          />
        )}
        <SubmitButton pendingText="Changing…">Change password</SubmitButton>
      </Form>
    </section>
  );
}

function DeviceTableRow({ device, isCurrent }: { device: DeviceListItem; isCurrent: boolean }) {
  return (
    <tr data-device-id={device.id}>
      <td>
        {device.label} {isCurrent && <span className="badge badge--success">This device</span>}{" "}
        {device.isBlocked && <span className="badge badge--danger">Blocked</span>}
      </td>
      <td>
        <LocalTime value={device.firstSeenAt} />
      </td>
      <td>
        <LocalTime value={device.lastSeenAt} />
      </td>
      <td>{device.activeSessions > 0 ? "Logged in" : "Logged out"}</td>
      <td>
        <Form method="post" className="inline-form">
          <input type="hidden" name="intent" value="revoke-device" />
          <RevokeButton deviceId={device.id} label={device.label} isCurrent={isCurrent} />
        </Form>
      </td>
    </tr>
  );
}

/** Names its device for screen readers; only the clicked row shows it is busy. */
function RevokeButton({
  deviceId,
  label,
  isCurrent,
}: {
  deviceId: string;
  label: string;
  isCurrent: boolean;
}) {
  const navigation = useNavigation();
  const pending =
    navigation.state === "submitting" && navigation.formData?.get("deviceId") === deviceId;
  return (
    <button
      type="submit"
      className="button button--ghost"
      name="deviceId"
      value={deviceId}
      disabled={pending}
      aria-busy={pending}
      aria-label={isCurrent ? `Revoke and log out: ${label} (this device)` : `Revoke ${label}`}
    >
      {pending ? "Revoking…" : isCurrent ? "Revoke and log out" : "Revoke"}
    </button>
  );
}

export function ErrorBoundary() {
  return (
    <StatusBoundary
      status={404}
      title="That device isn't in your list"
      message="It may have been revoked already. Open Account → Security again to see your devices."
    />
  );
}
