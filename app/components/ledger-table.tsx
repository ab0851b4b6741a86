import type { ReactNode } from "react";
import { DataTable } from "./data-table";
import { ledgerTypeLabel } from "./credits-chart";
import { LocalTime } from "~/components/local-time";

export type LedgerTableRow = {
  id: string;
  type: string;
  amount: number;
  balance: number;
  description: string;
  createdAt: Date | string;
};

/** A membership's ledger rows, newest first: what happened, how many credits, balance after. */
export function LedgerTable({
  rows,
  empty,
}: {
  rows: readonly LedgerTableRow[];
  empty?: ReactNode;
}) {
  return (
    <DataTable
      rows={rows}
      empty={empty}
      testId="ledger"
      rowProps={(row) => ({ "data-type": row.type })}
      columns={[
        { header: "Date", cell: (row) => <LocalTime value={row.createdAt} /> },
        { header: "Entry", cell: (row) => ledgerTypeLabel(row.type) },
        { header: "Description", cell: (row) => row.description },
        {
          header: "Credits",
          cell: (row) => (row.amount > 0 ? `+${row.amount}` : `−${-row.amount}`),
          cellProps: (row) => ({ className: row.amount > 0 ? "amount--plus" : "amount--minus" }),
        },
        { header: "Balance", cell: (row) => row.balance },
      ]}
    />
  );
}
