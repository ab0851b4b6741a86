import { Form } from "@remix-run/react";
import type { ReactNode } from "react";
import { ResetRequestStatusBadge } from "~/components/badge";
import { DataTable, type Column } from "~/components/data-table";
import { FeaturePaused } from "~/components/feature-paused";
import { SubmitButton, TextAreaField, type FieldMeta } from "~/components/forms";
import { deviceLabel } from "~/domain/auth/device-label";
import { DOWNLOADS_PER_WINDOW, type QuotaState } from "~/domain/downloads/quota";
import { RESET_REASON_MAX_LENGTH } from "~/domain/downloads/reset-rules";
import { formatDateTime } from "~/lib/format";
import type { DownloadHistoryItem } from "~/services/downloads/history.server";
import type { ResetRequestView } from "~/services/reset-requests.server";
import { LocalTime } from "~/components/local-time";

export interface LicenseDownloadsData {
  quota: QuotaState | null;
  /** `outcome` is worded on the server, so server and browser render the same text. */
  history: (Pick<DownloadHistoryItem, "id" | "userAgent" | "createdAt"> & { outcome: string })[];
  resetRequests: Pick<ResetRequestView, "id" | "status" | "reason" | "reviewNotes" | "createdAt">[];
}

/** The browser a download came from, in words, with the full user agent on hover. */
export const BROWSER_COLUMN: Column<{ userAgent: string | null }> = {
  header: "Browser",
  cell: (row) => (row.userAgent ? deviceLabel(row.userAgent) : "—"),
  cellProps: (row) => ({ title: row.userAgent ?? undefined }),
};

/** The license page's download section: quota, the button, reset requests, history. */
export function LicenseDownloads({
  licenseId,
  canDownload,
  paused = null,
  data,
}: {
  licenseId: string;
  canDownload: boolean;
  /** The sentence of the `downloads` feature flag while it is off. */
  paused?: string | null;
  data: LicenseDownloadsData;
}) {
  const { quota, history, resetRequests } = data;
  const pending = resetRequests.find((request) => request.status === "PENDING");
  return (
    <section className="section downloads__section" aria-labelledby="downloads-title">
      <h2 id="downloads-title">Downloads</h2>
      {quota ? (
        <p data-testid="downloads-left">
          {`${quota.left} of ${DOWNLOADS_PER_WINDOW} downloads left in the last 14 days.`}
          {quota.nextFreeAt
            ? ` The next download frees up on ${formatDateTime(quota.nextFreeAt)}.`
            : null}
        </p>
      ) : null}
      {paused ? (
        <FeaturePaused message={paused} />
      ) : canDownload ? (
        // A plain form post (no client-side navigation): the answer is a redirect to the file.
        <Form method="post" action={`/account/licenses/${licenseId}/download`} reloadDocument>
          <button type="submit" className="button">
            Download
          </button>
        </Form>
      ) : (
        <p className="downloads__hint">
          Downloads are not available while this license isn&apos;t active.
        </p>
      )}

      <h3>Reset requests</h3>
      {resetRequests.length > 0 ? (
        <ul className="downloads__requests" data-testid="reset-requests">
          {resetRequests.map((request) => (
            <li key={request.id}>
              <ResetRequestStatusBadge status={request.status} /> Asked{" "}
              <LocalTime value={request.createdAt} />: {`“${request.reason}”`}
              {request.reviewNotes ? ` — Notes: ${request.reviewNotes}` : null}
            </li>
          ))}
        </ul>
      ) : null}
      {pending ? (
        <p>Your reset request is waiting for a moderator. We&apos;ll email you the decision.</p>
      ) : quota && quota.left > 0 ? (
        <p className="downloads__hint">
          When you have used your downloads, you can ask us here to give them back.
        </p>
      ) : (
        <ResetRequestForm licenseId={licenseId} submitLabel="Request a reset">
          <p className="downloads__hint">
            Used your downloads (a new computer, a lost file)? Ask us to give them back.
          </p>
        </ResetRequestForm>
      )}

      <h3>History</h3>
      <DataTable
        rows={history}
        testId="download-history"
        columns={[
          { header: "When", cell: (row) => <LocalTime value={row.createdAt} /> },
          { header: "Outcome", cell: (row) => row.outcome },
          BROWSER_COLUMN,
        ]}
        empty={<p>No downloads yet.</p>}
      />
    </section>
  );
}

/**
 * "Give me my downloads back": on the license page, and again on its own page when the
 * reason needs correcting (`reason` then carries the inline error and what was typed).
 */
export function ResetRequestForm({
  licenseId,
  reason,
  submitLabel,
  children,
}: {
  licenseId: string;
  reason?: FieldMeta;
  submitLabel: string;
  children?: ReactNode;
}) {
  return (
    <Form
      method="post"
      action={`/account/licenses/${licenseId}/reset-request`}
      className="form-stack"
    >
      {children}
      <TextAreaField
        label="Why do you need more downloads?"
        meta={reason}
        name="reason"
        rows={3}
        required
        maxLength={RESET_REASON_MAX_LENGTH}
      />
      <SubmitButton pendingText="Sending…">{submitLabel}</SubmitButton>
    </Form>
  );
}
