/**
 * The dashboard's "last 30 days" (docs/architecture.md §11): UTC days, oldest first, today
 * last, every day present even when nothing happened on it. The SQL groups rows by UTC day
 * number (`created_at / 86400000`); this module turns those groups into a zero-filled series.
 */
export const DAY_MS = 86_400_000;
export const DASHBOARD_DAYS = 30;

/** Whole UTC days since 1970-01-01: what the queries group by. */
export const utcDayNumber = (at: Date | number) =>
  Math.floor((typeof at === "number" ? at : at.getTime()) / DAY_MS);

export interface DayWindow {
  /** Day number of the oldest day shown. */
  firstDay: number;
  /** Day number of today (the last day shown). */
  lastDay: number;
}

/** The last `days` UTC days, today's included. */
export function dayWindow(now: Date, days = DASHBOARD_DAYS): DayWindow {
  const lastDay = utcDayNumber(now);
  return { firstDay: lastDay - days + 1, lastDay };
}

/** The first millisecond of the window, for `created_at >= ?`. */
export const windowStart = (window: DayWindow) => new Date(window.firstDay * DAY_MS);

export interface DayCount {
  /** UTC day number. */
  day: number;
  value: number;
}

export interface DailyPoint {
  /** Midnight UTC of the day, in ms. */
  at: number;
  value: number;
}

/**
 * One point per day of the window, zero where no row fell; rows outside the window are
 * ignored and several rows of one day add up.
 */
export function zeroFilledSeries(window: DayWindow, rows: Iterable<DayCount>): DailyPoint[] {
  const byDay = new Map<number, number>();
  for (const row of rows) {
    if (row.day < window.firstDay || row.day > window.lastDay) continue;
    byDay.set(row.day, (byDay.get(row.day) ?? 0) + row.value);
  }
  const points: DailyPoint[] = [];
  for (let day = window.firstDay; day <= window.lastDay; day++) {
    points.push({ at: day * DAY_MS, value: byDay.get(day) ?? 0 });
  }
  return points;
}

export const seriesTotal = (series: readonly DailyPoint[]) =>
  series.reduce((sum, point) => sum + point.value, 0);
