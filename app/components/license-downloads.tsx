import { Form } from "@remix-run/react";
import { deviceLabel } from "~/domain/auth/device-label";
import { SubmitButton } from "~/components/forms";
import { DOWNLOADS_PER_WINDOW, formatUtc } from "~/domain/downloads/quota";

export interface LicenseDownloadsData {
  quota: { used: number; left: number; nextFreeAt: string | null } | null;
  history: {
    id: string;
    status: "GRANTED" | "COMPLETED" | "FAILED";
    failureReason: string | null;
    userAgent: string | null;
    createdAt: string;
    /** Worded on the server, so server and browser render the same text. */
    outcome: string;
  }[];
  resetRequests: {
    id: string;
    status: "PENDING" | "APPROVED" | "REJECTED";
    reason: string;
    reviewNotes: string | null;
    reviewedAt: string | null;
    createdAt: string;
  }[];
}

const STATUS_BADGE = {
  PENDING: "badge",
  APPROVED: "badge badge--success",
  REJECTED: "badge badge--danger",
} as const;

/** The license page's download section: quota, the button, reset requests, history. */
export function LicenseDownloads({
  licenseId,
  canDownload,
  data,
}: {
  licenseId: string;
  canDownload: boolean;
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
            ? ` The next download frees up on ${formatUtc(new Date(quota.nextFreeAt))}.`
            : null}
        </p>
      ) : null}
      {canDownload ? (
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
              <span className={STATUS_BADGE[request.status]}>{request.status.toLowerCase()}</span>{" "}
              {`Asked ${formatUtc(new Date(request.createdAt))}: “${request.reason}”`}
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
        <Form
          method="post"
          action={`/account/licenses/${licenseId}/reset-request`}
          className="form-stack"
        >
          <p className="downloads__hint">
            Used your downloads (a new computer, a lost file)? Ask us to give them back.
          </p>
          <div className="field">
            <label htmlFor="reset-reason">Why do you need more downloads?</label>
            <textarea id="reset-reason" name="reason" rows={3} required maxLength={1000} />
          </div>
          <SubmitButton pendingText="Sending…">Request a reset</SubmitButton>
        </Form>
      )}

      <h3>History</h3>
      {history.length === 0 ? (
        <p>No downloads yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table" data-testid="download-history">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Outcome</th>
                <th scope="col">Browser</th>
              </tr>
            </thead>
            <tbody>
              {history.map((row) => (
                <tr key={row.id}>
                  <td>{formatUtc(new Date(row.createdAt))}</td>
                  <td>{row.outcome}</td>
                  <td title={row.userAgent ?? undefined}>
                    {row.userAgent ? deviceLabel(row.userAgent) : "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
