import { describe, expect, it } from "vitest";
import {
  ADD_ON_STATUSES,
  ADD_ON_TYPES,
  type AddOnStatus,
  type ProjectPhase,
} from "#db/schema/enums";
import {
  ADD_ONS,
  ADD_ON_MOVES,
  availableAddOns,
  checkAddOnRequest,
  extraRevisionPhase,
  planAddOnMove,
  rushedDeadline,
  type AddOnMove,
} from "~/domain/projects/add-ons";
import { deadlineState, describeDeadline, parseDeadlineDate } from "~/domain/projects/deadlines";
import { checkRevisionRequest, revisionAllowances } from "~/domain/projects/revisions";
import { formatDuration, timeInPhases } from "~/domain/projects/time-in-phase";

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe("revision caps", () => {
  const project = (phase: "DESIGN" | "BUILD" | "POST_LAUNCH", used: [number, number]) => ({
    phase,
    status: "ACTIVE" as const,
    accepted: true,
    designRevisionsUsed: used[0],
    designRevisionsMax: 2,
    buildRevisionsUsed: used[1],
    buildRevisionsMax: 1,
  });

  const table: Array<[string, ReturnType<typeof project>, string | null]> = [
    ["DESIGN, none used", project("DESIGN", [0, 0]), null],
    ["DESIGN, one of two used", project("DESIGN", [1, 0]), null],
    ["DESIGN, both used", project("DESIGN", [2, 0]), "revision-cap"],
    ["BUILD, none used", project("BUILD", [2, 0]), null],
    ["BUILD, its one used", project("BUILD", [0, 1]), "revision-cap"],
    ["POST_LAUNCH", project("POST_LAUNCH", [0, 0]), "not-revisable"],
  ];
  it.each(table)("%s", (_name, input, refusal) => {
    const result = checkRevisionRequest(input);
    if (refusal === null) expect(result.ok).toBe(true);
    else expect(result).toMatchObject({ ok: false, reason: refusal });
  });

  it("offers an EXTRA_REVISION past the cap", () => {
    const result = checkRevisionRequest(project("DESIGN", [2, 0]));
    expect(!result.ok && result.message).toBe(
      "You've used all 2 revisions of the DESIGN phase; an EXTRA_REVISION add-on buys one more.",
    );
  });

  it("refuses revisions before acceptance and while paused", () => {
    expect(checkRevisionRequest({ ...project("DESIGN", [0, 0]), accepted: false })).toMatchObject({
      reason: "not-active",
    });
    expect(checkRevisionRequest({ ...project("DESIGN", [0, 0]), status: "PAUSED" })).toMatchObject({
      reason: "not-active",
    });
  });

  it("shows used and left per phase", () => {
    expect(revisionAllowances(project("BUILD", [1, 1]))).toEqual([
      { phase: "DESIGN", used: 1, max: 2, left: 1 },
      { phase: "BUILD", used: 1, max: 1, left: 0 },
    ]);
  });
});

describe("time in phase", () => {
  const t0 = Date.UTC(2026, 0, 1);
  it("sums every stint of a phase, the open one up to now", () => {
    const times = timeInPhases(
      [
        { phase: "BUILD", startedAt: new Date(t0 + 3 * DAY), completedAt: new Date(t0 + 5 * DAY) },
        { phase: "DESIGN", startedAt: new Date(t0), completedAt: new Date(t0 + 3 * DAY) },
        { phase: "PAUSED", startedAt: new Date(t0 + 5 * DAY), completedAt: new Date(t0 + 6 * DAY) },
        { phase: "BUILD", startedAt: new Date(t0 + 6 * DAY), completedAt: null },
      ],
      t0 + 6 * DAY + 12 * HOUR,
    );
    expect(times.stints.map((entry) => entry.stint.phase)).toEqual([
      "DESIGN",
      "BUILD",
      "PAUSED",
      "BUILD",
    ]);
    expect(times.byPhase).toEqual({
      DESIGN: 3 * DAY,
      BUILD: 2 * DAY + 12 * HOUR,
      POST_LAUNCH: 0,
      COMPLETED: 0,
      PAUSED: DAY,
    });
    expect(times.workingMs).toBe(5 * DAY + 12 * HOUR);
    expect(times.stints.at(-1)).toMatchObject({ open: true, ms: 12 * HOUR });
  });

  it.each([
    [30 * 60_000, "under an hour"],
    [HOUR, "1 hour"],
    [5 * HOUR, "5 hours"],
    [DAY, "1 day"],
    [3 * DAY + 4 * HOUR, "3 days 4 hours"],
  ])("formats %d ms as %s", (ms, words) => {
    expect(formatDuration(ms)).toBe(words);
  });
});

describe("deadlines", () => {
  const now = new Date("2026-06-10T15:00:00Z");
  const at = (date: string) => new Date(`${date}T00:00:00Z`);
  it.each([
    ["2026-06-22", "ACTIVE", "12 days left"],
    ["2026-06-11", "ACTIVE", "1 day left"],
    ["2026-06-10", "ACTIVE", "due today"],
    ["2026-06-07", "ACTIVE", "3 days overdue"],
    ["2026-06-07", "PAUSED", "3 days overdue"],
    ["2026-06-07", "COMPLETED", ""],
    ["2026-06-07", "CANCELLED", ""],
  ] as const)("%s while %s: %s", (deadline, status, words) => {
    expect(describeDeadline(deadlineState({ deadline: at(deadline), status }, now))).toBe(words);
  });

  it("reads only real calendar dates", () => {
    expect(parseDeadlineDate("2026-02-30")).toBeNull();
    expect(parseDeadlineDate("next week")).toBeNull();
    expect(parseDeadlineDate("2026-02-28")).toEqual(at("2026-02-28"));
  });
});

