import { getTableName, sql, type SQL } from "drizzle-orm";
import type { Database } from "#db/client";
import type { auditLogs, downloads, emailOutbox, systemBackups } from "#db/schema";

/**
 * Turn a single-row drizzle INSERT into `INSERT … SELECT … WHERE <condition>`, so the row is
 * written exactly when `condition` holds at that point of the batch (a D1 batch is one
 * serialized transaction). Services use it so the audit row and the email of a conditional
 * UPDATE appear only if the UPDATE changed something: a request that loses a race writes
 * nothing at all.
 */
export function insertWhen<
  TTable extends typeof auditLogs | typeof emailOutbox | typeof downloads | typeof systemBackups,
>(
  db: Database,
  table: TTable,
  insert: { toSQL(): { sql: string; params: unknown[] } },
  condition: SQL,
) {
  // drizzle lists every insertable column, in table order, for VALUES and SELECT alike.
  const query = insert.toSQL();
  const match = /^insert into "([a-z_]+)" \([^)]*\) values \((.*)\)$/s.exec(query.sql);
  const chunks = match?.[2]!.split("?");
  if (!chunks || match![1] !== getTableName(table) || chunks.length !== query.params.length + 1) {
    throw new Error(`insertWhen: unexpected INSERT shape: ${query.sql}`);
  }
  const values = sql.join(
    chunks.flatMap((chunk, i) =>
      i < query.params.length ? [sql.raw(chunk), sql`${query.params[i]}`] : [sql.raw(chunk)],
    ),
  );
  return db.insert(table).select(sql`select ${values} where ${condition}`);
}
