/**
 * PLACEHOLDER — the two-factor slot of /account/security. It only shows whether 2FA is on;
 * enrollment (QR code, confirmation code, recovery codes) and switching it off are wired in
 * with app/services/two-factor.server.ts, which replaces this component.
 */
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
          : "Signing in needs only your password."}
      </p>
    </section>
  );
}