describe("the add-on price list", () => {
  it("prices every add-on in whole credits, CUSTOM by staff", () => {
    for (const type of ADD_ON_TYPES) {
      const { credits } = ADD_ONS[type];
      if (type === "CUSTOM") expect(credits).toBeNull();
      else expect(Number.isInteger(credits) && credits! > 0, type).toBe(true);
    }
  });

  it("offers each add-on only in the phases it makes sense in", () => {
    const offered = (phase: ProjectPhase) =>
      availableAddOns({
        phase,
        status: phase === "PAUSED" ? "PAUSED" : phase === "COMPLETED" ? "COMPLETED" : "ACTIVE",
        accepted: true,
      }).map((config) => config.type);
    expect(offered("DESIGN")).toContain("EXTRA_REVISION");
    expect(offered("POST_LAUNCH")).not.toContain("EXTRA_REVISION");
    expect(offered("COMPLETED")).toContain("REOPEN_PROJECT");
    expect(offered("BUILD")).not.toContain("REOPEN_PROJECT");
    expect(
      checkAddOnRequest({ phase: "BUILD", status: "CANCELLED", accepted: true }, "SUPPORT_CALL"),
    ).toMatchObject({ ok: false, reason: "not-active" });
    expect(
      checkAddOnRequest({ phase: "DESIGN", status: "ACTIVE", accepted: false }, "SUPPORT_CALL"),
    ).toMatchObject({ ok: false, reason: "not-active" });
  });
});

describe("the add-on's own life", () => {
  const moves = Object.keys(ADD_ON_MOVES) as AddOnMove[];
  /** [status, move] pairs that are legal for a reserved (non-CUSTOM) add-on. */
  const LEGAL: Record<AddOnStatus, AddOnMove[]> = {
    PENDING: ["approve", "reject", "withdraw"],
    APPROVED: ["start", "reject"],
    IN_PROGRESS: ["complete"],
    COMPLETED: [],
    REJECTED: [],
  };
  const cases = ADD_ON_STATUSES.flatMap((status) => moves.map((move) => [status, move] as const));

  it.each(cases)("a reserved CONTENT_EDIT that is %s: %s", (status, move) => {
    const result = planAddOnMove(
      { type: "CONTENT_EDIT", status, creditCost: 6, reserved: true },
      move,
    );
    expect(result.ok, result.ok ? "" : result.message).toBe(LEGAL[status].includes(move));
    if (!result.ok) expect(result.message).toMatch(/^[A-Z].*\.$/);
  });

  it("prices a CUSTOM add-on, then the client confirms, then staff may approve", () => {
    const unpriced = {
      type: "CUSTOM" as const,
      status: "PENDING" as const,
      creditCost: null,
      reserved: false,
    };
    expect(planAddOnMove(unpriced, "approve")).toMatchObject({ ok: false, reason: "not-priced" });
    expect(planAddOnMove(unpriced, "confirm")).toMatchObject({ ok: false, reason: "not-priced" });
    expect(planAddOnMove(unpriced, "price").ok).toBe(true);
    const priced = { ...unpriced, creditCost: 3 };
    expect(planAddOnMove(priced, "approve")).toMatchObject({ ok: false, reason: "not-confirmed" });
    expect(planAddOnMove(priced, "confirm").ok).toBe(true);
    expect(planAddOnMove({ ...priced, reserved: true }, "approve").ok).toBe(true);
    expect(planAddOnMove({ ...priced, reserved: true }, "price").ok).toBe(false);
    expect(
      planAddOnMove(
        { type: "SUPPORT_CALL", status: "PENDING", creditCost: 4, reserved: true },
        "price",
      ),
    ).toMatchObject({ ok: false, reason: "not-custom" });
  });

  it("adds an extra revision to the phase the project is in, or paused from", () => {
    expect(extraRevisionPhase({ phase: "DESIGN", pausedFromPhase: null })).toBe("DESIGN");
    expect(extraRevisionPhase({ phase: "PAUSED", pausedFromPhase: "DESIGN" })).toBe("DESIGN");
    expect(extraRevisionPhase({ phase: "POST_LAUNCH", pausedFromPhase: null })).toBe("BUILD");
  });

  it("moves a rushed deadline a week earlier, never before today or the start", () => {
    const now = new Date("2026-06-10T15:00:00Z");
    const start = new Date("2026-06-01T00:00:00Z");
    const rushed = (deadline: string) =>
      rushedDeadline(
        { deadline: new Date(`${deadline}T00:00:00Z`), startDate: start },
        now,
      )?.toISOString();
    expect(rushed("2026-07-01")).toBe("2026-06-24T00:00:00.000Z");
    expect(rushed("2026-06-12")).toBe("2026-06-10T00:00:00.000Z");
    expect(rushedDeadline({ deadline: null, startDate: start }, now)).toBeNull();
  });
});
