import { Link } from "@remix-run/react";
import { Field, type FieldMeta } from "~/components/forms";

/** Where a person types a code from their app (or a recovery code): keypad and autofill hints. */
export function TwoFactorCodeField(props: {
  label: string;
  meta: FieldMeta;
  description?: string;
}) {
  return <Field {...props} inputMode="numeric" autoComplete="one-time-code" required />;
}

/** The two-factor part of /account/security: its state and the way to change it. */
export function TwoFactorSection({ enabled }: { enabled: boolean }) {
  return (
    <section
      aria-labelledby="two-factor-title"
      className="section"
      data-testid="two-factor-section"
    >
      <h2 id="two-factor-title">Two-factor authentication</h2>
      <p>
        {enabled ? (
          <span className="badge badge--success">On</span>
        ) : (
          <span className="badge">Off</span>
        )}{" "}
        {enabled
          ? "Signing in asks for a code from your authenticator app."
          : "Signing in needs only your password. Add a code from your phone to protect your purchases."}
      </p>
      <Link to="/account/two-factor" className={enabled ? "button button--ghost" : "button"}>
        {enabled ? "Manage two-factor authentication" : "Set up two-factor authentication"}
      </Link>
    </section>
  );
}
