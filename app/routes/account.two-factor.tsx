import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { FormError, SubmitButton, useFormReply } from "~/components/forms";
import { TwoFactorCodeField } from "~/components/two-factor-section";
import { TwoFactorIntentSchema } from "~/domain/auth/forms";
import { parseForm } from "~/lib/forms.server";
import { qrCodeSvg } from "~/lib/qr-svg";
import { redirectWithToast } from "~/lib/toast.server";
import { auditActor, auditRequestInfo, requireUser, sessionCookie } from "~/request/auth.server";
import { refusedForm } from "~/request/refusals.server";
import { readForm } from "~/request/read-form.server";
import { startSession } from "~/services/auth/login.server";
import {
  beginEnrollment,
  confirmEnrollment,
  disableTwoFactor,
  getEnrollmentState,
} from "~/services/two-factor.server";

export const meta: MetaFunction = () => [{ title: "Two-factor authentication — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const state = await getEnrollmentState(context.db, context.env.encryptionKeys, user.id);
  if (!state) throw redirect("/login");
  if (state.status === "pending") {
    return {
      status: state.status,
      secret: state.secret,
      qrSvg: qrCodeSvg(state.otpauthUri, { label: "QR code for your authenticator app" }),
    };
  }
  return state;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const formData = await readForm(request);
  const submission = parseForm(formData, TwoFactorIntentSchema);
  if (!submission.ok) return data(submission.reply, { status: 400 });
  const form = submission.value;
  const deps = { db: context.db, env: context.env };
  const now = new Date();
  const requestInfo = await auditRequestInfo(request, context);

  if (form.intent === "begin") {
    const started = await beginEnrollment(context.db, context.env.encryptionKeys, user.id, now);
    if (!started.ok) return refusedForm(formData, started);
    return redirect("/account/two-factor");
  }

  const codeInput = {
    userId: user.id,
    code: form.code,
    now,
    actor: auditActor(user),
    request: requestInfo,
  };
  if (form.intent === "confirm") {
    const result = await confirmEnrollment(deps, codeInput);
    if (!result.ok) return refusedForm(formData, result);
    // Step-up: the session that just proved the second factor gets a new token.
    const headers = new Headers();
    if (user.deviceSessionId) {
      const { token } = await startSession(deps, {
        user,
        deviceSessionId: user.deviceSessionId,
        newDevice: false,
        twoFactorVerified: true,
        method: "totp",
        request: requestInfo,
        replaceSessionId: user.sessionId,
        now,
      });
      headers.append("Set-Cookie", await sessionCookie(context).serialize(token));
    }
    // Shown once, on this response; never stored in plain text.
    return data({ recoveryCodes: result.recoveryCodes }, { headers });
  }

  const result = await disableTwoFactor(deps, codeInput);
  if (!result.ok) return refusedForm(formData, result);
  return redirectWithToast(context, "/account/security", {
    kind: "success",
    message: "Two-factor authentication is off. We've emailed you about the change.",
  });
}

export default function TwoFactorPage() {
  const state = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  // Only one code form is on the page at a time, so one reply serves them all.
  const form = useFormReply(actionData && "status" in actionData ? actionData : undefined);

  if (actionData && "recoveryCodes" in actionData) {
    return (
      <section aria-labelledby="recovery-title">
        <h1 id="recovery-title">Two-factor authentication is on</h1>
        <p>
          Save these recovery codes somewhere safe, like a password manager. Each one signs you in
          once if you lose your phone. <strong>They are shown only now.</strong>
        </p>
        <ul className="recovery-codes" data-testid="recovery-codes">
          {actionData.recoveryCodes.map((code) => (
            <li key={code}>
              <code>{code}</code>
            </li>
          ))}
        </ul>
        <Link to="/account/security" className="button">
          I&apos;ve saved them
        </Link>
      </section>
    );
  }

  return (
    <section aria-labelledby="two-factor-title">
      <h1 id="two-factor-title">Two-factor authentication</h1>
      <FormError>{form.formError}</FormError>

      {state.status === "disabled" && (
        <>
          <p>
            With two-factor authentication, signing in needs your password and a 6-digit code from
            an app on your phone (1Password, Google Authenticator, Authy…). Staff accounts need it
            to open the admin area.
          </p>
          <Form method="post">
            <input type="hidden" name="intent" value="begin" />
            <SubmitButton pendingText="Preparing…" name="intent" value="begin">
              Set up two-factor authentication
            </SubmitButton>
          </Form>
        </>
      )}

      {state.status === "pending" && (
        <div className="two-factor-setup">
          <ol>
            <li>Open your authenticator app and scan this QR code.</li>
            <li>Enter the 6-digit code it shows to finish.</li>
          </ol>
          {/* The SVG is generated on our server from the otpauth URI; it contains no script. */}
          <div className="qr-code" dangerouslySetInnerHTML={{ __html: state.qrSvg }} />
          <p>
            Can&apos;t scan? Enter this key by hand:{" "}
            <code className="secret-key" data-testid="totp-secret">
              {state.secret}
            </code>
          </p>
          <Form method="post" className="form-stack" noValidate>
            <input type="hidden" name="intent" value="confirm" />
            <TwoFactorCodeField label="Code from your app" meta={form.field("code")} />
            <SubmitButton pendingText="Checking…" name="intent" value="confirm">
              Turn on two-factor authentication
            </SubmitButton>
          </Form>
        </div>
      )}

      {state.status === "enabled" && (
        <>
          <p>
            Two-factor authentication is <strong>on</strong>. You have {state.recoveryCodesLeft}{" "}
            unused recovery code{state.recoveryCodesLeft === 1 ? "" : "s"}.
          </p>
          <h2>Turn it off</h2>
          <p>Enter a current code from your app (or a recovery code) to confirm it&apos;s you.</p>
          <Form method="post" className="form-stack" noValidate>
            <input type="hidden" name="intent" value="disable" />
            <TwoFactorCodeField label="Code" meta={form.field("code")} />
            <SubmitButton
              pendingText="Turning off…"
              name="intent"
              value="disable"
              className="button button--ghost"
            >
              Turn off two-factor authentication
            </SubmitButton>
          </Form>
        </>
      )}
    </section>
  );
}
