import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { EmailIdSchema } from "~/domain/email/admin-forms";
import { ErrorPanel, GeneralErrorBoundary } from "~/components/error-boundary";
import type { EmailStatus } from "#db/schema/enums";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { redactEmailLinks } from "~/domain/email/redact";
import { requirePermission } from "~/request/auth.server";
import { invariantResponse } from "~/lib/http";
import { getOutboxEmail } from "~/services/email-sender.server";

export const meta: MetaFunction = () => [{ title: "Email — Outbox — Admin — Studio Store" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  await requirePermission(
    request,
    context,
    ADMIN_ROUTE_POLICY["routes/admin.outbox.$emailId"].loader,
  );
  const id = EmailIdSchema.safeParse(params.emailId);
  const email = id.success ? await getOutboxEmail(context.db, id.data) : null;
  invariantResponse(email, "No email with this id is in the outbox.", { status: 404 });
  return Response.json({
    email: {
      id: email.id,
      toEmail: email.toEmail,
      template: email.template,
      subject: email.subject,
      bodyText: redactEmailLinks(email.bodyText, context.env.environment),
      status: email.status,
      attempts: email.attempts,
      lastError: email.lastError,
      sendAfter: email.sendAfter,
      sentAt: email.sentAt,
      createdAt: email.createdAt,
    },
  });
}

type LoaderData = {
  email: {
    id: string;
    toEmail: string;
    template: string;
    subject: string;
    bodyText: string;
    status: EmailStatus;
    attempts: number;
    lastError: string | null;
    sendAfter: string;
    sentAt: string | null;
    createdAt: string;
  };
};

const dateTime = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "medium",
  timeZone: "UTC",
});
const formatDate = (iso: string) => `${dateTime.format(new Date(iso))} UTC`;

const STATUS_BADGES: Record<EmailStatus, { className: string; label: string }> = {
  PENDING: { className: "badge", label: "Pending" },
  SENT: { className: "badge badge--success", label: "Sent" },
  FAILED: { className: "badge badge--danger", label: "Failed" },
};

export default function OutboxEmail() {
  const { email } = useLoaderData<LoaderData>();
  const badge = STATUS_BADGES[email.status];
  return (
    <>
      <p className="breadcrumb">
        <Link to="/admin/outbox">← Outbox</Link>
      </p>
      <header>
        <h1>{email.subject}</h1>
        <p>
          <span className={badge.className}>{badge.label}</span>{" "}
          <span className="muted">
            to {email.toEmail} · <code>{email.template}</code>
          </span>
        </p>
      </header>

      <dl className="facts admin-panel">
        <div>
          <dt>Queued</dt>
          <dd>{formatDate(email.createdAt)}</dd>
        </div>
        <div>
          <dt>Attempts</dt>
          <dd>{email.attempts}</dd>
        </div>
        {email.sentAt ? (
          <div>
            <dt>Sent</dt>
            <dd>{formatDate(email.sentAt)}</dd>
          </div>
        ) : email.status === "PENDING" ? (
          <div>
            <dt>Next try</dt>
            <dd>{formatDate(email.sendAfter)}</dd>
          </div>
        ) : null}
        {email.lastError && (
          <div>
            <dt>Last error</dt>
            <dd className="audit-details">{email.lastError}</dd>
          </div>
        )}
      </dl>

      <section aria-labelledby="email-body-title">
        <h2 id="email-body-title">Message</h2>
        <div className="table-scroll admin-panel">
          <pre data-testid="email-body">{email.bodyText}</pre>
        </div>
      </section>
    </>
  );
}

export function ErrorBoundary() {
  return (
    <GeneralErrorBoundary
      statusHandlers={{
        404: () => (
          <ErrorPanel
            status={404}
            title="This email isn't in the outbox"
            message="Sent emails are removed after 30 days. Go back to the outbox to see what is there."
          />
        ),
      }}
    />
  );
}
