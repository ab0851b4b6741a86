import { AsyncLocalStorage } from "node:async_hooks";
import { fillPlaceholders } from "drizzle-orm";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Database = DrizzleD1Database<typeof schema>;

/** A Drizzle handle over a D1 binding, for jobs and tests that want their own. */
export function createDb(d1: D1Database): Database {
  return drizzle(d1, { schema });
}

const handles = new WeakMap<D1Database, Database>();

/**
 * The isolate's Drizzle handle for a binding, straight on the binding (every query goes to the
 * primary). Building one walks the whole schema (issue 17: 6–10% of a page's CPU when the worker
 * built one per request). The `env.DB` object a Worker receives is the same on every request an
 * isolate serves, and a Drizzle handle keeps no per-request state, so the handle is kept per
 * binding object; another binding (a test's second database, a counting proxy) gets its own.
 */
export function dbFor(d1: D1Database): Database {
  let db = handles.get(d1);
  if (!db) {
    db = createDb(d1);
    handles.set(d1, db);
  }
  return db;
}

const preparedQueries = new WeakMap<Database, Map<string, unknown>>();

/**
 * A hot query built and prepared once per Drizzle handle, i.e. once per isolate for the request
 * handle (issue 17: building a query walks Drizzle's entity checks, up to 17 % of a page's
 * JavaScript). `name` identifies the query in this handle; `prepare` must give the same SQL
 * every time, with `sql.placeholder`s for what varies. On the request handle it still runs on
 * each request's own D1 session (see RoutedStatement).
 */
export function preparedOnce<T>(db: Database, name: string, prepare: (db: Database) => T): T {
  let queries = preparedQueries.get(db);
  if (!queries) {
    queries = new Map();
    preparedQueries.set(db, queries);
  }
  let query = queries.get(name) as T | undefined;
  if (query === undefined) {
    query = prepare(db);
    queries.set(name, query);
  }
  return query;
}

/** What Drizzle's `_prepare()` gives for a D1 query: the statement, its SQL and its row mapper. */
interface PreparedForBatch {
  stmt: { bind(...values: unknown[]): D1PreparedStatement };
  getQuery(): { sql: string; params: unknown[] };
  mapResult(result: unknown, isFromBatch?: boolean): unknown;
}

type SqliteBatch = readonly [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]];

/** Statements ready for a D1 batch, and how to turn their results into what the caller wants. */
export interface PreparedReads<R> {
  statements: D1PreparedStatement[];
  map(results: D1Result[]): R;
}

/**
 * A hot batch of reads built and prepared once per Drizzle handle, like `preparedOnce`: the
 * queries use `sql.placeholder`s for what varies, and the returned function binds them to the
 * values of one call (on the current request's D1 session, like every query of the request
 * handle) without running them, so they can share a batch with other reads (`runReads`).
 * Drizzle's own `db.batch` would build and prepare every query again on each call (it takes query
 * builders only), which was 10–14 % of `/account`'s CPU.
 */
export function preparedReadsOnce<T extends SqliteBatch>(
  db: Database,
  name: string,
  build: (db: Database) => T,
): (values: Record<string, unknown>) => PreparedReads<BatchResponse<T>> {
  const prepared = preparedOnce(db, name, (handle) =>
    build(handle).map((query) =>
      (query as unknown as { _prepare(isOneTimeQuery: boolean): PreparedForBatch })._prepare(false),
    ),
  );
  return (values) => ({
    statements: prepared.map((query) =>
      query.stmt.bind(...fillPlaceholders(query.getQuery().params, values)),
    ),
    map: (results) =>
      results.map((result, i) =>
        prepared[i]!.mapResult(result, true),
      ) as unknown as BatchResponse<T>,
  });
}

/** Runs several prepared reads in one D1 batch (one round trip) and maps each one's results. */
export async function runReads<R extends unknown[]>(
  db: Database,
  reads: { [K in keyof R]: PreparedReads<R[K]> },
): Promise<R> {
  // `$client` is what `drizzle()` was given: the binding, or the request handle's router.
  const client = (db as Database & { $client: D1Database }).$client;
  const results = await client.batch(reads.flatMap((read) => read.statements));
  let at = 0;
  return reads.map((read) => {
    const own = results.slice(at, at + read.statements.length);
    at += read.statements.length;
    return read.map(own);
  }) as R;
}

