import { createId } from "@paralleldrive/cuid2";
import { and, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import type { Database } from "#db/client";
import { auditLogs, users, type UserRole } from "#db/schema";
import { USER_ROLES } from "#db/schema/enums";
import {
  describeAuditRow,
  peopleOf,
  type AuditDescription,
  type AuditPerson,
} from "~/domain/audit/describe";
import {
  dateWindow,
  matchesAuditFilters,
  requestedArchiveDay,
  type AuditFilters,
} from "~/domain/audit/filters";
import { clampPageSize, decodeCursor, encodeCursor, paginate } from "~/domain/catalog/cursor";
import { refuse, type Result } from "~/domain/refusal";
import { readArchive, findArchivedDay, type ArchivedAuditRow } from "./audit-archive.server";
import { auditStatement, type AuditActor, type AuditRequestInfo } from "./audit.server";

/**
 * The audit viewer (docs/architecture.md §11, /admin/audit): the filtered log newest first in
 * keyset pages, each row in words; the same filters as a streamed CSV; and an archived day
 * read back from R2 (checked against its archive row) when the search asks for one.
 */

export interface AuditViewerDeps {
  db: Database;
  d1: D1Database;
  files: R2Bucket;
}

/** An audit row as the viewer and the CSV show it. */
export interface AuditViewRow extends AuditDescription {
  id: string;
  createdAt: Date;
  action: string;
  actorId: string | null;
  actorRole: UserRole | null;
  actorEmail: string | null;
  entityType: string;
  entityId: string | null;
  ipHash: string | null;
  requestId: string | null;
  metadata: Record<string, unknown> | null;
}

type StoredRow = Omit<AuditViewRow, keyof AuditDescription | "actorEmail">;

const VIEW_COLUMNS = {
  id: auditLogs.id,
  createdAt: auditLogs.createdAt,
  action: auditLogs.action,
  actorId: auditLogs.actorId,
  actorRole: auditLogs.actorRole,
  entityType: auditLogs.entityType,
  entityId: auditLogs.entityId,
  ipHash: auditLogs.ipHash,
  requestId: auditLogs.requestId,
  metadata: auditLogs.metadata,
};

// ---- Names -------------------------------------------------------------------------------------

/** D1 allows 100 bound parameters per statement; lookups go in slices below that. */
const MAX_PARAMS = 90;

const slices = <T>(items: readonly T[]) =>
  Array.from({ length: Math.ceil(items.length / MAX_PARAMS) }, (_, i) =>
    items.slice(i * MAX_PARAMS, (i + 1) * MAX_PARAMS),
  );

/** Records that belong to a user, so a row can say whose license or reset request it was. */
const OWNER_SOURCES: Readonly<Record<string, string>> = {
  license: "SELECT id, user_id AS owner FROM licenses",
  purchase: "SELECT id, user_id AS owner FROM digital_product_purchases",
  reset_request: "SELECT id, user_id AS owner FROM download_reset_requests",
  project: "SELECT id, client_id AS owner FROM service_projects",
  membership: "SELECT id, user_id AS owner FROM memberships",
  device_session: "SELECT id, user_id AS owner FROM device_sessions",
};

interface PersonRow {
  id: string;
  name: string;
  email: string;
  role: UserRole;
  deleted_at: number | null;
}

type OwnerRow = PersonRow & { type: string; owner: string | null };

const personOf = (row: PersonRow): AuditPerson & { email: string } => ({
  name: row.name,
  email: row.email,
  role: USER_ROLES.includes(row.role) ? row.role : "USER",
  deleted: row.deleted_at !== null,
});

/**
 * Describe a page of rows: one D1 batch finds the owners of the records the rows are about
 * (with their names) and every user the rows name (actors, user records, ids in metadata).
 * Exported for the dashboard's activity list.
 */
export async function describeAuditRows(
  d1: D1Database,
  rows: readonly StoredRow[],
): Promise<AuditViewRow[]> {
  if (rows.length === 0) return [];
  const owned = [
    ...new Set(
      rows
        .filter((row) => row.entityId && OWNER_SOURCES[row.entityType])
        .map((row) => `${row.entityType}\u0000${row.entityId}`),
    ),
  ].map((pair) => pair.split("\u0000") as [string, string]);
  const ownerStatements = slices(owned).map((slice) => {
    const byType = new Map<string, string[]>();
    for (const [type, id] of slice) byType.set(type, [...(byType.get(type) ?? []), id]);
    const parts = [...byType].map(
      ([type, ids]) =>
        `SELECT '${type}' AS type, id, owner FROM (${OWNER_SOURCES[type]} WHERE id IN (${ids.map(() => "?").join(", ")}))`,
    );
    return d1
      .prepare(
        `SELECT o.type, o.id, o.owner, u.name, u.email, u.role, u.deleted_at
         FROM (${parts.join(" UNION ALL ")}) o LEFT JOIN users u ON u.id = o.owner`,
      )
      .bind(...[...byType.values()].flat());
  });
  const ids = peopleOf(rows);
  const peopleStatements = slices(ids).map((slice) =>
    d1
      .prepare(
        `SELECT id, name, email, role, deleted_at FROM users WHERE id IN (${slice.map(() => "?").join(", ")})`,
      )
      .bind(...slice),
  );
  const statements = [...ownerStatements, ...peopleStatements];
  // D1 refuses an empty batch: a page of system rows about records nobody owns names no one.
  const results = statements.length > 0 ? await d1.batch<Record<string, unknown>>(statements) : [];

  const owners = new Map<string, string>();
  const people = new Map<string, AuditPerson & { email: string }>();
  results.slice(0, ownerStatements.length).forEach((result) => {
    for (const row of result.results as unknown as OwnerRow[]) {
      if (!row.owner) continue;
      owners.set(`${row.type}\u0000${row.id}`, row.owner);
      if (row.name !== null) people.set(row.owner, personOf({ ...row, id: row.owner }));
    }
  });
  for (const result of results.slice(ownerStatements.length)) {
    for (const row of result.results as unknown as PersonRow[]) people.set(row.id, personOf(row));
  }

  return rows.map((row) => {
    const ownerId = owners.get(`${row.entityType}\u0000${row.entityId}`) ?? null;
    const actor = row.actorId ? people.get(row.actorId) : undefined;
    return {
      ...row,
      actorEmail: actor && !actor.deleted ? actor.email : null,
      ...describeAuditRow({ ...row, ownerId }, people),
    };
  });
}

// ---- The live log ------------------------------------------------------------------------------

export type AuditSearchRefusal =
  "unknown-actor" | "not-archived" | "archive-missing" | "archive-corrupt";

/** The actor filter's email as an account id, or a refusal naming the field. */
export async function resolveActor(
  db: Database,
  filters: AuditFilters,
): Promise<Result<{ actorId: string | undefined }, "unknown-actor">> {
  if (!filters.actor) return { ok: true, actorId: undefined };
  const [user] = await db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.email, filters.actor))
    .limit(1);
  if (!user) {
    return refuse("invalid", "unknown-actor", "No account uses this email address.", {
      field: "actor",
    });
  }
  return { ok: true, actorId: user.id };
}

