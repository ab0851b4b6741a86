/**
 * Dates as pages show them. Always UTC and one locale, so the server's HTML and the browser's
 * hydration print the same text. Accepts what loaders send (Dates under single fetch) and
 * what older JSON routes sent (ISO strings).
 */
type DateInput = Date | string | number | null | undefined;

const dateTimeFormat = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});
const dateFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });

function toDate(value: DateInput): Date | null {
  if (value === null || value === undefined || value === "") return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "30 Nov 2026, 19:52 UTC", or `empty` when there is no date. */
export function formatDateTime(value: DateInput, empty = "—"): string {
  const date = toDate(value);
  return date ? `${dateTimeFormat.format(date)} UTC` : empty;
}

/** "30 Nov 2026", or `empty` when there is no date. */
export function formatDate(value: DateInput, empty = "—"): string {
  const date = toDate(value);
  return date ? dateFormat.format(date) : empty;
}

/** The machine-readable form for `<time dateTime>`. */
export function isoDateTime(value: DateInput): string | undefined {
  return toDate(value)?.toISOString();
}
