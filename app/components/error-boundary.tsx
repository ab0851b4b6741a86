import { Link, isRouteErrorResponse, useParams, useRouteError } from "@remix-run/react";

/** The words of an error page; the status and the ways out are the same on every one. */
export interface StatusPanel {
  title: string;
  message: string;
}

export type StatusHandler = (info: {
  error: { status: number; data: unknown };
  params: Record<string, string | undefined>;
}) => StatusPanel;

interface ErrorViewProps {
  /** The words for statuses a route knows better than the defaults below. */
  statusHandlers?: Record<number, StatusHandler>;
}

const DEFAULT_HANDLERS: Record<number, StatusHandler> = {
  404: () => ({
    title: "We couldn't find that page",
    message:
      "The link may be old, or the page may have moved. The catalog is a good place to start again.",
  }),
  403: () => ({
    title: "You can't open this page",
    message: "Your account doesn't have access to it.",
  }),
  // A feature switched off in /admin/flags: its own sentence says what is paused.
  503: ({ error }) => ({
    title: "Paused for the moment",
    message: typeof error.data === "string" ? error.data : "Please try again in a little while.",
  }),
};

/**
 * The one error boundary every route uses (house style). Users see a friendly page, never
 * a stack trace; routes can pass the words for statuses they know better.
 */
export function GeneralErrorBoundary({ statusHandlers = {} }: ErrorViewProps) {
  const error = useRouteError();
  const params = useParams();

  if (isRouteErrorResponse(error)) {
    const handler = statusHandlers[error.status] ?? DEFAULT_HANDLERS[error.status];
    if (handler) return <ErrorPanel status={error.status} {...handler({ error, params })} />;
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

function ErrorPanel({ status, title, message }: StatusPanel & { status: number }) {
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
export function StatusBoundary({ status, ...panel }: StatusPanel & { status: number }) {
  return <GeneralErrorBoundary statusHandlers={{ [status]: () => panel }} />;
}
