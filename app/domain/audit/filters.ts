import {
  AUDIT_ACTIONS,
  AUDIT_ENTITY_TYPES,
  type AuditAction,
  type AuditEntityType,
} from "./actions";

/**
 * The filters of /admin/audit (docs/architecture.md §11, §12): `?actor=<email>&action=&entity=
 * &entityId=&ipHash=&from=YYYY-MM-DD&to=YYYY-MM-DD&archive=YYYY-MM-DD&cursor=`. Pure and
 * zod-free, so the page and its tests read the same rules. Unlike the other admin lists, a bad
 * value is not dropped silently: an audit search that quietly widens would show rows nobody
 * asked for, so the page names the field and shows nothing.
 */

export const AUDIT_FILTER_FIELDS = [
  "actor",
  "action",
  "entity",
  "entityId",
  "ipHash",
  "from",
  "to",
  "archive",
] as const;
export type AuditFilterField = (typeof AUDIT_FILTER_FIELDS)[number];

export interface AuditFilters {
  /** The actor's email, lowercased; the service turns it into an id. */
  actor?: string;
  action?: AuditAction;
  entity?: AuditEntityType;
  entityId?: string;
  /** A whole IP hash or its start (pages show the first 8 characters). */
  ipHash?: string;
  from?: string;
  to?: string;
  /** Read this archived day from R2 instead of the live table. */
  archive?: string;
}

export type AuditSearch =
  | { ok: true; filters: AuditFilters; cursor: string | null; values: Record<string, string> }
  | {
      ok: false;
      errors: Partial<Record<AuditFilterField, string>>;
      values: Record<string, string>;
    };

export const DAY_MS = 24 * 60 * 60 * 1000;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const ENTITY_ID = /^[A-Za-z0-9_.:-]{1,100}$/;
const IP_HASH = /^[0-9a-f]{6,64}$/;
const EMAIL_MAX = 254;

/** Midnight UTC of a `YYYY-MM-DD` day in ms, or null when it is no real date. */
export function dayStartMs(day: string): number | null {
  const match = DAY.exec(day);
  if (!match) return null;
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, date);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1) return null;
  if (back.getUTCDate() !== date) return null;
  return ms;
}

/** `YYYY-MM-DD` of the UTC day holding `ms`. */
export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const isAction = (value: string): value is AuditAction =>
  (AUDIT_ACTIONS as readonly string[]).includes(value);
const isEntity = (value: string): value is AuditEntityType =>
  (AUDIT_ENTITY_TYPES as readonly string[]).includes(value);

/** Read the query string. Empty fields mean "no filter"; anything malformed is an error. */
export function parseAuditSearch(params: URLSearchParams): AuditSearch {
  const values: Record<string, string> = {};
  for (const field of AUDIT_FILTER_FIELDS) {
    const value = params.get(field)?.trim();
    if (value) values[field] = value.slice(0, 300);
  }
  const errors: Partial<Record<AuditFilterField, string>> = {};
  const filters: AuditFilters = {};

  if (values.actor !== undefined) {
    const email = values.actor.toLowerCase();
    if (email.length > EMAIL_MAX || !/^[^\s@]+@[^\s@]+$/.test(email)) {
      errors.actor = "Enter the actor's email address, like mia@example.com.";
    } else filters.actor = email;
  }
  if (values.action !== undefined) {
    const action = values.action.toUpperCase();
    if (isAction(action)) filters.action = action;
    else errors.action = "Choose an action from the list.";
  }
  if (values.entity !== undefined) {
    if (isEntity(values.entity)) filters.entity = values.entity;
    else errors.entity = "Choose a kind of record from the list.";
  }
  if (values.entityId !== undefined) {
    if (ENTITY_ID.test(values.entityId)) filters.entityId = values.entityId;
    else errors.entityId = "A record id has only letters, digits, '-', '_', '.' and ':'.";
  }
  if (values.ipHash !== undefined) {
    const hash = values.ipHash.toLowerCase();
    if (IP_HASH.test(hash)) filters.ipHash = hash;
    else errors.ipHash = "An IP hash is 6 to 64 hexadecimal characters.";
  }
  for (const field of ["from", "to", "archive"] as const) {
    const value = values[field];
    if (value === undefined) continue;
    if (dayStartMs(value) === null) errors[field] = "Enter a date as YYYY-MM-DD.";
    else filters[field] = value;
  }
  if (filters.from && filters.to && filters.from > filters.to) {
    errors.to = "The end date is before the start date.";
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors, values };
  const cursor = params.get("cursor");
  return {
    ok: true,
    filters,
    cursor: cursor && cursor.length <= 200 ? cursor : null,
    values,
  };
}

/**
 * The archived day a search asks for: `archive=` itself, or a date range of one day (the
 * caller then checks that day has an archive).
 */
export function requestedArchiveDay(filters: AuditFilters): string | null {
  if (filters.archive) return filters.archive;
  if (filters.from && filters.from === filters.to) return filters.from;
  return null;
}

/** The created_at window of the date filters in ms: [from 00:00, the day after `to` 00:00). */
export function dateWindow(filters: AuditFilters): { start?: number; end?: number } {
  const start = filters.from ? dayStartMs(filters.from) : null;
  const end = filters.to ? dayStartMs(filters.to) : null;
  return {
    ...(start !== null ? { start } : {}),
    ...(end !== null ? { end: end + DAY_MS } : {}),
  };
}

/** An audit row as the filters see it (live rows and archived ones alike). */
export interface FilterableAuditRow {
  actorId: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  ipHash: string | null;
  createdAt: number;
}

/**
 * The same filters, applied in memory (to an archived day read back from R2). `actorId` is the
 * actor email resolved by the caller; undefined when there is no actor filter.
 */
export function matchesAuditFilters(
  row: FilterableAuditRow,
  filters: AuditFilters,
  actorId: string | undefined,
): boolean {
  const { start, end } = dateWindow(filters);
  return (
    (actorId === undefined || row.actorId === actorId) &&
    (!filters.action || row.action === filters.action) &&
    (!filters.entity || row.entityType === filters.entity) &&
    (!filters.entityId || row.entityId === filters.entityId) &&
    (!filters.ipHash || (row.ipHash ?? "").startsWith(filters.ipHash)) &&
    (start === undefined || row.createdAt >= start) &&
    (end === undefined || row.createdAt < end)
  );
}

/** The viewer's URL for a record's history (the "History" links of the detail pages). */
export function auditHistoryHref(filters: Pick<AuditFilters, "actor" | "entity" | "entityId">) {
  const params = new URLSearchParams();
  if (filters.actor) params.set("actor", filters.actor);
  if (filters.entity) params.set("entity", filters.entity);
  if (filters.entityId) params.set("entityId", filters.entityId);
  return `/admin/audit?${params}`;
}
