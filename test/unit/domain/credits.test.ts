import { describe, expect, it } from "vitest";
import { buildBalanceChart } from "~/domain/credits/chart";
import { checkLedgerRows, type LedgerRow } from "~/domain/credits/ledger";
import { rolloverCredits, TIERS } from "~/domain/memberships/tiers";

const row = (
  type: LedgerRow["type"],
  amount: number,
  balance: number,
  id = `${type}-${balance}`,
  paidBalance = 0,
) => ({
  id,
  type,
  amount,
  balance,
  paidBalance,
});

describe("checkLedgerRows", () => {
  const healthy = [
    row("INITIAL_ALLOCATION", 10, 10),
    row("USAGE", -3, 7),
    row("EXPIRY", -7, 0),
    row("ROLLOVER", 5, 5),
    row("RENEWAL", 10, 15),
  ];

  it("accepts a consistent ledger whose last balance is total − used", () => {
    expect(
      checkLedgerRows(healthy, { totalCredits: 15, usedCredits: 0, paidCredits: 0 }, 5),
    ).toEqual({
      ok: true,
      rows: 5,
      problems: [],
    });
  });

  it("finds a broken balance chain", () => {
    const broken = [row("INITIAL_ALLOCATION", 10, 10), row("USAGE", -3, 8)];
    const check = checkLedgerRows(broken, { totalCredits: 10, usedCredits: 2, paidCredits: 0 }, 5);
    expect(check.ok).toBe(false);
    expect(check.problems[0]).toMatch(/balance 8 ≠ 10 \+ -3/);
  });

  it("finds a last balance that disagrees with the membership", () => {
    const check = checkLedgerRows(healthy, { totalCredits: 15, usedCredits: 1, paidCredits: 0 }, 5);
    expect(check.problems).toEqual([expect.stringMatching(/last balance is 15.*holds 14/)]);
  });

  it("finds a negative balance", () => {
    const check = checkLedgerRows(
      [row("INITIAL_ALLOCATION", 2, 2), row("USAGE", -3, -1)],
      { totalCredits: 2, usedCredits: 3, paidCredits: 0 },
      5,
    );
    expect(check.problems).toContainEqual(expect.stringMatching(/negative balance/));
  });

  it("finds a rollover above the cap or above what expired", () => {
    const overCap = [
      row("INITIAL_ALLOCATION", 10, 10),
      row("EXPIRY", -10, 0),
      row("ROLLOVER", 8, 8),
    ];
    expect(
      checkLedgerRows(overCap, { totalCredits: 8, usedCredits: 0, paidCredits: 0 }, 5).problems,
    ).toEqual([expect.stringMatching(/exceeds the cap of 5/)]);
    const fromNowhere = [row("INITIAL_ALLOCATION", 10, 10), row("ROLLOVER", 3, 13)];
    expect(
      checkLedgerRows(fromNowhere, { totalCredits: 13, usedCredits: 0, paidCredits: 0 }, 5)
        .problems,
    ).toEqual([expect.stringMatching(/more than the credits that expired/)]);
  });
});

