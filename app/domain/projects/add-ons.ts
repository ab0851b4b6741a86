import type { AddOnStatus, AddOnType, ProjectPhase, ServiceStatus } from "#db/schema/enums";
import { refuse, type Result } from "~/domain/refusal";
import { isRevisionPhase, type RevisionPhase } from "./revisions";

/**
 * Add-ons paid with credits (docs/architecture.md §10): the one place their prices in credits,
 * where they can be asked for and what completing them does are configured. The project pages,
 * the services and the tests all read them from here.
 */

export interface AddOnConfig {
  type: AddOnType;
  name: string;
  summary: string;
  /** Credits reserved when the client asks; null: staff price it first (CUSTOM). */
  credits: number | null;
  /** The phases of an accepted, not cancelled project it can be asked for in. */
  phases: readonly ProjectPhase[];
}

const UNDER_WAY: readonly ProjectPhase[] = ["DESIGN", "BUILD", "POST_LAUNCH"];

export const ADD_ONS: Readonly<Record<AddOnType, AddOnConfig>> = {
  EXTRA_REVISION: {
    type: "EXTRA_REVISION",
    name: "Extra revision",
    summary: "One more revision of the current phase, past its cap.",
    credits: 8,
    phases: ["DESIGN", "BUILD"],
  },
  CONTENT_EDIT: {
    type: "CONTENT_EDIT",
    name: "Content edit",
    summary: "Copy, images or small layout changes.",
    credits: 6,
    phases: [...UNDER_WAY, "COMPLETED"],
  },
  SUPPORT_CALL: {
    type: "SUPPORT_CALL",
    name: "Support call",
    summary: "A 30-minute call with the people building your project.",
    credits: 4,
    phases: [...UNDER_WAY, "PAUSED", "COMPLETED"],
  },
  RUSH_DELIVERY: {
    type: "RUSH_DELIVERY",
    name: "Rush delivery",
    summary: "The deadline moves a week earlier.",
    credits: 15,
    phases: UNDER_WAY,
  },
  EMERGENCY_FIX: {
    type: "EMERGENCY_FIX",
    name: "Emergency fix",
    summary: "Something is broken on the live site: fixed first.",
    credits: 12,
    phases: ["POST_LAUNCH", "COMPLETED"],
  },
  REOPEN_PROJECT: {
    type: "REOPEN_PROJECT",
    name: "Reopen project",
    summary: "A completed project goes back to POST_LAUNCH for more work.",
    credits: 10,
    phases: ["COMPLETED"],
  },
  CUSTOM: {
    type: "CUSTOM",
    name: "Custom request",
    summary: "Anything else: the studio prices it, you confirm before credits are used.",
    credits: null,
    phases: [...UNDER_WAY, "PAUSED", "COMPLETED"],
  },
};

/** How much earlier a completed RUSH_DELIVERY moves the deadline. */
export const RUSH_DELIVERY_DAYS = 7;

/** A CUSTOM add-on needs words: the studio prices what it reads. */
export const CUSTOM_DESCRIPTION_REQUIRED = "Describe what you need, so the studio can price it.";

/** The most a staff member may price a CUSTOM add-on at. */
export const CUSTOM_PRICE_MAX = 500;

export type AddOnRequestRefusal = "not-active" | "not-available";

/** May this add-on be asked for on this project now? */
export function checkAddOnRequest(
  project: { phase: ProjectPhase; status: ServiceStatus; accepted: boolean },
  type: AddOnType,
): Result<{ config: AddOnConfig }, AddOnRequestRefusal> {
  const config = ADD_ONS[type];
  if (!project.accepted || project.status === "CANCELLED") {
    return refuse(
      "conflict",
      "not-active",
      project.accepted
        ? "This project was cancelled; add-ons can't be requested for it."
        : "Add-ons can be requested once the studio has accepted your project.",
    );
  }
  if (!config.phases.includes(project.phase)) {
    return refuse(
      "conflict",
      "not-available",
      `${config.name} can be requested while the project is in ${config.phases.join(", ").replaceAll("_", " ")}; it is ${project.phase.replace("_", " ")}.`,
      { field: "type" },
    );
  }
  return { ok: true, config };
}

/** The add-on types a client can ask for on a project now, in price-list order. */
export function availableAddOns(project: {
  phase: ProjectPhase;
  status: ServiceStatus;
  accepted: boolean;
}): AddOnConfig[] {
  return Object.values(ADD_ONS).filter((config) => checkAddOnRequest(project, config.type).ok);
}

