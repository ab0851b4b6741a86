/**
 * Dates as pages, emails and refusals show them: the one place that makes an
 * `Intl.DateTimeFormat` (ESLint refuses one anywhere else).
 *
 * One locale, "en-GB": day before month ("30 Nov 2026") reads the same to every English
 * reader — "Nov 30" puts off readers outside the US, and "11/30" vs "30/11" is ambiguous —
 * and the 24-hour clock ("19:52") needs no AM/PM. It is also what every page already printed.
 *
 * The server renders in UTC, so its HTML and the browser's first render (hydration) print the
 * same text; `<LocalTime>` (~/components/local-time) then shows the viewer's own time zone,
 * with UTC on hover. Accepts what loaders send (Dates under single fetch) and what older JSON
 * routes sent (ISO strings).
 */
export const LOCALE = "en-GB";

type DateInput = Date | string | number | null | undefined;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A formatter for these options in {@link LOCALE}, made once and reused (they are costly). */
export function dateFormatter(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = JSON.stringify(Object.entries(options).sort(([a], [b]) => (a < b ? -1 : 1)));
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(LOCALE, options);
    formatters.set(key, formatter);
  }
  return formatter;
}

/** How many formatters exist (tests check that they are cached). */
export const cachedFormatterCount = () => formatters.size;

function toDate(value: DateInput): Date | null {
  if (value === null || value === undefined || value === "") return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

const DATE_TIME: Intl.DateTimeFormatOptions = {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZoneName: "short",
};

// Pages print the same dates on every render (a ledger, a license's history), and each format
// call is ICU work: the texts are kept per style, zone and instant, up to a bound.
const MAX_KEPT = 2000;
const texts = new Map<string, string>();

function formatKept(style: "date" | "dateTime", date: Date, timeZone: string): string {
  const key = `${style}\u0000${timeZone}\u0000${date.getTime()}`;
  let text = texts.get(key);
  if (text === undefined) {
    const options = style === "date" ? { dateStyle: "medium" as const } : DATE_TIME;
    text = dateFormatter({ ...options, timeZone }).format(date);
    if (texts.size >= MAX_KEPT) texts.clear();
    texts.set(key, text);
  }
  return text;
}

/**
 * "30 Nov 2026, 19:52 UTC" (or, in another zone, "30 Nov 2026, 20:52 CET"), or `empty` when
 * there is no date. The zone is always named, so a time is never read in the wrong one.
 */
export function formatDateTime(value: DateInput, empty = "—", timeZone = "UTC"): string {
  const date = toDate(value);
  return date ? formatKept("dateTime", date, timeZone) : empty;
}

/** "30 Nov 2026", or `empty` when there is no date. */
export function formatDate(value: DateInput, empty = "—", timeZone = "UTC"): string {
  const date = toDate(value);
  return date ? formatKept("date", date, timeZone) : empty;
}

/** The machine-readable form for `<time dateTime>`. */
export function isoDateTime(value: DateInput): string | undefined {
  return toDate(value)?.toISOString();
}

/** The browser's time zone ("Europe/Berlin"), or null where there is none to ask (server). */
export function viewerTimeZone(): string | null {
  if (typeof document === "undefined") return null;
  try {
    return dateFormatter({}).resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}
