import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dependencyOrder, TableCycleError } from "~/domain/backups/table-order";

describe("dependencyOrder", () => {
  it("puts every table after the tables its foreign keys point at, ties by name", () => {
    expect(
      dependencyOrder([
        { name: "licenses", references: ["users", "purchases", "products"] },
        { name: "purchases", references: ["users", "products"] },
        { name: "products", references: ["users"] },
        { name: "users", references: [] },
        { name: "audit_logs", references: [] },
      ]),
    ).toEqual(["audit_logs", "users", "products", "purchases", "licenses"]);
  });

  it("ignores self-references and tables outside the set", () => {
    expect(
      dependencyOrder([
        { name: "credit_transactions", references: ["credit_transactions", "memberships"] },
        { name: "memberships", references: ["users"] },
      ]),
    ).toEqual(["memberships", "credit_transactions"]);
  });

  it("refuses a cycle, naming the tables in it", () => {
    expect(() =>
      dependencyOrder([
        { name: "a", references: ["b"] },
        { name: "b", references: ["a"] },
        { name: "c", references: [] },
      ]),
    ).toThrow(TableCycleError);
  });

  it("orders any acyclic graph (property)", () => {
    const graph = fc
      .integer({ min: 1, max: 12 })
      .chain((size) =>
        fc.array(fc.array(fc.integer({ min: 0, max: size - 1 }), { maxLength: 4 }), {
          minLength: size,
          maxLength: size,
        }),
      )
      // Only edges to lower indexes: acyclic by construction; names shuffle the index order.
      .map((edges) =>
        edges.map((targets, index) => ({
          name: `t${(index * 7919) % 1000}_${index}`,
          references: targets
            .filter((target) => target < index)
            .map((target) => `t${(target * 7919) % 1000}_${target}`),
        })),
      );
    fc.assert(
      fc.property(graph, (tables) => {
        const order = dependencyOrder(tables);
        expect([...order].sort()).toEqual(tables.map((table) => table.name).sort());
        const position = new Map(order.map((name, index) => [name, index]));
        for (const table of tables) {
          for (const reference of table.references) {
            expect(position.get(reference)!).toBeLessThan(position.get(table.name)!);
          }
        }
      }),
    );
  });
});