// ---- The add-on's own life: PENDING → APPROVED → IN_PROGRESS → COMPLETED, or REJECTED -------

export const ADD_ON_MOVES = {
  approve: { from: ["PENDING"], to: "APPROVED" },
  start: { from: ["APPROVED"], to: "IN_PROGRESS" },
  complete: { from: ["IN_PROGRESS"], to: "COMPLETED" },
  reject: { from: ["PENDING", "APPROVED"], to: "REJECTED" },
  /** The client takes back a PENDING one: REJECTED with `withdrawn_at`, credits refunded. */
  withdraw: { from: ["PENDING"], to: "REJECTED" },
  /** Staff price a CUSTOM one (it stays PENDING, waiting for the client). */
  price: { from: ["PENDING"], to: "PENDING" },
  /** The client accepts the price: credits are reserved (it stays PENDING, for staff). */
  confirm: { from: ["PENDING"], to: "PENDING" },
} as const satisfies Record<string, { from: readonly AddOnStatus[]; to: AddOnStatus }>;
export type AddOnMove = keyof typeof ADD_ON_MOVES;

export interface AddOnState {
  type: AddOnType;
  status: AddOnStatus;
  creditCost: number | null;
  /** Credits are held for it (its USAGE row exists). */
  reserved: boolean;
}

export type AddOnMoveRefusal =
  "wrong-status" | "not-custom" | "not-priced" | "not-confirmed" | "already-confirmed";

const PAST: Record<AddOnStatus, string> = {
  PENDING: "pending",
  APPROVED: "approved",
  IN_PROGRESS: "in progress",
  COMPLETED: "completed",
  REJECTED: "rejected",
};

export function planAddOnMove(
  addOn: AddOnState,
  move: AddOnMove,
): Result<{ from: AddOnStatus; to: AddOnStatus }, AddOnMoveRefusal> {
  const rule = ADD_ON_MOVES[move];
  if (!(rule.from as readonly AddOnStatus[]).includes(addOn.status)) {
    return refuse(
      "conflict",
      "wrong-status",
      `This add-on is ${PAST[addOn.status]}; only a ${rule.from.map((status) => PAST[status]).join(" or ")} one can be ${move === "start" ? "started" : move === "withdraw" ? "withdrawn" : `${move.replace(/e$/, "")}ed`}.`,
    );
  }
  if ((move === "price" || move === "confirm") && addOn.type !== "CUSTOM") {
    return refuse("conflict", "not-custom", "Only a CUSTOM add-on is priced by the studio.");
  }
  if (move === "price" && addOn.reserved) {
    return refuse("conflict", "already-confirmed", "The client already confirmed this price.");
  }
  if (move === "confirm" && (addOn.creditCost === null || addOn.reserved)) {
    return refuse(
      "conflict",
      addOn.reserved ? "wrong-status" : "not-priced",
      addOn.reserved
        ? "You already confirmed this add-on."
        : "The studio hasn't priced this add-on yet.",
    );
  }
  if (move === "approve" && !addOn.reserved) {
    return refuse(
      "conflict",
      addOn.creditCost === null ? "not-priced" : "not-confirmed",
      addOn.creditCost === null
        ? "Price this CUSTOM add-on first; the client then confirms it."
        : "The client hasn't confirmed the price yet, so no credits are reserved.",
    );
  }
  return { ok: true, from: addOn.status, to: rule.to };
}

// ---- What completing one does ---------------------------------------------------------------

/** The revision phase an EXTRA_REVISION adds to: the one the project is in (or paused from), else BUILD. */
export function extraRevisionPhase(project: {
  phase: ProjectPhase;
  pausedFromPhase: ProjectPhase | null;
}): RevisionPhase {
  if (isRevisionPhase(project.phase)) return project.phase;
  if (project.pausedFromPhase && isRevisionPhase(project.pausedFromPhase)) {
    return project.pausedFromPhase;
  }
  return "BUILD";
}

const DAY_MS = 86_400_000;

/**
 * The deadline after a RUSH_DELIVERY: RUSH_DELIVERY_DAYS earlier, but never before today nor
 * before the project's start. Null when the project has no deadline to move.
 */
export function rushedDeadline(
  project: { deadline: Date | null; startDate: Date | null },
  now: Date,
): Date | null {
  if (!project.deadline) return null;
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const earliest = Math.max(today, project.startDate?.getTime() ?? 0);
  return new Date(Math.max(earliest, project.deadline.getTime() - RUSH_DELIVERY_DAYS * DAY_MS));
}
