import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { AdminListPage, Muted } from "~/components/admin-page";
import { StatusBadge } from "~/components/status-badge";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { EMAIL_STATUSES } from "#db/schema/enums";
import { parseOutboxSearch } from "~/domain/email/admin-forms";
import { formatDateTime } from "~/lib/format";
import { adminListLoader } from "~/request/admin-loaders.server";
import { listOutboxEmails } from "~/services/email-sender.server";

export const meta: MetaFunction = () => [{ title: "Outbox — Admin — Studio Store" }];

export async function loader(args: LoaderFunctionArgs) {
  return adminListLoader(args, "routes/admin.outbox", parseOutboxSearch, listOutboxEmails);
}

export default function AdminOutbox() {
  return (
    <AdminListPage
      {...useLoaderData<typeof loader>()}
      title="Outbox"
      intro="Every email the store sends, newest first. Pending mail goes out with the next delivery run; in development it is only logged, and this page is where you read it."
      filters={{
        name: "emails",
        selects: [
          { name: "status", label: "Status", anyLabel: "Any status", options: EMAIL_STATUSES },
        ],
      }}
      empty={{
        title: "No emails yet",
        text: "Emails appear here when an account event sends one (sign-up consent, 2FA, new sign-ins).",
      }}
      noMatch={{
        title: "No emails with this status",
        text: "Emails appear here when an account event sends one (sign-up consent, 2FA, new sign-ins).",
      }}
      testId="outbox"
      columns={[
        { header: "Queued", cell: (email) => formatDateTime(email.createdAt) },
        { header: "To", cell: (email) => email.toEmail },
        {
          header: "Subject",
          cell: (email) => <Link to={`/admin/outbox/${email.id}`}>{email.subject}</Link>,
        },
        { header: "Template", cell: (email) => <code>{email.template}</code> },
        { header: "Status", cell: (email) => <StatusBadge status={email.status} /> },
        { header: "Attempts", cell: (email) => email.attempts },
        {
          header: "Sent / next try",
          cell: (email) =>
            email.sentAt ? (
              formatDateTime(email.sentAt)
            ) : email.status === "PENDING" ? (
              formatDateTime(email.sendAfter)
            ) : (
              <Muted>—</Muted>
            ),
        },
      ]}
    />
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