/** `preparedReadsOnce`, run at once in a batch of its own. */
export function preparedBatchOnce<T extends SqliteBatch>(
  db: Database,
  name: string,
  build: (db: Database) => T,
): (values: Record<string, unknown>) => Promise<BatchResponse<T>> {
  const reads = preparedReadsOnce(db, name, build);
  return async (values) => {
    const [results] = await runReads<[BatchResponse<T>]>(db, [reads(values)]);
    return results;
  };
}

// --- D1 sessions (docs/decisions/0013-d1-read-replicas-and-bookmarks.md) ----------------------

/** One request's D1 session, and whether the request ran a statement that writes. */
export interface RequestSession {
  readonly session: D1DatabaseSession;
  wrote: boolean;
}

/**
 * The session of the request running now. Requests in one isolate run concurrently, so the
 * session is found through the async context of the request, never a module variable.
 */
const currentSession = new AsyncLocalStorage<RequestSession>();

/** Reads start with `select`; anything else (insert, update, delete, pragma) counts as a write. */
const READ_STATEMENT = /^\s*select\b/i;

/**
 * A statement the isolate's handle hands to Drizzle. It holds only the SQL: `bind` (which Drizzle
 * calls for every execution, prepared or not) makes the real statement on the current request's
 * session, so a query prepared once per isolate runs on each request's own session.
 */
class RoutedStatement {
  private readonly writes: boolean;

  constructor(
    private readonly binding: D1Database,
    private readonly query: string,
  ) {
    this.writes = !READ_STATEMENT.test(query);
  }

  bind(...values: unknown[]): D1PreparedStatement {
    const request = currentSession.getStore();
    if (!request) return this.binding.prepare(this.query).bind(...values);
    if (this.writes) request.wrote = true;
    return request.session.prepare(this.query).bind(...values);
  }

  first<T>(column?: string): Promise<T | null> {
    const statement = this.bind();
    return column === undefined ? statement.first<T>() : statement.first<T>(column);
  }
  run<T>() {
    return this.bind().run<T>();
  }
  all<T>() {
    return this.bind().all<T>();
  }
  raw<T>() {
    return this.bind().raw<T>();
  }
}

/** What the isolate's request handle calls D1 through: the current request's session, if any. */
function routedClient(binding: D1Database): D1Database {
  const client = {
    prepare: (query: string) => new RoutedStatement(binding, query),
    batch: <T>(statements: D1PreparedStatement[]) => {
      const request = currentSession.getStore();
      return (request ? request.session : binding).batch<T>(statements);
    },
    exec: (query: string) => binding.exec(query),
    withSession: (constraint?: string) => binding.withSession(constraint),
    dump: () => binding.dump(),
  };
  return client as unknown as D1Database;
}

const requestHandles = new WeakMap<D1Database, Database>();

/**
 * The isolate's handle for requests: built once per binding (schema walked once), its queries
 * run on the D1 session of the request that runs them (`inD1Session`); outside one, on the
 * binding. Prepared statements (`.prepare()`) made on it are made once and work for every
 * request.
 */
export function requestDbFor(d1: D1Database): Database {
  let db = requestHandles.get(d1);
  if (!db) {
    db = drizzle(routedClient(d1), { schema });
    requestHandles.set(d1, db);
  }
  return db;
}

/** One request's D1 session: `run` its D1 work in it, then ask what happened. */
export interface OpenD1Session {
  /** Runs `work` with every query of the request handle (`requestDbFor`) on this session. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** The session's latest bookmark; null while no query has run. */
  bookmark(): D1SessionBookmark | null;
  /** Whether a statement that writes ran on this session. */
  wrote(): boolean;
}

/** A new D1 session of `d1`, opened with a constraint or from a bookmark. */
export function openD1Session(
  d1: D1Database,
  constraintOrBookmark: D1SessionConstraint | D1SessionBookmark,
): OpenD1Session {
  const request: RequestSession = { session: d1.withSession(constraintOrBookmark), wrote: false };
  return {
    // Awaited inside: a Drizzle query is a lazy thenable that runs when awaited, so awaiting it
    // out here would run it outside the session.
    run: (work) => currentSession.run(request, async () => await work()),
    bookmark: () => request.session.getBookmark(),
    wrote: () => request.wrote,
  };
}

export { schema };
