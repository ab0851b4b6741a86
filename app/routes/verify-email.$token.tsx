import {
  data,
  type ActionFunctionArgs,
  type HeadersFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { DeviceFingerprintInput } from "~/components/device-fingerprint";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { SubmitButton } from "~/components/forms";
import type { Refusal } from "~/domain/refusal";
import { redirectWithToast } from "~/lib/toast.server";
import { DELETION_CANCELLED_MESSAGE } from "~/domain/privacy/deletion";
import { auditRequestInfo, clientIp, getCurrentUser, sessionCookie } from "~/request/auth.server";
import { refusalStatus } from "~/request/refusals.server";
import { readForm } from "~/request/read-form.server";
import { applyEmailLink, checkEmailLink } from "~/services/auth/email-links.server";
import { signInAfterVerification } from "~/services/auth/email-verification.server";

/**
 * The emailed address link (docs/architecture.md §5): a new account's verification, or the
 * confirmation of an email change sent to the new address. GET only shows what the link will
 * do; the button POSTs. Mail scanners and link previews open links by GET, and for an email
 * change a GET that acted would move the account before its owner decided anything.
 */

export const meta: MetaFunction = () => [
  { title: "Confirm your email address — Studio Store" },
  { name: "robots", content: "noindex" },
];

// The URL carries a live token: never cache the page anywhere.
const NO_STORE = { "Cache-Control": "no-store" };

export const headers: HeadersFunction = () => NO_STORE;

const refused = (refusal: Refusal) =>
  data(
    { link: null, refusal: { reason: refusal.reason, message: refusal.message } },
    { status: refusalStatus(refusal), headers: NO_STORE },
  );

export async function loader({ params, context }: LoaderFunctionArgs) {
  const link = await checkEmailLink(context.db, { token: params.token, now: new Date() });
  if (!link.ok) return refused(link);
  return data(
    { link: { purpose: link.purpose, email: link.email }, refusal: null },
    { headers: NO_STORE },
  );
}

/**
 * The button. A new account's verification also logs it in when nobody is logged in on this
 * browser (sign-up itself never does, so its answer can't tell a new address from a taken one);
 * an account with two-factor, or one that is not active, logs in at /login as usual.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const formData = await readForm(request);
  const now = new Date();
  const requestInfo = await auditRequestInfo(request, context);
  const result = await applyEmailLink(context.db, {
    token: params.token,
    now,
    request: requestInfo,
  });
  if (!result.ok) return refused(result);
  if (result.purpose === "EMAIL_CHANGE") {
    const message = `Your email address is now ${result.email}.`;
    return redirectWithToast(
      context,
      "/account",
      { kind: "success", message },
      { headers: NO_STORE },
    );
  }

  const confirmed = `Thank you: ${result.email} is confirmed.`;
  if (await getCurrentUser(request, context)) {
    const message = `${confirmed} You can buy, download and request projects.`;
    return redirectWithToast(
      context,
      "/account",
      { kind: "success", message },
      { headers: NO_STORE },
    );
  }
  const fingerprint = formData.get("fingerprint");
  const signIn = await signInAfterVerification(
    { db: context.db, env: context.env },
    {
      userId: result.userId,
      fingerprint: typeof fingerprint === "string" ? fingerprint.slice(0, 200) : null,
      userAgent: request.headers.get("User-Agent"),
      ip: clientIp(request),
      request: requestInfo,
      now,
    },
  );
  if (!signIn.signedIn) {
    const message = `${confirmed} Log in to continue.`;
    return redirectWithToast(
      context,
      "/login",
      { kind: "success", message },
      { headers: NO_STORE },
    );
  }
  const message = signIn.deletionCancelled
    ? `${confirmed} ${DELETION_CANCELLED_MESSAGE}`
    : signIn.guardianPending
      ? `${confirmed} Welcome! We've also emailed your guardian: you can browse now and buy once they agree.`
      : `${confirmed} Welcome to Studio Store: you can buy, download and request projects.`;
  const headers = new Headers(NO_STORE);
  headers.append("Set-Cookie", await sessionCookie(context).serialize(signIn.token));
  return redirectWithToast(context, "/account", { kind: "success", message }, { headers });
}

export default function VerifyEmail() {
  const loaderData = useLoaderData<typeof loader>();
  const { link, refusal } = useActionData<typeof action>() ?? loaderData;

  return (
    <section className="auth-card" aria-labelledby="verify-title">
      {link ? (
        <>
          <h1 id="verify-title">
            {link.purpose === "EMAIL_CHANGE" ? "Use your new email address" : "Confirm your email"}
          </h1>
          <p>
            {link.purpose === "EMAIL_CHANGE" ? (
              <>
                Press the button to make <strong>{link.email}</strong> the address of your Studio
                Store account. Receipts and notices go there from then on.
              </>
            ) : (
              <>
                Press the button to confirm that <strong>{link.email}</strong> is your address. Then
                you can buy, download and request projects.
              </>
            )}
          </p>
          <Form method="post" className="form-stack">
            <DeviceFingerprintInput />
            <SubmitButton pendingText="Confirming…">
              {link.purpose === "EMAIL_CHANGE" ? "Use this address" : "Confirm my email"}
            </SubmitButton>
          </Form>
        </>
      ) : (
        <>
          <h1 id="verify-title">This link can&apos;t be used</h1>
          <p role="alert" data-testid="email-link-refusal">
            {refusal?.message}
          </p>
          <p className="auth-card__footer">
            Logged in? A new link can be sent from the banner at the top of any page, or from{" "}
            <Link to="/account/email">your email settings</Link>.
          </p>
        </>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
