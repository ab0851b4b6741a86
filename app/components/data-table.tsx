import type { ReactNode, TdHTMLAttributes } from "react";

/** One column of a `DataTable`: its heading and what a row shows in it. */
export interface Column<Row> {
  header: ReactNode;
  cell: (row: Row) => ReactNode;
  /** Extra attributes of the cell (a `title` with the full text, a test id). */
  td?: (row: Row) => TdHTMLAttributes<HTMLTableCellElement> & { "data-testid"?: string };
}

/**
 * The one table of the app's lists: scrolls sideways on narrow screens, column headings
 * scoped for screen readers, a row per item keyed by its id.
 */
export function DataTable<Row extends { id: string }>({
  rows,
  columns,
  testId,
}: {
  rows: readonly Row[];
  columns: ReadonlyArray<Column<Row> | false>;
  testId?: string;
}) {
  const shown = columns.filter((column): column is Column<Row> => column !== false);
  return (
    <div className="table-scroll">
      <table className="data-table" data-testid={testId}>
        <thead>
          <tr>
            {shown.map((column, index) => (
              <th scope="col" key={index}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id}>
              {shown.map((column, index) => (
                <td key={index} {...column.td?.(row)}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
