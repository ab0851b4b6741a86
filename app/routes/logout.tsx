import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { redirect } from "@remix-run/cloudflare";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { SubmitButton } from "~/components/forms";
import { auditRequestInfo, clearSessionCookie, getCurrentUser } from "~/request/auth.server";
import { privatePageHeaders } from "~/request/page-cache.server";
import { logout } from "~/services/auth/logout.server";

export const meta: MetaFunction = () => [{ title: "Log out — Studio Store" }];

export const headers = privatePageHeaders;

/** Log-out is a POST (no state change on GET); it deletes the session row, not just the cookie. */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await getCurrentUser(request, context);
  if (user) {
    await logout(
      { db: context.db },
      { user, request: await auditRequestInfo(request, context), now: new Date() },
    );
  }
  return redirect("/", { headers: { "Set-Cookie": await clearSessionCookie(context) } });
}

/** GET /logout asks: a button that sends the POST, or "you are logged out" for a visitor. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getCurrentUser(request, context);
  return { email: user?.email ?? null };
}

export default function Logout() {
  const { email } = useLoaderData<typeof loader>();
  return (
    <section className="auth-card" aria-labelledby="logout-title">
      {email ? (
        <>
          <h1 id="logout-title">Log out?</h1>
          <p>
            You are logged in as <strong>{email}</strong>. Logging out ends this session on this
            device.
          </p>
          <Form method="post" action="/logout" className="form-stack">
            <SubmitButton pendingText="Logging out…">Log out</SubmitButton>
          </Form>
          <p className="auth-card__footer">
            <Link to="/account">Back to your account</Link>
          </p>
        </>
      ) : (
        <>
          <h1 id="logout-title">You are logged out</h1>
          <p>Nobody is logged in on this browser.</p>
          <p className="auth-card__footer">
            <Link to="/login" className="button">
              Log in
            </Link>
          </p>
        </>
      )}
    </section>
  );
}
