import { describe, expect, it } from "vitest";
import { PROJECT_PHASES, type ProjectPhase } from "#db/schema/enums";
import {
  availablePhaseChanges,
  planPhaseChange,
  type PhaseChange,
  type PhaseState,
} from "~/domain/projects/phases";

/** Every state a project can be in, as the machine sees it. */
const STATES: Record<string, PhaseState> = {
  request: { phase: "DESIGN", status: "ACTIVE", pausedFromPhase: null, accepted: false },
  DESIGN: { phase: "DESIGN", status: "ACTIVE", pausedFromPhase: null, accepted: true },
  BUILD: { phase: "BUILD", status: "ACTIVE", pausedFromPhase: null, accepted: true },
  POST_LAUNCH: { phase: "POST_LAUNCH", status: "ACTIVE", pausedFromPhase: null, accepted: true },
  "PAUSED from BUILD": {
    phase: "PAUSED",
    status: "PAUSED",
    pausedFromPhase: "BUILD",
    accepted: true,
  },
  COMPLETED: { phase: "COMPLETED", status: "COMPLETED", pausedFromPhase: null, accepted: true },
  "CANCELLED in BUILD": {
    phase: "BUILD",
    status: "CANCELLED",
    pausedFromPhase: null,
    accepted: true,
  },
  declined: { phase: "DESIGN", status: "CANCELLED", pausedFromPhase: null, accepted: false },
};

/** Every change: an advance to each phase, and the other moves. */
const CHANGES: Record<string, PhaseChange> = {
  ...Object.fromEntries(
    PROJECT_PHASES.map((to) => [`advance to ${to}`, { kind: "advance", to } as PhaseChange]),
  ),
  pause: { kind: "pause", reason: "Waiting for the client's content" },
  resume: { kind: "resume" },
  cancel: { kind: "cancel", reason: "The client stopped the project" },
  reopen: { kind: "reopen" },
};

/** The legal moves and where they lead: [phase, status, stint opened]. Everything else is refused. */
const LEGAL: Record<string, Record<string, [ProjectPhase, string, ProjectPhase | null]>> = {
  request: {},
  DESIGN: {
    "advance to BUILD": ["BUILD", "ACTIVE", "BUILD"],
    pause: ["PAUSED", "PAUSED", "PAUSED"],
    cancel: ["DESIGN", "CANCELLED", null],
  },
  BUILD: {
    "advance to POST_LAUNCH": ["POST_LAUNCH", "ACTIVE", "POST_LAUNCH"],
    pause: ["PAUSED", "PAUSED", "PAUSED"],
    cancel: ["BUILD", "CANCELLED", null],
  },
  POST_LAUNCH: {
    "advance to COMPLETED": ["COMPLETED", "COMPLETED", "COMPLETED"],
    pause: ["PAUSED", "PAUSED", "PAUSED"],
    cancel: ["POST_LAUNCH", "CANCELLED", null],
  },
  "PAUSED from BUILD": {
    resume: ["BUILD", "ACTIVE", "BUILD"],
    cancel: ["BUILD", "CANCELLED", null],
  },
  COMPLETED: { reopen: ["POST_LAUNCH", "ACTIVE", "POST_LAUNCH"] },
  "CANCELLED in BUILD": {},
  declined: {},
};

const cases = Object.keys(STATES).flatMap((state) =>
  Object.keys(CHANGES).map((change) => [state, change] as const),
);

describe("the phase machine, every state × every change", () => {
  it.each(cases)("%s, %s", (stateName, changeName) => {
    const state = STATES[stateName]!;
    const result = planPhaseChange(state, CHANGES[changeName]!);
    const legal = LEGAL[stateName]![changeName];
    if (legal) {
      expect(result.ok, result.ok ? "" : result.message).toBe(true);
      if (!result.ok) return;
      expect([result.to, result.status, result.opensStint]).toEqual(legal);
      expect(result.from).toBe(state.phase);
    } else {
      expect(result.ok).toBe(false);
      if (result.ok) return;
      // A sentence a person reads, not a code.
      expect(result.message).toMatch(/^[A-Z].*[.)]$/);
      expect(result.kind).toBe("conflict");
    }
  });

  it("pauses with the phase it left and comes back to exactly that phase", () => {
    const paused = planPhaseChange(STATES.BUILD!, { kind: "pause", reason: "Holiday" });
    expect(paused).toMatchObject({
      ok: true,
      to: "PAUSED",
      pausedFromPhase: "BUILD",
      reason: "Holiday",
    });
    const resumed = planPhaseChange(
      { phase: "PAUSED", status: "PAUSED", pausedFromPhase: "BUILD", accepted: true },
      { kind: "resume" },
    );
    expect(resumed).toMatchObject({ ok: true, to: "BUILD", status: "ACTIVE" });
  });

  it("needs a reason to pause or cancel", () => {
    for (const kind of ["pause", "cancel"] as const) {
      const result = planPhaseChange(STATES.DESIGN!, { kind, reason: "   " });
      expect(result).toMatchObject({ ok: false, kind: "invalid", field: "reason" });
    }
  });

  it("explains why a skip or a step back is refused", () => {
    const skip = planPhaseChange(STATES.DESIGN!, { kind: "advance", to: "POST_LAUNCH" });
    expect(skip).toMatchObject({
      ok: false,
      message: "A project in DESIGN moves on to BUILD, not to POST LAUNCH.",
    });
    const completed = planPhaseChange(STATES.COMPLETED!, { kind: "advance", to: "DESIGN" });
    expect(completed).toMatchObject({ ok: false, reason: "completed" });
    expect(!completed.ok && completed.message).toMatch(/REOPEN_PROJECT/);
  });

  it("offers on the page exactly the moves it accepts", () => {
    for (const [name, state] of Object.entries(STATES)) {
      const offered = availablePhaseChanges(state).map((move) =>
        move.kind === "advance" ? `advance to ${move.to}` : move.kind,
      );
      const legal = Object.keys(LEGAL[name]!).filter((change) => change !== "reopen");
      expect(offered.sort(), name).toEqual(legal.sort());
    }
  });
});
