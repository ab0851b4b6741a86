import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { redirect } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { Field, FormError, SubmitButton } from "~/components/forms";
import { TwoFactorIntentSchema } from "~/domain/auth/forms";
import { auditActor, auditRequestInfo, requireUser, sessionCookie } from "~/request/auth.server";
import { qrCodeSvg } from "~/lib/qr-svg";
import { redirectWithToast } from "~/lib/toast.server";
import { startSession } from "~/services/auth/login.server";
import {
  beginEnrollment,
  confirmEnrollment,
  disableTwoFactor,
  getEnrollmentState,
  type CodeRejection,
} from "~/services/two-factor.server";

export const meta: MetaFunction = () => [{ title: "Two-factor authentication — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const state = await getEnrollmentState(context.db, context.env.encryptionKeys, user.id);
  if (!state) throw redirect("/login");
  if (state.status === "pending") {
    return Response.json({
      status: state.status,
      secret: state.secret,
      qrSvg: qrCodeSvg(state.otpauthUri, { label: "QR code for your authenticator app" }),
    });
  }
  return Response.json(state);
}

type LoaderData =
  | { status: "disabled" }
  | { status: "pending"; secret: string; qrSvg: string }
  | { status: "enabled"; recoveryCodesLeft: number };

type ActionData = { formError?: string; codeError?: string; recoveryCodes?: string[] };

const REJECTIONS: Record<CodeRejection | "not-enabled" | "not-pending", string> = {
  "invalid-code": "That code isn't right. Check the time on your phone and try the newest code.",
  "code-already-used": "That code was already used. Wait for the next one.",
  "too-many-attempts": "Too many wrong codes. Wait a few minutes and try again.",
  "not-enabled": "Two-factor authentication is already off.",
  "not-pending": "Start the set-up again: the secret expired or 2FA is already on.",
};

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const parsed = TwoFactorIntentSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    return Response.json({ codeError: parsed.error.issues[0]!.message } satisfies ActionData, {
      status: 400,
    });
  }
  const deps = { db: context.db, env: context.env };
  const now = new Date();
  const requestInfo = await auditRequestInfo(request, context);
  const form = parsed.data;

  if (form.intent === "begin") {
    if (user.twoFactorEnabled) return redirect("/account/two-factor");
    await beginEnrollment(context.db, context.env.encryptionKeys, user.id, now);
    return redirect("/account/two-factor");
  }

  if (form.intent === "confirm") {
    const result = await confirmEnrollment(deps, {
      userId: user.id,
      code: form.code,
      now,
      actor: auditActor(user),
      request: requestInfo,
    });
    if (!result.ok) {
      return Response.json({ codeError: REJECTIONS[result.reason] } satisfies ActionData, {
        status: 400,
      });
    }
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
    return Response.json({ recoveryCodes: result.recoveryCodes } satisfies ActionData, { headers });
  }

  const result = await disableTwoFactor(deps, {
    userId: user.id,
    code: form.code,
    now,
    actor: auditActor(user),
    request: requestInfo,
  });
  if (!result.ok) {
    return Response.json({ codeError: REJECTIONS[result.reason] } satisfies ActionData, {
      status: 400,
    });
  }
  return redirectWithToast(context, "/account/security", {
    kind: "success",
    message: "Two-factor authentication is off. We've emailed you about the change.",
  });
}

export default function TwoFactorPage() {
  const state = useLoaderData<LoaderData>();
  const actionData = useActionData<ActionData>();

  if (actionData?.recoveryCodes) {
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
      <FormError>{actionData?.formError}</FormError>

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
            <Field
              label="Code from your app"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              required
              error={actionData?.codeError}
            />
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
            <Field
              label="Code"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              required
              error={actionData?.codeError}
            />
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
