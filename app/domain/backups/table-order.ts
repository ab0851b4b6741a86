/**
 * The order tables are restored in (ADR 0008): a table comes after every table its foreign
 * keys point at, so each insert finds the rows it references. Self-references (a ledger row
 * reversing an earlier one) are satisfied by inserting rows in rowid order, and references to
 * tables outside the set (a part left out of the backup) are ignored. Ties are broken by name,
 * so the order is the same on every run.
 */
export interface TableDependencies {
  name: string;
  /** Tables this one's foreign keys reference. */
  references: readonly string[];
}

export class TableCycleError extends Error {
  override name = "TableCycleError";
  constructor(readonly tables: readonly string[]) {
    super(`Foreign keys form a cycle between ${tables.join(", ")}; no insert order satisfies them`);
  }
}

export function dependencyOrder(tables: readonly TableDependencies[]): string[] {
  const names = new Set(tables.map((table) => table.name));
  const waitingOn = new Map<string, Set<string>>();
  for (const table of tables) {
    waitingOn.set(
      table.name,
      new Set(table.references.filter((ref) => ref !== table.name && names.has(ref))),
    );
  }
  const order: string[] = [];
  while (waitingOn.size > 0) {
    const ready = [...waitingOn]
      .filter(([, refs]) => refs.size === 0)
      .map(([name]) => name)
      .sort();
    if (ready.length === 0) throw new TableCycleError([...waitingOn.keys()].sort());
    for (const name of ready) {
      order.push(name);
      waitingOn.delete(name);
    }
    for (const refs of waitingOn.values()) for (const name of ready) refs.delete(name);
  }
  return order;
}
