import { migrationNumber, type SchemaVersion } from "~/domain/backups/manifest";
import type { TargetColumn } from "~/domain/backups/restore-checks";

/**
 * What a D1 database holds, read from SQLite's own catalogue (ADR 0008): the tables a backup
 * dumps or a restore fills (everything but SQLite's, D1's and wrangler's bookkeeping), their
 * columns and foreign keys, and the schema version wrangler recorded in `d1_migrations`.
 * Four statements at most, whatever the number of tables.
 */
export interface TableDescription {
  name: string;
  columns: TargetColumn[];
  /** Tables this one's foreign keys point at. */
  references: string[];
}

export interface DatabaseDescription {
  tables: TableDescription[];
  schema: SchemaVersion;
}

/** `sqlite_sequence`, D1's `_cf_*` tables and wrangler's migration log are not data. */
const USER_TABLES = `m.type = 'table' AND substr(m.name, 1, 7) <> 'sqlite_'
  AND substr(m.name, 1, 4) <> '_cf_' AND m.name <> 'd1_migrations'`;

export async function describeDatabase(d1: D1Database): Promise<DatabaseDescription> {
  const [columns, references, migrations] = await d1.batch<Record<string, unknown>>([
    d1.prepare(
      `SELECT m.name AS tableName, c.name AS columnName, c."notnull" AS not_null, c.dflt_value AS default_value, c.pk AS pk
       FROM sqlite_master m JOIN pragma_table_info(m.name) c
       WHERE ${USER_TABLES}
       ORDER BY m.name, c.cid`,
    ),
    d1.prepare(
      `SELECT DISTINCT m.name AS tableName, f."table" AS referenced
       FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
       WHERE ${USER_TABLES}`,
    ),
    d1.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'd1_migrations'`),
  ]);

  const tables = new Map<string, TableDescription>();
  for (const row of columns!.results) {
    const name = String(row.tableName);
    const table = tables.get(name) ?? { name, columns: [], references: [] };
    table.columns.push({
      name: String(row.columnName),
      // A NOT NULL column without a default must come from the backup. An INTEGER PRIMARY
      // KEY is the rowid, which every line carries.
      required: row.not_null === 1 && row.default_value === null && row.pk === 0,
    });
    tables.set(name, table);
  }
  for (const row of references!.results) {
    tables.get(String(row.tableName))?.references.push(String(row.referenced));
  }

  let migration: string | null = null;
  if (migrations!.results.length > 0) {
    const applied = await d1.prepare(`SELECT name FROM d1_migrations`).all<{ name: string }>();
    for (const { name } of applied.results) {
      if (migration === null || migrationNumber(name) > migrationNumber(migration)) {
        migration = name;
      }
    }
  }
  return {
    tables: [...tables.values()],
    schema: { version: migrationNumber(migration), migration },
  };
}

/** Double-quote an identifier (table and column names come from the catalogue, not users). */
export const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;