function liveConditions(filters: AuditFilters, actorId: string | undefined): SQL[] {
  const conditions: SQL[] = [];
  if (actorId) conditions.push(eq(auditLogs.actorId, actorId));
  if (filters.action) conditions.push(eq(auditLogs.action, filters.action));
  if (filters.entity) conditions.push(eq(auditLogs.entityType, filters.entity));
  if (filters.entityId) conditions.push(eq(auditLogs.entityId, filters.entityId));
  // A prefix of lowercase hex (checked by the filter parser) as a range, not LIKE: D1 refuses
  // LIKE patterns over 50 bytes, and the rows' own links send the whole 64-character hash.
  if (filters.ipHash) {
    conditions.push(
      gte(auditLogs.ipHash, filters.ipHash),
      lt(auditLogs.ipHash, `${filters.ipHash}g`),
    );
  }
  const { start, end } = dateWindow(filters);
  if (start !== undefined) conditions.push(gte(auditLogs.createdAt, new Date(start)));
  if (end !== undefined) conditions.push(lt(auditLogs.createdAt, new Date(end)));
  return conditions;
}

/** One keyset page of the live log on (created_at, id), newest first. */
async function livePage(
  db: Database,
  input: {
    filters: AuditFilters;
    actorId: string | undefined;
    cursor: string | null;
    limit: number;
  },
) {
  const conditions = liveConditions(input.filters, input.actorId);
  const cursor = decodeCursor(input.cursor);
  if (cursor) {
    conditions.push(
      sql`(${auditLogs.createdAt}, ${auditLogs.id}) < (${cursor.sortKey}, ${cursor.id})`,
    );
  }
  const rows = await db
    .select(VIEW_COLUMNS)
    .from(auditLogs)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(auditLogs.createdAt), desc(auditLogs.id))
    .limit(input.limit + 1);
  return paginate(rows, input.limit, (row) => ({ sortKey: row.createdAt.getTime(), id: row.id }));
}

export interface AuditPage {
  items: AuditViewRow[];
  nextCursor: string | null;
  /** Set when the page was read from an archived day in R2. */
  archive: { day: string; rows: number } | null;
}

/**
 * One page of the log for these filters: the live table, or an archived day (from R2) when the
 * search names one (`archive=`, or from = to on an archived day).
 */
export async function searchAuditLog(
  deps: AuditViewerDeps,
  input: { filters: AuditFilters; cursor: string | null; pageSize?: number },
): Promise<Result<AuditPage, AuditSearchRefusal>> {
  const limit = clampPageSize(input.pageSize);
  const actor = await resolveActor(deps.db, input.filters);
  if (!actor.ok) return actor;
  const day = requestedArchiveDay(input.filters);
  const archive = day ? await findArchivedDay(deps.db, day) : null;
  if (input.filters.archive && !archive) {
    return refuse("invalid", "not-archived", "This day is not archived.", { field: "archive" });
  }
  if (archive && day) {
    return searchArchivedDay(deps, { ...input, day, archive, actorId: actor.actorId, limit });
  }
  const page = await livePage(deps.db, { ...input, actorId: actor.actorId, limit });
  return {
    ok: true,
    items: await describeAuditRows(deps.d1, page.items),
    nextCursor: page.nextCursor,
    archive: null,
  };
}

