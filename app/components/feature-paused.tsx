/** Where a form or button would be while its feature is switched off (/admin/flags). */
export function FeaturePaused({ message }: { message: string }) {
  return (
    <p className="notice" role="status" data-testid="feature-paused">
      {message}
    </p>
  );
}
