import type { ProjectPhase, ServiceStatus } from "#db/schema/enums";
import { refuse, type Result } from "~/domain/refusal";

/**
 * Revision caps (docs/architecture.md §10): a client asks for revisions in DESIGN and BUILD,
 * counted against `design_revisions_max` (2 by default) and `build_revisions_max` (1). Past the
 * cap the answer is an EXTRA_REVISION add-on, whose completion raises the cap by one.
 */

export const REVISION_PHASES = ["DESIGN", "BUILD"] as const satisfies ProjectPhase[];
export type RevisionPhase = (typeof REVISION_PHASES)[number];

export const DEFAULT_REVISIONS: Readonly<Record<RevisionPhase, number>> = { DESIGN: 2, BUILD: 1 };

export const isRevisionPhase = (phase: ProjectPhase): phase is RevisionPhase =>
  (REVISION_PHASES as readonly ProjectPhase[]).includes(phase);

export interface RevisionCounters {
  designRevisionsUsed: number;
  designRevisionsMax: number;
  buildRevisionsUsed: number;
  buildRevisionsMax: number;
}

export interface RevisionAllowance {
  phase: RevisionPhase;
  used: number;
  max: number;
  left: number;
}

export function revisionAllowance(
  project: RevisionCounters,
  phase: RevisionPhase,
): RevisionAllowance {
  const [used, max] =
    phase === "DESIGN"
      ? [project.designRevisionsUsed, project.designRevisionsMax]
      : [project.buildRevisionsUsed, project.buildRevisionsMax];
  return { phase, used, max, left: Math.max(0, max - used) };
}

/** Both phases' allowances, for the project page. */
export const revisionAllowances = (project: RevisionCounters) =>
  REVISION_PHASES.map((phase) => revisionAllowance(project, phase));

export type RevisionRefusal = "not-revisable" | "revision-cap" | "not-active";

/**
 * May the client ask for a revision now? The service repeats the cap in its conditional UPDATE,
 * so two requests racing for the last revision never both pass.
 */
export function checkRevisionRequest(
  project: RevisionCounters & { phase: ProjectPhase; status: ServiceStatus; accepted: boolean },
): Result<{ allowance: RevisionAllowance }, RevisionRefusal> {
  if (!project.accepted || project.status !== "ACTIVE") {
    return refuse(
      "conflict",
      "not-active",
      project.accepted
        ? `Revisions are asked for while the project is under way; it is ${project.status.toLowerCase()}.`
        : "Revisions start once the studio has accepted your project.",
    );
  }
  if (!isRevisionPhase(project.phase)) {
    return refuse(
      "conflict",
      "not-revisable",
      "Revisions are part of the DESIGN and BUILD phases; for changes now, request a CONTENT_EDIT add-on.",
    );
  }
  const allowance = revisionAllowance(project, project.phase);
  if (allowance.left === 0) return capReached(allowance);
  return { ok: true, allowance };
}

export function capReached(allowance: RevisionAllowance) {
  return refuse(
    "limit",
    "revision-cap",
    `You've used all ${allowance.max} revision${allowance.max === 1 ? "" : "s"} of the ${allowance.phase} phase; an EXTRA_REVISION add-on buys one more.`,
  );
}
