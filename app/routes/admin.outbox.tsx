import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { useIsFiltering } from "~/components/forms";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { OutboxQuerySchema } from "~/domain/email/admin-forms";
import { EmptyState } from "~/components/empty-state";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { CursorPagination } from "~/components/pagination";
import { EMAIL_STATUSES, type EmailStatus } from "#db/schema/enums";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { requirePermission } from "~/request/auth.server";
import { listOutboxEmails, type OutboxListItem } from "~/services/email-sender.server";

export const meta: MetaFunction = () => [{ title: "Outbox — Admin — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, ADMIN_ROUTE_POLICY["routes/admin.outbox"].loader);
  const search = new URL(request.url).searchParams;
  const query = OutboxQuerySchema.parse({
    status: search.get("status"),
    cursor: search.get("cursor"),
  });
  const page = await listOutboxEmails(context.db, query);
  return Response.json({ status: query.status, ...page });
}

type LoaderData = {
  status: EmailStatus | null;
  items: Array<
    Omit<OutboxListItem, "createdAt" | "sendAfter" | "sentAt"> & {
      createdAt: string;
      sendAfter: string;
      sentAt: string | null;
    }
  >;
  nextCursor: string | null;
};

// UTC on server and browser alike, so hydration sees the same text.
const dateTime = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});
const formatDate = (iso: string) => dateTime.format(new Date(iso));

const STATUS_LABELS: Record<EmailStatus, string> = {
  PENDING: "Pending",
  SENT: "Sent",
  FAILED: "Failed",
};
const STATUS_BADGES: Record<EmailStatus, string> = {
  PENDING: "badge",
  SENT: "badge badge--success",
  FAILED: "badge badge--danger",
};

function EmailStatusBadge({ status }: { status: EmailStatus }) {
  return <span className={STATUS_BADGES[status]}>{STATUS_LABELS[status]}</span>;
}

export default function AdminOutbox() {
  const { status, items, nextCursor } = useLoaderData<LoaderData>();
  const filtering = useIsFiltering();

  return (
    <>
      <header>
        <h1>Outbox</h1>
        <p className="muted">
          Every email the store sends, newest first. Pending mail goes out with the next delivery
          run; in development it is only logged, and this page is where you read it.
        </p>
      </header>

      <Form method="get" className="filters" aria-label="Filter emails">
        <div className="field">
          <label htmlFor="outbox-status">Status</label>
          <select id="outbox-status" name="status" defaultValue={status ?? ""}>
            <option value="">Any status</option>
            {EMAIL_STATUSES.map((value) => (
              <option key={value} value={value}>
                {STATUS_LABELS[value]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button" disabled={filtering}>
          {filtering ? "Filtering…" : "Filter"}
        </button>
        {status && (
          <Link to="/admin/outbox" className="button button--ghost">
            Clear
          </Link>
        )}
      </Form>

      {items.length === 0 ? (
        <EmptyState
          title={status ? `No ${STATUS_LABELS[status].toLowerCase()} emails` : "No emails yet"}
        >
          <p>
            Emails appear here when an account event sends one (sign-up consent, 2FA, new sign-ins).
          </p>
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="data-table" data-testid="outbox">
            <thead>
              <tr>
                <th scope="col">Queued</th>
                <th scope="col">To</th>
                <th scope="col">Subject</th>
                <th scope="col">Template</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Sent / next try</th>
              </tr>
            </thead>
            <tbody>
              {items.map((email) => (
                <tr key={email.id}>
                  <td>{formatDate(email.createdAt)}</td>
                  <td>{email.toEmail}</td>
                  <td>
                    <Link to={`/admin/outbox/${email.id}`}>{email.subject}</Link>
                  </td>
                  <td>
                    <code>{email.template}</code>
                  </td>
                  <td>
                    <EmailStatusBadge status={email.status} />
                  </td>
                  <td>{email.attempts}</td>
                  <td>
                    {email.sentAt ? (
                      formatDate(email.sentAt)
                    ) : email.status === "PENDING" ? (
                      formatDate(email.sendAfter)
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CursorPagination nextCursor={nextCursor} />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
