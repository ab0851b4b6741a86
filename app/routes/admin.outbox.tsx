import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { AdminListPage, Muted } from "~/components/admin-page";
import { StatusBadge } from "~/components/status-badge";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { EMAIL_STATUSES } from "#db/schema/enums";
import { parseOutboxSearch } from "~/domain/email/admin-forms";
import { adminListLoader } from "~/request/admin-loaders.server";
import { listOutboxEmails } from "~/services/email-sender.server";
import { EMAIL_STATUS_LABELS } from "~/domain/labels";
import { LocalTime } from "~/components/local-time";

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
          {
            name: "status",
            label: "Status",
            anyLabel: "Any status",
            options: EMAIL_STATUSES,
            labels: EMAIL_STATUS_LABELS,
          },
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
        { header: "Queued", cell: (email) => <LocalTime value={email.createdAt} /> },
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
              <LocalTime value={email.sentAt} />
            ) : email.status === "PENDING" ? (
              <LocalTime value={email.sendAfter} />
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
