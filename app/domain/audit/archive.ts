import { DAY_MS, utcDay } from "./filters";

/**
 * Where the audit archive keeps a day (docs/architecture.md §11): one gzip NDJSON object per
 * whole UTC day, `audit/YYYY/MM/DD.ndjson.gz`, and while a large day is being read across
 * several runs, its parts under `audit-staging/YYYY-MM-DD/`. Pure: time is passed in.
 */

export function archiveKey(day: string): string {
  return `audit/${day.slice(0, 4)}/${day.slice(5, 7)}/${day.slice(8, 10)}.ndjson.gz`;
}

export const stagingPrefix = (day: string) => `audit-staging/${day}/`;

/** A staged part and the note saying it is whole (written after the part, so a crash shows). */
export const stagingPartKey = (day: string, part: number) =>
  `${stagingPrefix(day)}${String(part).padStart(5, "0")}.ndjson.gz`;
export const stagingNoteKey = (day: string, part: number) =>
  `${stagingPrefix(day)}${String(part).padStart(5, "0")}.json`;

/**
 * The first instant that is kept: midnight UTC of today, minus the retention window. Every
 * whole UTC day before it may be archived.
 */
export function retentionCutoff(now: Date, retentionDays: number): number {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return today - retentionDays * DAY_MS;
}

/** The UTC day holding `ms`: its name and its range [start, end). */
export function dayOf(ms: number): { day: string; start: number; end: number } {
  const start = Math.floor(ms / DAY_MS) * DAY_MS;
  return { day: utcDay(start), start, end: start + DAY_MS };
}
