import { describe, expect, it } from "vitest";
import type { BackupStatus, BackupTrigger } from "#db/schema/enums";
import { isoWeekKey, planRetention, type RetentionCandidate } from "~/domain/backups/retention";

const DAY = 86_400_000;
const NOW = new Date("2026-11-30T12:00:00Z");

const backup = (
  id: string,
  daysAgo: number,
  trigger: BackupTrigger = "SCHEDULED",
  status: BackupStatus = "COMPLETED",
): RetentionCandidate => ({
  id,
  trigger,
  status,
  createdAt: new Date(NOW.getTime() - daysAgo * DAY),
});

const kept = (backups: RetentionCandidate[]) =>
  planRetention(backups, NOW)
    .keep.map((entry) => entry.id)
    .sort();

describe("isoWeekKey", () => {
  it("numbers weeks the ISO way, across year ends", () => {
    expect(isoWeekKey(new Date("2026-11-30T00:00:00Z"))).toBe("2026-W49");
    expect(isoWeekKey(new Date("2026-01-01T00:00:00Z"))).toBe("2026-W01");
    expect(isoWeekKey(new Date("2027-01-01T00:00:00Z"))).toBe("2026-W53");
    expect(isoWeekKey(new Date("2024-12-30T00:00:00Z"))).toBe("2025-W01");
  });
});

describe("planRetention", () => {
  it("keeps 7 daily, 4 weekly and 12 monthly of a year of daily backups", () => {
    const year = Array.from({ length: 400 }, (_, day) => backup(`d${day}`, day + 0.1));
    const plan = planRetention(year, NOW);
    const reasons = new Map(plan.keep.map((entry) => [entry.id, entry.reasons]));
    for (let day = 0; day < 7; day++) expect(reasons.get(`d${day}`)).toContain("daily");
    expect(plan.keep.filter((entry) => entry.reasons.includes("daily"))).toHaveLength(7);
    expect(plan.keep.filter((entry) => entry.reasons.includes("weekly"))).toHaveLength(4);
    expect(plan.keep.filter((entry) => entry.reasons.includes("monthly"))).toHaveLength(12);
    // Overlaps: the newest backup is daily, weekly and monthly at once.
    expect(reasons.get("d0")).toEqual(["daily", "weekly", "monthly"]);
    expect(plan.keep.length + plan.prune.length).toBe(400);
    expect(plan.keep.length).toBeLessThanOrEqual(7 + 4 + 12);
    expect(plan.keep.length).toBeGreaterThanOrEqual(12 + 7 - 2);
  });

  it("keeps the newest of a day, not every backup of it", () => {
    expect(kept([backup("early", 1.4), backup("late", 1.2), backup("today", 0.1)])).toEqual([
      "late",
      "today",
    ]);
  });

  it("never prunes the last backups just because backups stopped being taken", () => {
    const stale = Array.from({ length: 10 }, (_, index) => backup(`s${index}`, 200 + index));
    expect(kept(stale)).toEqual(
      ["s0", "s1", "s2", "s3", "s4", "s5", "s6"].sort(), // the 7 most recent days that have one
    );
  });

  it("keeps pre-deployment backups for 30 days, outside the daily/weekly/monthly count", () => {
    const backups = [
      backup("deploy-recent", 29.9, "PRE_DEPLOYMENT"),
      backup("deploy-old", 30.1, "PRE_DEPLOYMENT"),
      backup("daily", 0.5),
    ];
    expect(kept(backups)).toEqual(["daily", "deploy-recent"]);
    const plan = planRetention(backups, NOW);
    expect(plan.keep.find((entry) => entry.id === "deploy-recent")!.reasons).toEqual([
      "pre-deployment",
    ]);
  });

  it("counts manual backups like scheduled ones", () => {
    expect(kept([backup("manual", 0.2, "MANUAL"), backup("scheduled", 0.4)])).toEqual(["manual"]);
  });

  it("keeps failed backups for 7 days and running ones always; neither counts as a daily", () => {
    const backups = [
      backup("failed-recent", 6, "SCHEDULED", "FAILED"),
      backup("failed-old", 8, "SCHEDULED", "FAILED"),
      backup("running", 3, "MANUAL", "IN_PROGRESS"),
      backup("pending", 40, "SCHEDULED", "PENDING"),
      backup("completed", 9),
    ];
    expect(kept(backups)).toEqual(["completed", "failed-recent", "pending", "running"]);
  });
});
