import type { HTMLAttributes, Key, ReactNode, TdHTMLAttributes } from "react";
import { EmptyState } from "./page";
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
  /** What the table lists, for screen readers (default: its column headers). */
  label?: string;
}

/**
 * A list as a table: one column per `columns` entry, one row per item (keyed by its `id`
 * unless `rowKey` says otherwise). On a narrow screen it scrolls sideways inside its own box
 * (focusable, so the keyboard can scroll it) with the first column kept in view. With no rows
 * it shows `empty` instead, so pages don't repeat the "nothing yet" branch.
 */
export function DataTable<Row>({
  rows,
  columns,
  rowKey = idOrIndex,
  rowProps,
  empty = null,
  testId,
  className = "data-table",
  label,
}: DataTableProps<Row>) {
  if (rows.length === 0) return <>{empty}</>;
  const headers = columns.map((column) => column.header).filter(Boolean);
  return (
    <div
      className="table-scroll"
      role="region"
      aria-label={label ?? `Table: ${headers.join(", ")}`}
      // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex -- a box that scrolls sideways must be reachable by keyboard (WCAG 2.1.1)
      tabIndex={0}
    >
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
