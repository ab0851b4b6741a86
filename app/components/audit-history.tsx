import { Link } from "@remix-run/react";
import { formatDateTime } from "~/lib/format";
import { Muted, Section } from "./admin-page";
import { DataTable } from "./data-table";

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
    <Section title={title}>
      <DataTable
        rows={rows}
        empty={<p className="muted">{empty}</p>}
        columns={[
          { header: "When", cell: (row) => formatDateTime(row.createdAt) },
          { header: "Action", cell: (row) => row.action },
          {
            header: "By",
            cell: (row) =>
              row.actorId === null ? (
                <Muted>system</Muted>
              ) : row.actorId === selfId ? (
                "this user"
              ) : (
                <Link to={`/admin/users/${row.actorId}`}>
                  {row.actorRole?.toLowerCase() ?? "staff"}
                </Link>
              ),
          },
          {
            header: "Details",
            cellProps: () => ({ className: "audit-details" }),
            cell: (row) => (row.metadata ? JSON.stringify(row.metadata) : ""),
          },
        ]}
      />
    </Section>
  );
}