const storedFromArchive = (row: ArchivedAuditRow): StoredRow => ({
  id: row.id,
  createdAt: new Date(row.created_at),
  action: row.action,
  actorId: row.actor_id,
  actorRole: USER_ROLES.includes(row.actor_role as UserRole) ? (row.actor_role as UserRole) : null,
  entityType: row.entity_type,
  entityId: row.entity_id,
  ipHash: row.ip_hash,
  requestId: row.request_id,
  metadata: row.metadata ? (JSON.parse(row.metadata) as Record<string, unknown>) : null,
});

/**
 * An archived day, read back in full and checked against its archive row; the rows matching
 * the filters are counted and only the requested window kept (oldest first, the object's
 * order), so memory holds one page however large the day. The cursor is an offset.
 */
async function searchArchivedDay(
  deps: AuditViewerDeps,
  input: {
    filters: AuditFilters;
    cursor: string | null;
    day: string;
    archive: { storageKey: string; rowCount: number; sha256: string };
    actorId: string | undefined;
    limit: number;
  },
): Promise<Result<AuditPage, AuditSearchRefusal>> {
  const offset = /^\d{1,9}$/.test(input.cursor ?? "") ? Number(input.cursor) : 0;
  const window: StoredRow[] = [];
  let matched = 0;
  const read = await readArchive(deps.files, input.archive, (raw) => {
    const row = { ...raw, actorId: raw.actor_id, entityType: raw.entity_type };
    const filterable = {
      ...row,
      entityId: raw.entity_id,
      ipHash: raw.ip_hash,
      createdAt: raw.created_at,
    };
    if (!matchesAuditFilters(filterable, input.filters, input.actorId)) return;
    if (matched >= offset && matched < offset + input.limit) window.push(storedFromArchive(raw));
    matched += 1;
  });
  if (!read.ok) return read;
  return {
    ok: true,
    items: await describeAuditRows(deps.d1, window),
    nextCursor: matched > offset + input.limit ? String(offset + input.limit) : null,
    archive: { day: input.day, rows: read.rows },
  };
}

// ---- CSV ---------------------------------------------------------------------------------------

export const CSV_COLUMNS = [
  "time",
  "actor_id",
  "actor_email",
  "actor_role",
  "action",
  "sentence",
  "entity_type",
  "entity_id",
  "ip_hash",
  "request_id",
  "metadata",
] as const;

/** Rows per keyset page while streaming: one SELECT and one name lookup each. */
const CSV_PAGE_ROWS = 200;

/**
 * A CSV cell: a text that a spreadsheet would run as a formula (starting with = + - @, a tab
 * or a carriage return) gets a leading apostrophe; quoted when it holds a quote, a comma or a
 * line break (RFC 4180).
 */
export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const csvLine = (cells: ReadonlyArray<string | number | null | undefined>) =>
  `${cells.map(csvCell).join(",")}\r\n`;

function csvRow(row: AuditViewRow): string {
  return csvLine([
    row.createdAt.toISOString(),
    row.actorId,
    row.actorEmail,
    row.actorRole,
    row.action,
    row.sentence,
    row.entityType,
    row.entityId,
    row.ipHash,
    row.requestId,
    row.metadata ? JSON.stringify(row.metadata) : "",
  ]);
}

/**
 * The live rows matching the filters as CSV, newest first, pulled a keyset page at a time as
 * the client reads: nothing but the current page is ever held in memory. `before` is the
 * export's own audit row: it and anything newer are left out, so the file is the log as it
 * stood when the export was asked for.
 */
export function auditCsvStream(
  deps: Pick<AuditViewerDeps, "db" | "d1">,
  input: { filters: AuditFilters; actorId: string | undefined; before: ExportMark },
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: string | null = encodeCursor({
    sortKey: input.before.at.getTime(),
    id: input.before.id,
  });
  let started = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(encoder.encode(csvLine(CSV_COLUMNS)));
          return;
        }
        const page = await livePage(deps.db, { ...input, cursor, limit: CSV_PAGE_ROWS });
        const rows = await describeAuditRows(deps.d1, page.items);
        if (rows.length > 0) controller.enqueue(encoder.encode(rows.map(csvRow).join("")));
        cursor = page.nextCursor;
        if (!cursor) controller.close();
      },
    },
    { highWaterMark: 0 },
  );
}

export interface ExportMark {
  id: string;
  at: Date;
}

/** The export itself goes in the log (who exported what), before the first row is sent. */
export async function recordAuditExport(
  db: Database,
  input: { actor: AuditActor; request: AuditRequestInfo; filters: AuditFilters; now: Date },
): Promise<ExportMark> {
  const id = createId();
  await auditStatement(db, {
    id,
    actor: input.actor,
    action: "AUDIT_EXPORTED",
    entityType: "audit_log",
    metadata: { format: "csv", filters: { ...input.filters } },
    request: input.request,
    at: input.now,
  });
  return { id, at: input.now };
}
