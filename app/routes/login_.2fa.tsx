import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { redirect } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { Field, FormError, SubmitButton } from "~/components/forms";
import { SafeRedirectSchema, TwoFactorCodeFormSchema } from "~/domain/auth/forms";
import { accountStatusMessage } from "~/domain/auth/login-policy";
import {
  auditRequestInfo,
  clearChallengeCookie,
  getCurrentUser,
  readLoginChallenge,
  sessionCookie,
} from "~/request/auth.server";
import { findLoginUser, startSession } from "~/services/auth/login.server";
import { verifyLoginCode, type CodeRejection } from "~/services/two-factor.server";

export const meta: MetaFunction = () => [{ title: "Two-factor code — Studio Store" }];

/**
 * The second log-in step. Two ways in: a password step that left a signed challenge
 * cookie, or a logged-in session stepping up (staff opening /admin). Either way a correct
 * code starts a brand-new session.
 */
async function resolvePending(request: Request, context: LoaderFunctionArgs["context"], now: Date) {
  const challenge = await readLoginChallenge(request, context, now);
  if (challenge) return { kind: "challenge" as const, userId: challenge.userId, challenge };
  const user = await getCurrentUser(request, context);
  if (user?.twoFactorEnabled && !user.twoFactorVerified)
    return { kind: "step-up" as const, userId: user.id, user };
  return null;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const pending = await resolvePending(request, context, new Date());
  if (!pending) throw redirect("/login");
  const redirectTo = SafeRedirectSchema.parse(
    new URL(request.url).searchParams.get("redirectTo") ?? undefined,
  );
  return Response.json({ stepUp: pending.kind === "step-up", redirectTo });
}

const REJECTION_MESSAGES: Record<CodeRejection | "not-enabled", string> = {
  "invalid-code": "That code isn't right. Check the time on your phone and try the newest code.",
  "code-already-used": "That code was already used. Wait for the next one.",
  "too-many-attempts": "Too many wrong codes. Wait a minute and try again.",
  "not-enabled": "Two-factor authentication is not switched on for this account.",
};

type ActionData = { formError?: string; fieldErrors?: Record<string, string> };

export async function action({ request, context }: ActionFunctionArgs) {
  const now = new Date();
  const pending = await resolvePending(request, context, now);
  if (!pending) throw redirect("/login");

  const parsed = TwoFactorCodeFormSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    return Response.json(
      { fieldErrors: { code: parsed.error.issues[0]!.message } } satisfies ActionData,
      { status: 400 },
    );
  }

  const user = await findLoginUser(context.db, pending.userId);
  if (!user || user.accountStatus !== "ACTIVE") {
    const message =
      user && user.accountStatus !== "ACTIVE"
        ? accountStatusMessage(user.accountStatus, user.accountLockedReason)
        : "Your log-in expired. Start again.";
    return Response.json({ formError: message } satisfies ActionData, { status: 403 });
  }

  const requestInfo = await auditRequestInfo(request, context);
  const deps = { db: context.db, env: context.env };
  const verified = await verifyLoginCode(deps, {
    userId: user.id,
    code: parsed.data.code,
    now,
    request: requestInfo,
  });
  if (!verified.ok) {
    return Response.json({ formError: REJECTION_MESSAGES[verified.reason] } satisfies ActionData, {
      status: 400,
    });
  }

  const deviceSessionId =
    pending.kind === "challenge" ? pending.challenge.deviceSessionId : pending.user.deviceSessionId;
  if (!deviceSessionId) throw redirect("/login");
  const { token } = await startSession(deps, {
    user,
    deviceSessionId,
    newDevice: pending.kind === "challenge" ? pending.challenge.newDevice : false,
    twoFactorVerified: true,
    method: verified.method === "totp" ? "totp" : "recovery-code",
    request: requestInfo,
    userAgent: request.headers.get("User-Agent"),
    replaceSessionId: pending.kind === "step-up" ? pending.user.sessionId : undefined,
    now,
  });
  const headers = new Headers();
  headers.append("Set-Cookie", await sessionCookie(context).serialize(token));
  headers.append("Set-Cookie", await clearChallengeCookie(context));
  return redirect(parsed.data.redirectTo, { headers });
}

export default function TwoFactorStep() {
  const { stepUp, redirectTo } = useLoaderData<{ stepUp: boolean; redirectTo: string }>();
  const actionData = useActionData<ActionData>();
  return (
    <section className="auth-card" aria-labelledby="two-factor-title">
      <h1 id="two-factor-title">Enter your code</h1>
      <p>
        {stepUp
          ? "This page needs a fresh two-factor check. Open your authenticator app and enter the current code."
          : "Open your authenticator app and enter the 6-digit code for Studio Store."}
      </p>
      <FormError>{actionData?.formError}</FormError>
      <Form method="post" className="form-stack" noValidate>
        <Field
          label="Code"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          required
          description="Lost your phone? Enter one of your recovery codes instead."
          error={actionData?.fieldErrors?.code}
        />
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <SubmitButton pendingText="Checking…">Continue</SubmitButton>
      </Form>
      <p className="auth-card__footer">
        <Link to="/login">Start over</Link>
      </p>
    </section>
  );
}