describe("checkLedgerRows: the paid bucket (ADR 0010)", () => {
  const paid = (type: LedgerRow["type"], amount: number, balance: number, paidBalance: number) =>
    row(type, amount, balance, `${type}-${balance}-${paidBalance}`, paidBalance);

  it("accepts a pack kept whole through a renewal, period credits spent first", () => {
    const rows = [
      paid("INITIAL_ALLOCATION", 10, 10, 0),
      paid("TOP_UP", 25, 35, 25),
      paid("USAGE", -4, 31, 25),
      paid("EXPIRY", -6, 25, 25),
      paid("ROLLOVER", 5, 30, 25),
      paid("RENEWAL", 10, 40, 25),
      paid("USAGE", -20, 20, 20),
    ];
    const check = checkLedgerRows(rows, { totalCredits: 40, usedCredits: 20, paidCredits: 20 }, 5);
    expect(check.problems).toEqual([]);
  });

  it("finds a renewal that expired paid credits", () => {
    const rows = [
      paid("INITIAL_ALLOCATION", 10, 10, 0),
      paid("TOP_UP", 25, 35, 25),
      paid("EXPIRY", -35, 0, 0),
    ];
    const check = checkLedgerRows(rows, { totalCredits: 0, usedCredits: 0, paidCredits: 0 }, 5);
    expect(check.ok).toBe(true); // an erased account's forfeit (balance 0) may empty it …
    const partial = [...rows.slice(0, 2), paid("EXPIRY", -20, 15, 15)];
    expect(
      checkLedgerRows(partial, { totalCredits: 15, usedCredits: 0, paidCredits: 15 }, 5).problems,
    ).toEqual([expect.stringMatching(/paid part 15 does not follow from 25/)]); // … a renewal not
  });

  it("finds a spend that took paid credits while period credits were left", () => {
    const rows = [
      paid("INITIAL_ALLOCATION", 10, 10, 0),
      paid("TOP_UP", 25, 35, 25),
      paid("USAGE", -5, 30, 20),
    ];
    const check = checkLedgerRows(rows, { totalCredits: 35, usedCredits: 5, paidCredits: 20 }, 5);
    expect(check.problems).toEqual([expect.stringMatching(/paid part 20 does not follow from 25/)]);
  });

  it("finds a paid part above the balance and a membership that disagrees", () => {
    const rows = [paid("TOP_UP", 10, 10, 10), paid("USAGE", -5, 5, 10)];
    const check = checkLedgerRows(rows, { totalCredits: 10, usedCredits: 5, paidCredits: 7 }, 5);
    expect(check.problems).toEqual([
      expect.stringMatching(/paid part 10 outside 0…5/),
      expect.stringMatching(/last paid part is 10, but the membership holds 7/),
    ]);
  });
});

describe("rolloverCredits", () => {
  it("carries min(remaining, cap), never negative", () => {
    expect(rolloverCredits(7, 5)).toBe(5);
    expect(rolloverCredits(3, 5)).toBe(3);
    expect(rolloverCredits(0, 5)).toBe(0);
    expect(rolloverCredits(-2, 5)).toBe(0);
  });

  it("has every tier's cap below its allocation", () => {
    for (const tier of Object.values(TIERS)) {
      expect(tier.rolloverCap).toBeLessThanOrEqual(tier.creditsPerPeriod);
      expect(Number.isInteger(tier.priceCents)).toBe(true);
    }
  });
});

describe("buildBalanceChart", () => {
  it("draws a step line through every balance, scaled to the highest", () => {
    const chart = buildBalanceChart(
      [
        { at: 0, balance: 10, type: "INITIAL_ALLOCATION" },
        { at: 1000, balance: 0, type: "EXPIRY" },
        { at: 1000, balance: 5, type: "ROLLOVER" },
        { at: 1000, balance: 15, type: "RENEWAL" },
      ],
      { width: 640, height: 220 },
    );
    expect(chart.max).toBe(15);
    expect(chart.dots.map((dot) => dot.balance)).toEqual([10, 0, 5, 15]);
    expect(chart.dots[3]!.y).toBe(12); // the top padding: the highest balance
    expect(chart.dots[1]!.y).toBe(192); // the baseline
    expect(chart.path.startsWith("M")).toBe(true);
    expect(chart.path.match(/H/g)).toHaveLength(3);
    // Rows at the same instant still move right, in order.
    expect(chart.dots[2]!.x).toBeGreaterThan(chart.dots[1]!.x);
    expect(chart.yTicks[0]).toEqual({ y: 192, value: 0 });
  });

  it("draws nothing without rows", () => {
    expect(buildBalanceChart([])).toMatchObject({ path: "", dots: [], xLabels: [] });
  });
});
