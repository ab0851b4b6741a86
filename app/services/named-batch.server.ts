import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "#db/client";

/**
 * A D1 batch (one serialized transaction) built from named statements, with the results read
 * back by the same names. Reading results by position (`results[4]`) silently reads the wrong
 * statement once one is added in front of it; a name cannot drift.
 *
 * Statements run in the order of the record's keys (JavaScript keeps string keys in insertion
 * order; names must not look like array indexes). A name may stand for a list of statements,
 * an optional or repeated step, whose results come back as a list.
 */

type Statement = BatchItem<"sqlite">;
type Step = Statement | readonly Statement[];

export type NamedBatchResults<T extends Record<string, Step>> = {
  [K in keyof T]: T[K] extends readonly Statement[]
    ? T[K][number]["_"]["result"][]
    : T[K] extends Statement
      ? T[K]["_"]["result"]
      : never;
};

export async function namedBatch<T extends Record<string, Step>>(
  db: Database,
  steps: T,
): Promise<NamedBatchResults<T>> {
  const names = Object.keys(steps);
  const statements: Statement[] = [];
  const spans: Array<{ name: string; start: number; list: boolean; length: number }> = [];
  for (const name of names) {
    if (/^\d+$/.test(name)) throw new Error(`namedBatch: "${name}" would not keep its place`);
    const step = steps[name]!;
    const list = Array.isArray(step);
    const items: readonly Statement[] = list ? step : [step as Statement];
    spans.push({ name, start: statements.length, list, length: items.length });
    statements.push(...items);
  }
  if (statements.length === 0) throw new Error("namedBatch: nothing to run");
  const results: unknown[] = await db.batch(statements as [Statement, ...Statement[]]);
  const named: Record<string, unknown> = {};
  for (const span of spans) {
    named[span.name] = span.list
      ? results.slice(span.start, span.start + span.length)
      : results[span.start];
  }
  return named as NamedBatchResults<T>;
}

/** Rows a non-returning INSERT, UPDATE or DELETE of a batch changed (D1's `meta.changes`). */
export function changedRows(result: unknown): number {
  return (result as { meta?: { changes?: number } } | undefined)?.meta?.changes ?? 0;
}

/** The batch failed on a unique index of `table` (D1 nests the SQLite message in causes). */
export function isUniqueViolation(error: unknown, table: string): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    if (message.includes(`UNIQUE constraint failed: ${table}.`)) return true;
    current = current instanceof Error ? current.cause : undefined;
  }
  return false;
}
