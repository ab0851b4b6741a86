import { getTableName, sql, type SQL } from "drizzle-orm";
import { getTableConfig, type SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Database } from "#db/client";

/**
 * INSERT … SELECT, the one way a row is written only while a condition holds at its point of
 * a batch (a D1 batch is one serialized transaction). Services use it so the audit row and the
 * email of a conditional UPDATE appear only if the UPDATE changed something: a request that
 * loses a race writes nothing at all.
 *
 * `insertWhen` reuses drizzle's own `INSERT … VALUES` (column mapping, defaults, JSON) and
 * swaps VALUES for `SELECT … WHERE`. That relies on the shape of drizzle's SQL, which
 * test/integration/batch-statements.test.ts pins for every statement rewritten here: a
 * drizzle upgrade that changes it fails that test, and any other shape throws here.
 */

interface BuiltInsert {
  toSQL(): { sql: string; params: unknown[] };
}

/**
 * One row of plain values: drizzle lists every insertable column, in table order, for VALUES
 * and SELECT alike, each value a `?` or `null`. SQL expressions as values (with parentheses)
 * and multi-row inserts are not taken.
 */
const VALUES_INSERT = /^insert into "([a-z_]+)" \([^)]*\) values \(([^()]*)\)( on conflict .*)?$/s;
/** The only ON CONFLICT tail carried over: one with no parameters of its own. */
const DO_NOTHING = /^ on conflict(?: \((?:"[a-z_]+"\.)?"[a-z_]+"\))? do nothing$/;

/**
 * `insert` (a drizzle single-row `INSERT … VALUES` into `table`) as `INSERT … SELECT <the same
 * values> WHERE condition`. An `ON CONFLICT … DO NOTHING` of `insert` is kept.
 */
export function insertWhen<TTable extends SQLiteTable>(
  db: Database,
  table: TTable,
  insert: BuiltInsert,
  condition: SQL,
) {
  const query = insert.toSQL();
  const match = VALUES_INSERT.exec(query.sql);
  const chunks = match?.[2]!.split("?");
  const conflict = match?.[3] ?? "";
  if (
    !match ||
    !chunks ||
    match[1] !== getTableName(table) ||
    chunks.length !== query.params.length + 1 ||
    (conflict !== "" && !DO_NOTHING.test(conflict))
  ) {
    throw new Error(`insertWhen: unexpected INSERT shape: ${query.sql}`);
  }
  const values = sql.join(
    chunks.flatMap((chunk, i) =>
      i < query.params.length ? [sql.raw(chunk), sql`${query.params[i]}`] : [sql.raw(chunk)],
    ),
  );
  return db.insert(table).select(sql`select ${values} where ${condition}${sql.raw(conflict)}`);
}

/**
 * `SELECT <one SQL value per column, in table order> <rest>` for `db.insert(table).select(…)`,
 * for rows computed in SQL (a ledger row from its membership, one email per staff member).
 * Every column needs a value, so a new column fails loudly instead of shifting the others.
 */
export function selectInTableOrder(
  table: SQLiteTable,
  values: Readonly<Record<string, SQL>>,
  rest: SQL,
): SQL {
  const columns = getTableConfig(table).columns.map((column) => column.name);
  const missing = columns.filter((name) => !(name in values));
  const unknown = Object.keys(values).filter((name) => !columns.includes(name));
  if (missing.length > 0 || unknown.length > 0) {
    throw new Error(
      `selectInTableOrder(${getTableName(table)}): missing ${missing.join(", ") || "none"}, unknown ${unknown.join(", ") || "none"}`,
    );
  }
  return sql`select ${sql.join(
    columns.map((name) => values[name]!),
    sql`, `,
  )} ${rest}`;
}
