import { env } from "cloudflare:test";
import { count, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { dbFor, openD1Session, preparedBatchOnce, preparedOnce, requestDbFor } from "#db/client";
import { users } from "#db/schema";
import { createUser } from "../../factories";

describe("dbFor", () => {
  it("keeps one Drizzle handle per D1 binding, and a separate one for each binding", async () => {
    const first = dbFor(env.DB);
    expect(dbFor(env.DB)).toBe(first);
    const other = dbFor(env.DASHBOARD_DB);
    expect(other).not.toBe(first);
    expect(dbFor(env.DASHBOARD_DB)).toBe(other);
    expect(await first.run("select 1")).toBeTruthy();
  });
});

/** A D1 binding whose sessions record the statements run on them. */
function recordingBinding() {
  const sessions: { constraint: string; statements: string[] }[] = [];
  const binding = new Proxy(env.DB, {
    get(target, name) {
      if (name === "withSession") {
        return (constraint: string) => {
          const record = { constraint, statements: [] as string[] };
          sessions.push(record);
          const session = target.withSession(constraint);
          return {
            prepare: (query: string) => {
              record.statements.push(query);
              return session.prepare(query);
            },
            batch: (statements: D1PreparedStatement[]) => session.batch(statements),
            getBookmark: () => session.getBookmark(),
          };
        };
      }
      const value = Reflect.get(target, name) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { binding, sessions };
}

describe("requestDbFor and openD1Session", () => {
  it("keeps one handle per binding and runs each request's queries on its own session", async () => {
    const { binding, sessions } = recordingBinding();
    const db = requestDbFor(binding);
    expect(requestDbFor(binding)).toBe(db);
    const user = await createUser(dbFor(env.DB), { name: "Session Reader" });

    const reader = openD1Session(binding, "first-unconstrained");
    const writer = openD1Session(binding, "first-primary");
    // Both at once, interleaved in one isolate: each query lands on the session of its request.
    const [read, wrote] = await Promise.all([
      reader.run(async () => {
        await Promise.resolve();
        return db.select({ name: users.name }).from(users).where(eq(users.id, user.id));
      }),
      writer.run(() =>
        db.update(users).set({ name: "Session Writer" }).where(eq(users.id, user.id)),
      ),
    ]);
    expect(read).toHaveLength(1);
    expect(wrote).toBeTruthy();

    const [readSession, writeSession] = sessions;
    expect(readSession!.constraint).toBe("first-unconstrained");
    expect(readSession!.statements).toEqual([expect.stringMatching(/^select/)]);
    expect(writeSession!.constraint).toBe("first-primary");
    expect(writeSession!.statements).toEqual([expect.stringMatching(/^update/)]);
    expect(reader.wrote()).toBe(false);
    expect(writer.wrote()).toBe(true);
    expect(writer.bookmark()).toEqual(expect.any(String));
  });

  it("runs a batch, and a statement prepared once, on the session of each request", async () => {
    const { binding, sessions } = recordingBinding();
    const db = requestDbFor(binding);
    const user = await createUser(dbFor(env.DB), { name: "Prepared Once" });
    const byId = db
      .select({ name: users.name })
      .from(users)
      .where(eq(users.id, sql.placeholder("id")))
      .prepare();

    const first = openD1Session(binding, "first-unconstrained");
    const second = openD1Session(binding, "first-primary");
    expect(await first.run(() => byId.all({ id: user.id }))).toEqual([{ name: "Prepared Once" }]);
    await second.run(() =>
      db.batch([
        db.update(users).set({ name: "Batched" }).where(eq(users.id, user.id)),
        db.select({ name: users.name }).from(users).where(eq(users.id, user.id)),
      ]),
    );
    expect(await second.run(() => byId.get({ id: user.id }))).toEqual({ name: "Batched" });
    expect(sessions.map((session) => session.statements.length)).toEqual([1, 3]);
    expect(first.wrote()).toBe(false);
    expect(second.wrote()).toBe(true);
  });

  it("outside a request's session, runs on the binding itself", async () => {
    const db = requestDbFor(env.DASHBOARD_DB);
    expect(await db.get(sql`select 1 as one`)).toEqual({ one: 1 });
  });
});

describe("preparedOnce", () => {
  it("builds a named query once per handle and runs it with new values each time", async () => {
    const db = requestDbFor(env.DB);
    let built = 0;
    const byEmail = () =>
      preparedOnce(db, "test.user-by-email", (handle) => {
        built += 1;
        return handle
          .select({ id: users.id })
          .from(users)
          .where(eq(users.email, sql.placeholder("email")))
          .prepare();
      });
    const first = await createUser(dbFor(env.DB), {});
    const second = await createUser(dbFor(env.DB), {});
    expect(await byEmail().all({ email: first.email })).toEqual([{ id: first.id }]);
    expect(await byEmail().all({ email: second.email })).toEqual([{ id: second.id }]);
    expect(built).toBe(1);
    // Another handle (another binding, a test's own) prepares its own.
    preparedOnce(dbFor(env.DASHBOARD_DB), "test.user-by-email", () => (built += 1));
    expect(built).toBe(2);
  });
});

describe("preparedBatchOnce", () => {
  it("builds a batch once, runs it with each call's values on the request's session, mapping rows", async () => {
    const { binding, sessions } = recordingBinding();
    const db = requestDbFor(binding);
    let built = 0;
    const reads = () =>
      preparedBatchOnce(db, "test.user-batch", (handle) => {
        built += 1;
        const id = sql.placeholder("id");
        return [
          handle
            .select({ name: users.name, createdAt: users.createdAt })
            .from(users)
            .where(eq(users.id, id)),
          handle.select({ total: count() }).from(users).where(eq(users.id, id)),
        ] as const;
      });
    const first = await createUser(dbFor(env.DB), { name: "Batch One" });
    const second = await createUser(dbFor(env.DB), { name: "Batch Two" });

    const session = openD1Session(binding, "first-unconstrained");
    const [rows, [counted]] = await session.run(() => reads()({ id: first.id }));
    expect(rows).toEqual([{ name: "Batch One", createdAt: first.createdAt }]);
    // Columns are mapped as a query's would be: a timestamp comes back as a Date.
    expect(rows[0]!.createdAt).toBeInstanceOf(Date);
    expect(counted).toEqual({ total: 1 });
    const [again] = await session.run(() => reads()({ id: second.id }));
    expect(again).toEqual([{ name: "Batch Two", createdAt: second.createdAt }]);
    expect(built).toBe(1);
    expect(sessions[0]!.statements).toHaveLength(4);
    expect(await reads()({ id: "nobody" })).toEqual([[], [{ total: 0 }]]);
  });
});
