import { createId } from "@paralleldrive/cuid2";
import { sql, type SQL } from "drizzle-orm";
import { check, integer, text, type AnySQLiteColumn } from "drizzle-orm/sqlite-core";

/** Primary key: a cuid2 created in the app, so a batch can reference a row before it exists. */
export const id = () => text("id").primaryKey().$defaultFn(createId);

/** Milliseconds since the epoch, mapped to `Date`. */
export const timestamp = (name: string) => integer(name, { mode: "timestamp_ms" });

export const createdAt = () =>
  timestamp("created_at")
    .notNull()
    .$defaultFn(() => new Date());

/** Set by the service on every update (docs/architecture.md §3: `@updatedAt`). */
export const updatedAt = () =>
  timestamp("updated_at")
    .notNull()
    .$defaultFn(() => new Date());

export const bool = (name: string) => integer(name, { mode: "boolean" });

/** Money is always integer minor units plus an ISO 4217 code (docs/architecture.md §3). */
export const currency = () => text("currency").notNull().default("USD");

/** Quote a list of literals for a CHECK constraint; the values come from our own `as const` arrays. */
function sqlList(values: readonly string[]): SQL {
  return sql.raw(values.map((value) => `'${value.replaceAll("'", "''")}'`).join(", "));
}

/** `CHECK (column IN (...))` for an enum column, named `<table>_<column>_check`. */
export function enumCheck(name: string, column: AnySQLiteColumn, values: readonly string[]) {
  return check(name, sql`${column} IN (${sqlList(values)})`);
}

/** Same as {@link enumCheck} for a nullable enum column. */
export function nullableEnumCheck(
  name: string,
  column: AnySQLiteColumn,
  values: readonly string[],
) {
  return check(name, sql`${column} IS NULL OR ${column} IN (${sqlList(values)})`);
}

export const currencyCheck = (name: string, column: AnySQLiteColumn) =>
  check(name, sql`length(${column}) = 3 AND ${column} = upper(${column})`);

export const nonNegative = (name: string, column: AnySQLiteColumn) =>
  check(name, sql`${column} >= 0`);

/** A JSON text column must hold valid JSON of the expected shape. */
export const jsonArrayCheck = (name: string, column: AnySQLiteColumn) =>
  check(name, sql`json_valid(${column}) AND json_type(${column}) = 'array'`);

export const jsonObjectCheck = (name: string, column: AnySQLiteColumn) =>
  check(
    name,
    sql`${column} IS NULL OR (json_valid(${column}) AND json_type(${column}) = 'object')`,
  );

export { text, integer };
