import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { useLoaderData } from "@remix-run/react";
import { DetailHeader, FactsPanel, Section } from "~/components/admin-page";
import { StatusBoundary } from "~/components/error-boundary";
import { StatusBadge } from "~/components/status-badge";
import { redactEmailLinks } from "~/domain/email/redact";
import { adminRecord } from "~/request/admin-loaders.server";
import { getOutboxEmail } from "~/services/email-sender.server";
import { LocalTime } from "~/components/local-time";

export const meta: MetaFunction = () => [{ title: "Email — Outbox — Admin — Studio Store" }];

export async function loader(args: LoaderFunctionArgs) {
  const { record: email } = await adminRecord(args, {
    routeId: "routes/admin.outbox_.$emailId",
    param: "emailId",
    notFound: "No email with this id is in the outbox.",
    load: getOutboxEmail,
  });
  return {
    email: {
      id: email.id,
      toEmail: email.toEmail,
      template: email.template,
      subject: email.subject,
      bodyText: redactEmailLinks(email.bodyText, args.context.env.environment),
      status: email.status,
      attempts: email.attempts,
      lastError: email.lastError,
      sendAfter: email.sendAfter,
      sentAt: email.sentAt,
      createdAt: email.createdAt,
    },
  };
}

export default function OutboxEmail() {
  const { email } = useLoaderData<typeof loader>();
  return (
    <>
      <DetailHeader list={["/admin/outbox", "Outbox"]} title={email.subject}>
        <StatusBadge status={email.status} />{" "}
        <span className="muted">
          to {email.toEmail} · <code>{email.template}</code>
        </span>
      </DetailHeader>

      <FactsPanel
        title="Delivery"
        facts={[
          { label: "Queued", value: <LocalTime value={email.createdAt} /> },
          { label: "Attempts", value: email.attempts },
          email.sentAt
            ? { label: "Sent", value: <LocalTime value={email.sentAt} /> }
            : email.status === "PENDING" && {
                label: "Next try",
                value: <LocalTime value={email.sendAfter} />,
              },
          email.lastError && {
            label: "Last error",
            value: <span className="audit-details">{email.lastError}</span>,
          },
        ]}
      />

      <Section title="Message">
        <div className="table-scroll admin-panel">
          <pre data-testid="email-body">{email.bodyText}</pre>
        </div>
      </Section>
    </>
  );
}

export function ErrorBoundary() {
  return (
    <StatusBoundary
      status={404}
      title="This email isn't in the outbox"
      message="Sent emails are removed after 30 days. Go back to the outbox to see what is there."
    />
  );
}
