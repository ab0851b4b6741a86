import { ledgerTypeLabel } from "./credits-chart";

export type LedgerTableRow = {
  id: string;
  type: string;
  amount: number;
  balance: number;
  description: string;
  createdAt: Date | string;
};

const dateTime = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});

/** A membership's ledger rows, newest first: what happened, how many credits, balance after. */
export function LedgerTable({ rows }: { rows: LedgerTableRow[] }) {
  return (
    <div className="table-scroll">
      <table className="data-table" data-testid="ledger">
        <thead>
          <tr>
            <th scope="col">Date (UTC)</th>
            <th scope="col">Entry</th>
            <th scope="col">Description</th>
            <th scope="col">Credits</th>
            <th scope="col">Balance</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} data-type={row.type}>
              <td>{dateTime.format(new Date(row.createdAt))}</td>
              <td>{ledgerTypeLabel(row.type)}</td>
              <td>{row.description}</td>
              <td className={row.amount > 0 ? "amount--plus" : "amount--minus"}>
                {row.amount > 0 ? `+${row.amount}` : `−${-row.amount}`}
              </td>
              <td>{row.balance}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
