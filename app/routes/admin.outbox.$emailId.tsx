import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { useLoaderData } from "@remix-run/react";
import { DetailHeader, Fact, FactsPanel, StatusBoundary, Section } from "~/components/admin-page";
import { StatusBadge } from "~/components/badge";
import { redactEmailLinks } from "~/domain/email/redact";
import { formatDateTime } from "~/lib/format";
import { adminRecord } from "~/request/admin-loaders.server";
import { getOutboxEmail } from "~/services/email-sender.server";

export const meta: MetaFunction = () => [{ title: "Email — Outbox — Admin — Studio Store" }];

export async function loader(args: LoaderFunctionArgs) {
  const { record: email } = await adminRecord(args, {
    routeId: "routes/admin.outbox.$emailId",
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

      <FactsPanel title="Delivery">
        <Fact term="Queued">{formatDateTime(email.createdAt)}</Fact>
        <Fact term="Attempts">{email.attempts}</Fact>
        {email.sentAt ? (
          <Fact term="Sent">{formatDateTime(email.sentAt)}</Fact>
        ) : email.status === "PENDING" ? (
          <Fact term="Next try">{formatDateTime(email.sendAfter)}</Fact>
        ) : null}
        {email.lastError && (
          <Fact term="Last error">
            <span className="audit-details">{email.lastError}</span>
          </Fact>
        )}
      </FactsPanel>

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
