import { Link } from "@remix-run/react";
import { formatDateTime } from "~/lib/format";

export interface AuditHistoryRow {
  id: string;
  createdAt: Date | string;
  action: string;
  actorId: string | null;
  actorRole: string | null;
  metadata: Record<string, unknown> | null;
}

/**
 * The "History" table of an admin detail page: when, what, who (linking to the staff
 * member) and the row's details. `selfId` names the subject when they acted themselves.
 */
export function AuditHistory({
  rows,
  title,
  empty,
  selfId,
}: {
  rows: AuditHistoryRow[];
  title: string;
  empty: string;
  selfId?: string;
}) {
  return (
    <section aria-labelledby="audit-heading">
      <h2 id="audit-heading">{title}</h2>
      {rows.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">By</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id}>
                  <td>{formatDateTime(row.createdAt)}</td>
                  <td>{row.action}</td>
                  <td>
                    {row.actorId === null ? (
                      <span className="muted">system</span>
                    ) : row.actorId === selfId ? (
                      "this user"
                    ) : (
                      <Link to={`/admin/users/${row.actorId}`}>
                        {row.actorRole?.toLowerCase() ?? "staff"}
                      </Link>
                    )}
                  </td>
                  <td className="audit-details">
                    {row.metadata ? JSON.stringify(row.metadata) : ""}
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
