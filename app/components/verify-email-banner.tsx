import { Form, useLocation } from "@remix-run/react";

/**
 * On every page while the logged-in account's address is unconfirmed: what is waiting, and
 * "Send it again" (POST /account/verify-email), which comes back to this page.
 */
export function VerifyEmailBanner({ email }: { email: string }) {
  const location = useLocation();
  return (
    <div className="verify-banner" role="status" data-testid="verify-email-banner">
      <div className="container verify-banner__inner">
        <p>
          Confirm your email address — we sent a link to <strong>{email}</strong>. Until then you
          can browse, but not buy, download or request projects.
        </p>
        <Form method="post" action="/account/verify-email">
          <input type="hidden" name="intent" value="resend-verification" />
          <input type="hidden" name="redirectTo" value={`${location.pathname}${location.search}`} />
          <button type="submit" className="button button--ghost">
            Send it again
          </button>
        </Form>
      </div>
    </div>
  );
}
