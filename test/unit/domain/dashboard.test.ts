import { describe, expect, it } from "vitest";
import { buildBarChart } from "~/domain/dashboard/bar-chart";
import {
  DAY_MS,
  dayWindow,
  seriesTotal,
  utcDayNumber,
  windowStart,
  zeroFilledSeries,
} from "~/domain/dashboard/daily-series";
import { auditArchiveState, cronPeriodMs, jobHealth } from "~/domain/dashboard/health";

const NOW = new Date(Date.UTC(2031, 2, 15, 23, 59)); // 15 Mar 2031, a minute before midnight UTC
const day = (month: number, date: number) => utcDayNumber(Date.UTC(2031, month, date));

describe("the dashboard's 30-day window", () => {
  it("covers the 30 UTC days up to and including today's", () => {
    const window = dayWindow(NOW);
    expect(window.lastDay).toBe(day(2, 15));
    expect(window.lastDay - window.firstDay + 1).toBe(30);
    expect(windowStart(window)).toEqual(new Date(Date.UTC(2031, 1, 14)));
    // Midnight UTC starts the next day, whatever the server's zone.
    expect(dayWindow(new Date(Date.UTC(2031, 2, 16))).lastDay).toBe(day(2, 16));
  });

  it("zero-fills every day, adds up rows of one day and drops rows outside the window", () => {
    const window = dayWindow(NOW);
    const series = zeroFilledSeries(window, [
      { day: day(1, 14), value: 2 }, // the first day
      { day: day(2, 1), value: 3 },
      { day: day(2, 1), value: 4 },
      { day: day(2, 15), value: 1 }, // today
      { day: day(1, 13), value: 100 }, // the day before the window
      { day: day(2, 16), value: 100 }, // tomorrow
    ]);
    expect(series).toHaveLength(30);
    expect(series[0]).toEqual({ at: Date.UTC(2031, 1, 14), value: 2 });
    expect(series.at(-1)).toEqual({ at: Date.UTC(2031, 2, 15), value: 1 });
    expect(series.find((point) => point.at === Date.UTC(2031, 2, 1))?.value).toBe(7);
    expect(series.filter((point) => point.value === 0)).toHaveLength(27);
    expect(series.every((point, index) => point.at === series[0]!.at + index * DAY_MS)).toBe(true);
    expect(seriesTotal(series)).toBe(10);
  });
});

describe("buildBarChart", () => {
  it("draws one bar per day, the tallest reaching the top, zero days flat on the axis", () => {
    const series = zeroFilledSeries(dayWindow(NOW), [
      { day: day(2, 1), value: 8 },
      { day: day(2, 2), value: 2 },
    ]);
    const chart = buildBarChart(series, { width: 400, height: 180 });
    expect(chart.bars).toHaveLength(30);
    const tallest = chart.bars.find((bar) => bar.value === 8)!;
    const small = chart.bars.find((bar) => bar.value === 2)!;
    expect(tallest.y).toBe(12); // the top padding
    expect(small.height).toBeCloseTo(tallest.height / 4, 0);
    expect(chart.bars[0]!.height).toBe(0);
    expect(chart.yTicks.map((tick) => tick.value)).toEqual([0, 2, 4, 6, 8]);
    expect(chart.xLabels.map((label) => label.at)).toEqual([series[0]!.at, series.at(-1)!.at]);
    const lastBar = chart.bars.at(-1)!;
    expect(lastBar.x + lastBar.width).toBeLessThanOrEqual(400 - 12);
  });
});

describe("job health", () => {
  const jobs = [
    { name: "hourly-ok", cron: "0 * * * *" },
    { name: "daily-failing", cron: "30 3 * * *" },
    { name: "hourly-late", cron: "0 * * * *" },
    { name: "new-job", cron: "30 3 * * *" },
  ];
  const run = (job: string, finishedAgoMs: number, ok: boolean, lastSuccessAt: Date | null) => ({
    job,
    lastStartedAt: new Date(NOW.getTime() - finishedAgoMs - 10),
    lastFinishedAt: new Date(NOW.getTime() - finishedAgoMs),
    lastOk: ok,
    lastDurationMs: 10,
    lastError: ok ? null : "boom",
    lastSuccessAt,
  });

  it("lists every registered job: ok, failing since its last success, late, or never ran", () => {
    const since = new Date(Date.UTC(2031, 2, 10));
    const health = jobHealth(
      jobs,
      [
        run("hourly-ok", 30 * 60_000, true, NOW),
        run("daily-failing", 60_000, false, since),
        run("hourly-late", 3 * 3_600_000, true, NOW),
        run("retired-job", 0, true, NOW),
      ],
      NOW,
    );
    expect(health.map((job) => [job.name, job.state])).toEqual([
      ["hourly-ok", "ok"],
      ["daily-failing", "failing"],
      ["hourly-late", "late"],
      ["new-job", "never"],
    ]);
    expect(health[1]).toMatchObject({ lastSuccessAt: since, lastError: "boom" });
    expect(health[3]).toMatchObject({ lastFinishedAt: null, lastSuccessAt: null });
  });

  it("reads the period from the cron expression", () => {
    expect(cronPeriodMs("0 * * * *")).toBe(3_600_000);
    expect(cronPeriodMs("30 3 * * *")).toBe(DAY_MS);
  });
});

describe("audit archive state", () => {
  it("is behind when rows older than the retention window (plus a day) are still live", () => {
    const state = (ageDays: number) =>
      auditArchiveState({
        lastArchive: null,
        oldestLiveAt: new Date(NOW.getTime() - ageDays * DAY_MS),
        now: NOW,
        retentionDays: 180,
      });
    expect(state(181)).toMatchObject({ oldestLiveAgeDays: 181, behind: false });
    expect(state(182)).toMatchObject({ oldestLiveAgeDays: 182, behind: true });
    expect(state(-0.001)).toMatchObject({ oldestLiveAgeDays: 0, behind: false }); // clock skew
    expect(
      auditArchiveState({ lastArchive: null, oldestLiveAt: null, now: NOW, retentionDays: 180 }),
    ).toEqual({
      retentionDays: 180,
      lastArchivedDay: null,
      lastArchivedRows: null,
      lastArchiveVerified: false,
      oldestLiveAgeDays: null,
      behind: false,
    });
  });

  it("reports the newest archived day, its rows and whether it was verified", () => {
    const rangeStart = new Date(Date.UTC(2030, 8, 1));
    expect(
      auditArchiveState({
        lastArchive: { rangeStart, rowCount: 42, verifiedAt: NOW },
        oldestLiveAt: null,
        now: NOW,
        retentionDays: 90,
      }),
    ).toMatchObject({
      retentionDays: 90,
      lastArchivedDay: rangeStart,
      lastArchivedRows: 42,
      lastArchiveVerified: true,
    });
  });
});
