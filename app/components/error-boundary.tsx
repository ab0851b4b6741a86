import { Link, isRouteErrorResponse, useParams, useRouteError } from "@remix-run/react";
import type { ComponentProps, ReactNode } from "react";

type StatusHandler = (info: {
  error: { status: number; data: unknown };
  params: Record<string, string | undefined>;
}) => ReactNode;

const DEFAULT_HANDLERS: Record<number, StatusHandler> = {
  404: () => (
    <ErrorPanel
      status={404}
      title="We couldn't find that page"
      message="The link may be old, or the page may have moved. The catalog is a good place to start again."
    />
  ),
  403: () => (
    <ErrorPanel
      status={403}
      title="You can't open this page"
      message="Your account doesn't have access to it."
    />
  ),
  // A feature switched off in /admin/flags: its own sentence says what is paused.
  503: ({ error }) => (
    <ErrorPanel
      status={503}
      title="Paused for the moment"
      message={typeof error.data === "string" ? error.data : "Please try again in a little while."}
    />
  ),
};

/**
 * The one error boundary every route uses (house style). Users see a friendly page, never
 * a stack trace; routes can pass handlers for statuses they know better.
 */
export function GeneralErrorBoundary({
  statusHandlers = {},
}: {
  statusHandlers?: Record<number, StatusHandler>;
}) {
  const error = useRouteError();
  const params = useParams();

  if (isRouteErrorResponse(error)) {
    const handler = statusHandlers[error.status] ?? DEFAULT_HANDLERS[error.status];
    if (handler) return <>{handler({ error, params })}</>;
    return (
      <ErrorPanel
        status={error.status}
        title={error.statusText || "Something went wrong"}
        message={typeof error.data === "string" ? error.data : "Please try again."}
      />
    );
  }

  return (
    <ErrorPanel
      status={500}
      title="Something went wrong on our side"
      message="We've logged the problem. Please try again in a moment."
    />
  );
}

export function ErrorPanel({
  status,
  title,
  message,
}: {
  status: number;
  title: string;
  message: string;
}) {
  return (
    <section className="container error-panel" aria-labelledby="error-title">
      <p className="error-panel__status">{status}</p>
      <h1 id="error-title">{title}</h1>
      <p>{message}</p>
      <p className="error-panel__actions">
        <Link to="/" className="button">
          Go home
        </Link>
        <Link to="/products" className="button button--ghost">
          Browse products
        </Link>
      </p>
    </section>
  );
}

/**
 * An error boundary with its own words for one status: a record that isn't there (404)
 * on a detail page, a section the role doesn't open (403) on the layout.
 */
export function StatusBoundary(panel: ComponentProps<typeof ErrorPanel>) {
  return (
    <GeneralErrorBoundary statusHandlers={{ [panel.status]: () => <ErrorPanel {...panel} /> }} />
  );
}
