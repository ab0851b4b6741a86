import { describe, expect, it } from "vitest";
import {
  LOCALE,
  cachedFormatterCount,
  dateFormatter,
  formatDate,
  formatDateTime,
  isoDateTime,
  viewerTimeZone,
} from "~/lib/format";

const MOMENT = new Date(Date.UTC(2026, 10, 30, 19, 52, 30));

describe("date formatting", () => {
  it("prints one locale, day before month, 24-hour clock, with the zone named", () => {
    expect(LOCALE).toBe("en-GB");
    expect(formatDateTime(MOMENT)).toBe("30 Nov 2026, 19:52 UTC");
    expect(formatDate(MOMENT)).toBe("30 Nov 2026");
  });

  it("prints a moment in another time zone when asked (what <LocalTime> shows a viewer)", () => {
    expect(formatDateTime(MOMENT, "—", "Europe/Berlin")).toBe("30 Nov 2026, 20:52 CET");
    expect(formatDateTime(MOMENT, "—", "Asia/Kolkata")).toBe("1 Dec 2026, 01:22 GMT+5:30");
    expect(formatDate(MOMENT, "—", "Asia/Kolkata")).toBe("1 Dec 2026");
  });

  it("accepts Dates, ISO strings and epoch milliseconds; no date or a bad one is `empty`", () => {
    expect(formatDateTime(MOMENT.toISOString())).toBe("30 Nov 2026, 19:52 UTC");
    expect(formatDateTime(MOMENT.getTime())).toBe("30 Nov 2026, 19:52 UTC");
    expect(formatDateTime(null)).toBe("—");
    expect(formatDateTime(undefined, "never")).toBe("never");
    expect(formatDate("", "Not recorded")).toBe("Not recorded");
    expect(formatDate("not a date")).toBe("—");
    expect(isoDateTime(MOMENT)).toBe("2026-11-30T19:52:30.000Z");
    expect(isoDateTime(null)).toBeUndefined();
  });

  it("makes one formatter per set of options and reuses it", () => {
    formatDateTime(MOMENT, "—", "Pacific/Auckland");
    formatDate(MOMENT);
    const made = cachedFormatterCount();
    for (let index = 0; index < 50; index++) {
      formatDateTime(MOMENT, "—", "Pacific/Auckland");
      formatDate(MOMENT);
    }
    expect(cachedFormatterCount()).toBe(made);
    expect(dateFormatter({ timeZone: "UTC", dateStyle: "short" })).toBe(
      dateFormatter({ dateStyle: "short", timeZone: "UTC" }),
    );
    expect(dateFormatter({ dateStyle: "short", timeZone: "UTC" })).not.toBe(
      dateFormatter({ dateStyle: "long", timeZone: "UTC" }),
    );
  });

  it("formats a moment once per style and zone, and prints the kept text after that", () => {
    const Original = Intl.DateTimeFormat;
    let calls = 0;
    // A zone nothing else formats in, so its formatter is made under this spy.
    Intl.DateTimeFormat = class extends Original {
      override format(date?: Date | number) {
        calls += 1;
        return super.format(date);
      }
    } as typeof Intl.DateTimeFormat;
    try {
      const moment = new Date(Date.UTC(2026, 0, 2, 3, 4));
      for (let index = 0; index < 20; index++) {
        expect(formatDate(moment, "—", "Asia/Tokyo")).toBe("2 Jan 2026");
      }
      expect(calls).toBe(1);
      // Another instant is formatted, not mistaken for the kept one.
      const nextDay = new Date(Date.UTC(2026, 0, 3, 3, 4));
      expect(formatDate(nextDay, "—", "Asia/Tokyo")).toBe("3 Jan 2026");
      expect(calls).toBe(2);
    } finally {
      Intl.DateTimeFormat = Original;
    }
  });

  it("knows no viewer time zone outside a browser (the server renders UTC)", () => {
    expect(viewerTimeZone()).toBeNull();
  });
});
