import { refuse, type Result } from "~/domain/refusal";
import type { BackupManifest } from "./manifest";

/**
 * What a restore checks about the database it writes into before it writes anything
 * (ADR 0008), pure: the target is described by the service (schema version, tables with their
 * columns, which tables hold rows).
 */
export interface TargetColumn {
  name: string;
  /** NOT NULL without a default: a backup that lacks this column cannot fill it. */
  required: boolean;
}

export interface TargetDatabase {
  version: number;
  migration: string | null;
  tables: ReadonlyMap<string, readonly TargetColumn[]>;
  /** Tables of the backup that already hold rows in the target. */
  nonEmpty: readonly string[];
}

export type RestoreTargetRefusal = "newer-schema" | "schema-mismatch" | "not-empty";

export function checkRestoreTarget(
  manifest: BackupManifest,
  target: TargetDatabase,
  options: { requireEmpty: boolean },
): Result<object, RestoreTargetRefusal> {
  if (manifest.schema.version > target.version) {
    return refuse(
      "conflict",
      "newer-schema",
      `This backup was taken at schema version ${manifest.schema.version} (${manifest.schema.migration ?? "no migrations"}), newer than this database's ${target.version} (${target.migration ?? "no migrations"}). Restore it with the code it was taken with.`,
    );
  }
  const problems: string[] = [];
  for (const table of manifest.tables) {
    const columns = target.tables.get(table.name);
    if (!columns) {
      problems.push(`table ${table.name} does not exist`);
      continue;
    }
    const names = new Set(columns.map((column) => column.name));
    const missing = table.columns.filter((column) => !names.has(column));
    if (missing.length > 0) problems.push(`${table.name} has no column ${missing.join(", ")}`);
    const unfilled = columns.filter(
      (column) => column.required && !table.columns.includes(column.name),
    );
    if (unfilled.length > 0) {
      problems.push(
        `${table.name}.${unfilled.map((column) => column.name).join(", ")} is required but not in the backup`,
      );
    }
  }
  if (problems.length > 0) {
    return refuse(
      "conflict",
      "schema-mismatch",
      `This database's schema does not fit the backup: ${problems.join("; ")}.`,
    );
  }
  if (options.requireEmpty && target.nonEmpty.length > 0) {
    return refuse(
      "conflict",
      "not-empty",
      `A backup is restored only into an empty database; ${target.nonEmpty.join(", ")} already ${target.nonEmpty.length === 1 ? "holds" : "hold"} rows.`,
    );
  }
  return { ok: true };
}
