import { Link } from "@remix-run/react";
import type { AuditEntityType } from "~/domain/audit/actions";
import { auditHistoryHref } from "~/domain/audit/filters";
import { Muted, Section, useOpenableAdminHref } from "./admin-page";
import { DataTable } from "./data-table";
import { LocalTime } from "~/components/local-time";

export interface AuditHistoryRow {
  id: string;
  createdAt: Date | string;
  action: string;
  actorId: string | null;
  actorRole: string | null;
  metadata: Record<string, unknown> | null;
}

/** The record whose whole history the audit viewer can show (and, for a user, what they did). */
export interface FullHistory {
  entity: AuditEntityType;
  entityId: string;
  actorEmail?: string;
}

/**
 * Links into /admin/audit for this record, shown only to staff the admin layout lets see the
 * audit log (its loader lists the sections hidden from them).
 */
function FullHistoryLinks({ entity, entityId, actorEmail }: FullHistory) {
  const openable = useOpenableAdminHref();
  if (!openable("/admin/audit")) return null;
  return (
    <p>
      <Link to={auditHistoryHref({ entity, entityId })}>Full history in the audit log</Link>
      {actorEmail && (
        <>
          {" · "}
          <Link to={auditHistoryHref({ actor: actorEmail })}>Everything this account did</Link>
        </>
      )}
    </p>
  );
}

/**
 * The "History" table of an admin detail page: when, what, who (linking to the staff
 * member) and the row's details. `selfId` names the subject when they acted themselves;
 * `fullHistory` adds the links to the record's filtered audit log.
 */
export function AuditHistory({
  rows,
  title,
  empty,
  selfId,
  fullHistory,
}: {
  rows: AuditHistoryRow[];
  title: string;
  empty: string;
  selfId?: string;
  fullHistory?: FullHistory;
}) {
  return (
    <Section title={title}>
      {fullHistory && <FullHistoryLinks {...fullHistory} />}
      <DataTable
        rows={rows}
        empty={<p className="muted">{empty}</p>}
        columns={[
          { header: "When", cell: (row) => <LocalTime value={row.createdAt} /> },
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
