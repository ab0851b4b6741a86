import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Database = DrizzleD1Database<typeof schema>;

/** A Drizzle handle over a D1 binding, for jobs and tests that want their own. */
export function createDb(d1: D1Database): Database {
  return drizzle(d1, { schema });
}

const handles = new WeakMap<D1Database, Database>();

/**
 * The isolate's Drizzle handle for a binding. Building one walks the whole schema (issue 17:
 * 6–10% of a page's CPU when the worker built one per request). The `env.DB` object a Worker
 * receives is the same on every request an isolate serves, and a Drizzle handle keeps no
 * per-request state, so the handle is kept per binding object; another binding (a test's
 * second database, a counting proxy) gets its own.
 */
export function dbFor(d1: D1Database): Database {
  let db = handles.get(d1);
  if (!db) {
    db = createDb(d1);
    handles.set(d1, db);
  }
  return db;
}

export { schema };
