import type { ProjectPhase, ServiceStatus } from "#db/schema/enums";
import { refuse, type Result } from "~/domain/refusal";

/**
 * The phase machine of a client project (docs/architecture.md §10), pure and table-driven:
 * DESIGN → BUILD → POST_LAUNCH → COMPLETED, one step at a time; PAUSED (with a reason) from any
 * open phase and back to exactly the phase it left; CANCELLED by staff (with a reason) from any
 * phase that is not over; COMPLETED reopens only through a REOPEN_PROJECT add-on. Every illegal
 * move is refused with a sentence.
 */

/** The phases work happens in; PAUSED and COMPLETED are the other two. */
export const OPEN_PHASES = ["DESIGN", "BUILD", "POST_LAUNCH"] as const satisfies ProjectPhase[];
export type OpenPhase = (typeof OPEN_PHASES)[number];

export const isOpenPhase = (phase: ProjectPhase): phase is OpenPhase =>
  (OPEN_PHASES as readonly ProjectPhase[]).includes(phase);

/** Where `advance` goes from each phase; null: nowhere by a plain move. */
export const NEXT_PHASE: Readonly<Record<ProjectPhase, ProjectPhase | null>> = {
  DESIGN: "BUILD",
  BUILD: "POST_LAUNCH",
  POST_LAUNCH: "COMPLETED",
  COMPLETED: null,
  PAUSED: null,
};

/** The phase a reopened project returns to (it completed from POST_LAUNCH). */
export const REOPEN_PHASE: OpenPhase = "POST_LAUNCH";

/** The status that goes with each phase while the project is not cancelled. */
export const STATUS_OF_PHASE: Readonly<Record<ProjectPhase, ServiceStatus>> = {
  DESIGN: "ACTIVE",
  BUILD: "ACTIVE",
  POST_LAUNCH: "ACTIVE",
  PAUSED: "PAUSED",
  COMPLETED: "COMPLETED",
};

/** What a project looks like to the machine. */
export interface PhaseState {
  phase: ProjectPhase;
  status: ServiceStatus;
  pausedFromPhase: ProjectPhase | null;
  /** False while the request waits for staff. */
  accepted: boolean;
}

/** The staff moves (and `reopen`, which only a completed REOPEN_PROJECT add-on makes). */
export type PhaseChange =
  | { kind: "advance"; to: ProjectPhase }
  | { kind: "pause"; reason: string }
  | { kind: "resume" }
  | { kind: "cancel"; reason: string }
  | { kind: "reopen" };
export type PhaseChangeKind = PhaseChange["kind"];

export type PhaseRefusal =
  | "not-accepted"
  | "cancelled"
  | "completed"
  | "paused"
  | "not-next"
  | "not-paused"
  | "reason-missing"
  | "not-completed";

/** The project after the change, and the stint the change opens (null: none, it was cancelled). */
export interface PhasePlan {
  from: ProjectPhase;
  to: ProjectPhase;
  status: ServiceStatus;
  pausedFromPhase: OpenPhase | null;
  opensStint: ProjectPhase | null;
  /** Stored on the closed stint and the audit row: the pause or cancel reason. */
  reason: string | null;
}

const label = (phase: ProjectPhase) => phase.replace("_", " ");

function plan(
  state: PhaseState,
  to: ProjectPhase,
  extra: Partial<Pick<PhasePlan, "pausedFromPhase" | "reason" | "status" | "opensStint">> = {},
): { ok: true } & PhasePlan {
  return {
    ok: true,
    from: state.phase,
    to,
    status: extra.status ?? STATUS_OF_PHASE[to],
    pausedFromPhase: extra.pausedFromPhase ?? null,
    opensStint: extra.opensStint === undefined ? to : extra.opensStint,
    reason: extra.reason ?? null,
  };
}

/**
 * Decide a phase change. `advance` names its target so a form that shows "Move to BUILD" can
 * only ever move to BUILD; the service adds the stale-form check (the phase the staff member saw).
 */
export function planPhaseChange(
  state: PhaseState,
  change: PhaseChange,
): Result<PhasePlan, PhaseRefusal> {
  if (!state.accepted) {
    return refuse(
      "conflict",
      "not-accepted",
      "This project is still a request: accept it (or decline it) first.",
    );
  }
  if (state.status === "CANCELLED") {
    return refuse("conflict", "cancelled", "This project was cancelled; its phase can't change.");
  }
  const reason = "reason" in change ? change.reason.trim() : "";
  if ((change.kind === "pause" || change.kind === "cancel") && !reason) {
    return refuse("invalid", "reason-missing", `Say why the project is being ${change.kind}d.`, {
      field: "reason",
    });
  }

  switch (change.kind) {
    case "advance": {
      if (state.phase === "COMPLETED") {
        return refuse(
          "conflict",
          "completed",
          "This project is completed; it reopens only through a REOPEN_PROJECT add-on.",
        );
      }
      if (state.phase === "PAUSED") {
        return refuse(
          "conflict",
          "paused",
          `This project is paused; resume it first (it returns to ${label(state.pausedFromPhase ?? "DESIGN")}).`,
        );
      }
      const next = NEXT_PHASE[state.phase];
      if (change.to !== next) {
        const why =
          change.to === "PAUSED"
            ? " Pausing needs a reason: use Pause."
            : change.to === state.phase
              ? " It is there already."
              : "";
        return refuse(
          "conflict",
          "not-next",
          `A project in ${label(state.phase)} moves on to ${label(next!)}, not to ${label(change.to)}.${why}`,
        );
      }
      return plan(state, next!);
    }
    case "pause": {
      if (state.phase === "PAUSED") {
        return refuse("conflict", "paused", "This project is already paused.");
      }
      if (!isOpenPhase(state.phase)) {
        return refuse("conflict", "completed", "A completed project can't be paused.");
      }
      return plan(state, "PAUSED", { pausedFromPhase: state.phase, reason });
    }
    case "resume": {
      if (state.phase !== "PAUSED" || !state.pausedFromPhase) {
        return refuse("conflict", "not-paused", "Only a paused project can be resumed.");
      }
      return plan(state, state.pausedFromPhase);
    }
    case "cancel": {
      if (state.phase === "COMPLETED") {
        return refuse("conflict", "completed", "A completed project can't be cancelled.");
      }
      // A cancelled project keeps the open phase it stopped in (a paused one, the phase it left).
      const stoppedIn = state.phase === "PAUSED" ? state.pausedFromPhase : state.phase;
      return plan(state, stoppedIn ?? "DESIGN", {
        status: "CANCELLED",
        opensStint: null,
        reason,
      });
    }
    case "reopen": {
      if (state.phase !== "COMPLETED") {
        return refuse("conflict", "not-completed", "Only a completed project can be reopened.");
      }
      return plan(state, REOPEN_PHASE);
    }
  }
}

/** The moves staff can offer on a project's page right now (each one `planPhaseChange` allows). */
export function availablePhaseChanges(
  state: PhaseState,
): Array<{ kind: "advance"; to: ProjectPhase } | { kind: "pause" | "resume" | "cancel" }> {
  if (!state.accepted || state.status === "CANCELLED") return [];
  const moves: Array<
    { kind: "advance"; to: ProjectPhase } | { kind: "pause" | "resume" | "cancel" }
  > = [];
  const next = NEXT_PHASE[state.phase];
  if (next) moves.push({ kind: "advance", to: next });
  if (isOpenPhase(state.phase)) moves.push({ kind: "pause" });
  if (state.phase === "PAUSED") moves.push({ kind: "resume" });
  if (state.phase !== "COMPLETED") moves.push({ kind: "cancel" });
  return moves;
}
