import type { HTMLAttributes, Key, ReactNode, TdHTMLAttributes } from "react";
import { EmptyState } from "./empty-state";
import { CursorPagination } from "./pagination";

export interface Column<Row> {
  header: string;
  cell: (row: Row) => ReactNode;
  /** Attributes of the cell: a `title` with the full text, a class for amounts. */
  cellProps?: (row: Row) => TdHTMLAttributes<HTMLTableCellElement>;
  /** The cell names its row (a `<th scope="row">`), as in a comparison table. */
  rowHeader?: boolean;
}

type RowAttributes = HTMLAttributes<HTMLTableRowElement> & { [data: `data-${string}`]: string };

const idOrIndex = (row: unknown, index: number): Key => (row as { id?: string }).id ?? index;

interface DataTableProps<Row> {
  rows: readonly Row[];
  columns: readonly Column<Row>[];
  rowKey?: (row: Row, index: number) => Key;
  rowProps?: (row: Row) => RowAttributes;
  empty?: ReactNode;
  testId?: string;
  className?: string;
}

/**
 * A list as a table: one column per `columns` entry, one row per item (keyed by its `id`
 * unless `rowKey` says otherwise), scrolling sideways on narrow screens. With no rows it
 * shows `empty` instead, so pages don't repeat the "nothing yet" branch.
 */
export function DataTable<Row>({
  rows,
  columns,
  rowKey = idOrIndex,
  rowProps,
  empty = null,
  testId,
  className = "data-table",
}: DataTableProps<Row>) {
  if (rows.length === 0) return <>{empty}</>;
  return (
    <div className="table-scroll">
      <table className={className} data-testid={testId}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.header} scope="col">
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={rowKey(row, index)} {...rowProps?.(row)}>
              {columns.map((column) =>
                column.rowHeader ? (
                  <th key={column.header} scope="row">
                    {column.cell(row)}
                  </th>
                ) : (
                  <td key={column.header} {...column.cellProps?.(row)}>
                    {column.cell(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * One page of a keyset-paginated list: the table, or `emptyTitle` with `children` saying where
 * to go instead, then the links to the first and the next page.
 */
export function PagedTable<Row>({
  nextCursor,
  emptyTitle,
  children,
  ...table
}: Omit<DataTableProps<Row>, "empty"> & {
  nextCursor: string | null;
  emptyTitle: string;
  children?: ReactNode;
}) {
  return (
    <>
      <DataTable {...table} empty={<EmptyState title={emptyTitle}>{children}</EmptyState>} />
      <CursorPagination nextCursor={nextCursor} />
    </>
  );
}
