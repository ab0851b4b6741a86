import { createId } from "@paralleldrive/cuid2";
import { and, eq, isNull, sql, type SQL } from "drizzle-orm";
import type { Database } from "#db/client";
import {
  auditLogs,
  projectPhaseHistory,
  serviceProjects,
  users,
  type ProjectPhase,
  type ServiceCategory,
  type ServiceProject,
} from "#db/schema";
import type { AccountStatus } from "#db/schema/enums";
import type { AuditAction, AuditEntityType } from "~/domain/audit/actions";
import { needsGuardianConsent } from "~/domain/auth/age";
import type { EmailUnverifiedReason } from "~/domain/auth/email-rules";
import { can } from "~/domain/auth/permissions";
import { planPhaseChange, type PhaseChange, type PhasePlan } from "~/domain/projects/phases";
import { checkRevisionRequest, type RevisionPhase } from "~/domain/projects/revisions";
import { refuse, type Refusal, type Result } from "~/domain/refusal";
import { auditStatement, type AuditActor, type AuditRequestInfo } from "../audit.server";
import { unverifiedEmailRefusal } from "../auth/email-verification.server";
import { insertWhen } from "../conditional-insert.server";
import {
  emailStatement,
  staffEmailStatements,
  staffRecipients,
  studioEmails,
  type Recipient,
} from "./emails.server";

/**
 * Client projects (docs/architecture.md §10): requesting, accepting or declining, the terms,
 * phase changes and revisions. Every change is one D1 batch with its audit row and emails.
 *
 * How a batch knows its own change happened: the first statement is the audit row, inserted
 * only if the project is still in the state the change was decided on (`insertWhen`), under an
 * id chosen here; every later statement of the batch tests `exists` on that id. A request that
 * lost a race (a second staff tab, a parallel revision) writes nothing at all.
 */

type BatchItem = Parameters<Database["batch"]>[0][number];

export interface ProjectDeps {
  db: Database;
}

/** Who does it, from where, when: what every change needs for its audit row. */
export interface ActorInput {
  actor: AuditActor;
  request: AuditRequestInfo;
  now: Date;
}

const NOT_FOUND = "There is no such project.";
export const projectNotFound = (): Refusal<"not-found"> =>
  refuse("not-found", "not-found", NOT_FOUND);

/**
 * An audit row written only if `when` holds at that point of the batch, under `id` when later
 * statements must find it (`auditRowExists`). Returns the id when it was written.
 */
export function auditWhen(
  db: Database,
  input: ActorInput,
  entry: {
    id?: string;
    action: AuditAction;
    entityType: AuditEntityType;
    entityId: string;
    metadata: Record<string, unknown>;
    when: SQL;
  },
) {
  const { when, ...audit } = entry;
  return insertWhen(
    db,
    auditLogs,
    auditStatement(db, { ...audit, actor: input.actor, request: input.request, at: input.now }),
    when,
  ).returning({ id: auditLogs.id });
}

export const auditRowExists = (auditId: string) =>
  sql`exists (select 1 from "audit_logs" a where a."id" = ${auditId})`;

const projectWhere = (projectId: string, condition: string) =>
  sql`exists (select 1 from "service_projects" p where p."id" = ${projectId} and ${sql.raw(condition)})`;

/** The project with its client, as every change reads it first. */
export async function loadProject(db: Database, projectId: string) {
  const [row] = await db
    .select({
      project: serviceProjects,
      client: {
        id: users.id,
        email: users.email,
        name: users.name,
        emailVerifiedAt: users.emailVerifiedAt,
      },
    })
    .from(serviceProjects)
    .innerJoin(users, eq(users.id, serviceProjects.clientId))
    .where(eq(serviceProjects.id, projectId))
    .limit(1);
  return row ?? null;
}
export type LoadedProject = NonNullable<Awaited<ReturnType<typeof loadProject>>>;

export const phaseStateOf = (project: ServiceProject) => ({
  phase: project.phase,
  status: project.status,
  pausedFromPhase: project.pausedFromPhase,
  accepted: project.acceptedAt !== null,
});

/**
 * The project a staff change is about, or why there is none to change: the role, the id, and
 * (with `request`) whether it is still a request waiting for an answer.
 */
async function loadForStaff(
  db: Database,
  input: ActorInput & { projectId: string },
  options: { request?: boolean } = {},
): Promise<LoadedProject | Refusal<"forbidden" | "not-found" | "not-a-request">> {
  if (!can(input.actor.role, "projects:manage")) {
    return refuse("forbidden", "forbidden", "Your role can't change client projects.");
  }
  const loaded = await loadProject(db, input.projectId);
  if (!loaded) return projectNotFound();
  const waiting = !loaded.project.acceptedAt && loaded.project.status === "ACTIVE";
  if (options.request && !waiting) {
    return refuse(
      "conflict",
      "not-a-request",
      "This project isn't a request waiting for an answer.",
    );
  }
  return loaded;
}

// ---- Requesting a project --------------------------------------------------------------------

export interface Requester {
  id: string;
  email: string;
  name: string;
  accountStatus: AccountStatus;
  isMinor: boolean;
  guardianConsentAt: Date | string | null;
}

export type RequestRefusal =
  "account-restricted" | "guardian-consent" | EmailUnverifiedReason | "deadline-past";

/** `/account/projects/new`: the request waits in DESIGN until staff accept or decline it. */
export async function requestProject(
  deps: ProjectDeps,
  input: ActorInput & {
    user: Requester;
    form: {
      name: string;
      category: ServiceCategory;
      description: string;
      deadline: Date;
      budgetNotes: string | null;
    };
  },
): Promise<Result<{ projectId: string }, RequestRefusal>> {
  const { db } = deps;
  const { user, form, now } = input;
  if (user.accountStatus !== "ACTIVE") {
    return refuse(
      "forbidden",
      "account-restricted",
      `Your account is ${user.accountStatus.toLowerCase()}, so it can't start a project. Write to support if you think this is a mistake.`,
    );
  }
  if (needsGuardianConsent(user)) {
    return refuse(
      "forbidden",
      "guardian-consent",
      "Your parent or guardian needs to agree before you can start a project. We've emailed them a link.",
    );
  }
  const unverified = await unverifiedEmailRefusal(db, user.id);
  if (unverified) return unverified;
  if (form.deadline.getTime() <= now.getTime()) {
    return refuse("invalid", "deadline-past", "Pick a deadline after today.", {
      field: "deadline",
    });
  }

  const projectId = createId();
  const project = { id: projectId, title: form.name };
  const client: Recipient = { email: user.email, name: user.name };
  const inserted = sql`exists (select 1 from "service_projects" p where p."id" = ${projectId})`;
  await db.batch([
    db.insert(serviceProjects).values({
      id: projectId,
      clientId: user.id,
      title: form.name,
      category: form.category,
      description: form.description,
      budgetNotes: form.budgetNotes,
      requestedDeadline: form.deadline,
      phase: "DESIGN",
      status: "ACTIVE",
      createdAt: now,
      updatedAt: now,
    }),
    auditStatement(db, {
      actor: input.actor,
      action: "PROJECT_CREATED",
      entityType: "project",
      entityId: projectId,
      metadata: {
        title: form.name,
        category: form.category,
        requestedDeadline: day(form.deadline),
      },
      request: input.request,
      at: now,
    }),
    emailStatement(db, {
      to: client,
      email: studioEmails.projectRequested(project),
      now,
      when: inserted,
    }),
    ...staffEmailStatements(db, {
      staff: await staffRecipients(db),
      email: studioEmails.projectRequestedStaff(project, client),
      now,
      when: inserted,
    }),
  ]);
  return { ok: true, projectId };
}

// ---- Accepting, declining and the terms --------------------------------------------------------

export interface ProjectTerms {
  scope: string;
  features: string[];
  deadline: Date;
  designRevisionsMax: number;
  buildRevisionsMax: number;
}

function checkTerms(
  project: ServiceProject,
  terms: ProjectTerms,
  startDate: Date | null,
): Refusal<"invalid-terms"> | null {
  if (startDate && terms.deadline.getTime() < startDate.getTime()) {
    return refuse("invalid", "invalid-terms", "The deadline can't be before the start date.", {
      field: "deadline",
    });
  }
  if (terms.designRevisionsMax < project.designRevisionsUsed) {
    return refuse(
      "invalid",
      "invalid-terms",
      `The client already used ${project.designRevisionsUsed} design revisions; the cap can't be lower.`,
      { field: "designRevisionsMax" },
    );
  }
  if (terms.buildRevisionsMax < project.buildRevisionsUsed) {
    return refuse(
      "invalid",
      "invalid-terms",
      `The client already used ${project.buildRevisionsUsed} build revisions; the cap can't be lower.`,
      { field: "buildRevisionsMax" },
    );
  }
  return null;
}

/** Audit metadata is JSON: dates as `YYYY-MM-DD`. */
const day = (date: Date | null) => date?.toISOString().slice(0, 10) ?? null;

const termsMetadata = (
  terms: Omit<ProjectTerms, "deadline" | "features"> & {
    deadline: Date | null;
    features?: string[];
    approvedFeatures?: string[];
  },
) => ({
  scope: terms.scope,
  features: terms.features ?? terms.approvedFeatures ?? [],
  deadline: day(terms.deadline),
  designRevisionsMax: terms.designRevisionsMax,
  buildRevisionsMax: terms.buildRevisionsMax,
});

const termsColumns = (terms: ProjectTerms) => ({
  scope: terms.scope,
  approvedFeatures: terms.features,
  deadline: terms.deadline,
  designRevisionsMax: terms.designRevisionsMax,
  buildRevisionsMax: terms.buildRevisionsMax,
});

type ReviewRefusal = "forbidden" | "not-found" | "not-a-request" | "invalid-terms" | "stale";

/** Staff accept a request: its terms, a start date, and the DESIGN stint opens. */
export async function acceptProject(
  deps: ProjectDeps,
  input: ActorInput & { projectId: string; terms: ProjectTerms; startDate: Date },
): Promise<Result<object, ReviewRefusal>> {
  const { db } = deps;
  const { now, terms } = input;
  const loaded = await loadForStaff(db, input, { request: true });
  if ("ok" in loaded) return loaded;
  const { project, client } = loaded;
  const invalid = checkTerms(project, terms, input.startDate);
  if (invalid) return invalid;

  const auditId = createId();
  const done = auditRowExists(auditId);
  const [audited] = await db.batch([
    auditWhen(db, input, {
      id: auditId,
      action: "PROJECT_ACCEPTED",
      entityType: "project",
      entityId: project.id,
      metadata: { ...termsMetadata(terms), startDate: day(input.startDate) },
      when: projectWhere(project.id, `p."accepted_at" is null and p."status" = 'ACTIVE'`),
    }),
    openStintStatement(db, {
      projectId: project.id,
      phase: "DESIGN",
      notes: "Request accepted",
      actor: input.actor,
      now,
      when: done,
    }),
    db
      .update(serviceProjects)
      .set({ ...termsColumns(terms), startDate: input.startDate, acceptedAt: now, updatedAt: now })
      .where(and(eq(serviceProjects.id, project.id), isNull(serviceProjects.acceptedAt), done)),
    emailStatement(db, {
      to: client,
      email: studioEmails.projectAccepted({ ...project, deadline: terms.deadline }),
      now,
      when: done,
    }),
  ]);
  if (audited.length === 0) return staleRequest();
  return { ok: true };
}

const staleRequest = () =>
  refuse(
    "conflict",
    "stale",
    "Someone else answered this request just now; nothing was changed. Reload to see it.",
  );

/** Staff decline a request, with a reason the client reads. */
export async function declineProject(
  deps: ProjectDeps,
  input: ActorInput & { projectId: string; reason: string },
): Promise<Result<object, ReviewRefusal>> {
  const { db } = deps;
  const { now } = input;
  const loaded = await loadForStaff(db, input, { request: true });
  if ("ok" in loaded) return loaded;
  const { project, client } = loaded;
  const auditId = createId();
  const done = auditRowExists(auditId);
  const [audited] = await db.batch([
    auditWhen(db, input, {
      id: auditId,
      action: "PROJECT_DECLINED",
      entityType: "project",
      entityId: project.id,
      metadata: { reason: input.reason },
      when: projectWhere(project.id, `p."accepted_at" is null and p."status" = 'ACTIVE'`),
    }),
    db
      .update(serviceProjects)
      .set({ status: "CANCELLED", cancelReason: input.reason, cancelledAt: now, updatedAt: now })
      .where(and(eq(serviceProjects.id, project.id), done)),
    emailStatement(db, {
      to: client,
      email: studioEmails.projectDeclined(project, input.reason),
      now,
      when: done,
    }),
  ]);
  if (audited.length === 0) return staleRequest();
  return { ok: true };
}

/** The scope and features editor, revision allowances and deadline of an accepted project. */
export async function updateProjectTerms(
  deps: ProjectDeps,
  input: ActorInput & { projectId: string; terms: ProjectTerms },
): Promise<Result<object, ReviewRefusal | "closed">> {
  const { db } = deps;
  const { now, terms } = input;
  const loaded = await loadForStaff(db, input);
  if ("ok" in loaded) return loaded;
  const { project, client } = loaded;
  if (!project.acceptedAt || project.status === "CANCELLED") {
    return refuse(
      "conflict",
      "closed",
      project.acceptedAt
        ? "This project was cancelled; its terms no longer change."
        : "Accept the request first; its terms are set then.",
    );
  }
  const invalid = checkTerms(project, terms, project.startDate);
  if (invalid) return invalid;

  const auditId = createId();
  const done = auditRowExists(auditId);
  // The caps are checked again in the statement: a revision used meanwhile keeps them valid.
  const [audited] = await db.batch([
    auditWhen(db, input, {
      id: auditId,
      action: "PROJECT_UPDATED",
      entityType: "project",
      entityId: project.id,
      metadata: { before: termsMetadata(project), after: termsMetadata(terms) },
      when: projectWhere(
        project.id,
        `p."status" <> 'CANCELLED' and p."accepted_at" is not null and p."design_revisions_used" <= ${Math.trunc(terms.designRevisionsMax)} and p."build_revisions_used" <= ${Math.trunc(terms.buildRevisionsMax)}`,
      ),
    }),
    db
      .update(serviceProjects)
      .set({ ...termsColumns(terms), updatedAt: now })
      .where(and(eq(serviceProjects.id, project.id), done)),
    emailStatement(db, {
      to: client,
      email: studioEmails.projectUpdated(project),
      now,
      when: done,
    }),
  ]);
  if (audited.length === 0) {
    return refuse(
      "conflict",
      "stale",
      "The project changed while you were editing (a revision was used, or it was cancelled); nothing was saved. Reload and try again.",
    );
  }
  return { ok: true };
}

// ---- Phase changes -------------------------------------------------------------------------------

/** The stint a change opens, written only when `when` holds. */
export function openStintStatement(
  db: Database,
  input: {
    projectId: string;
    phase: ProjectPhase;
    notes: string | null;
    actor: AuditActor | null;
    now: Date;
    when: SQL;
  },
) {
  return insertWhen(
    db,
    projectPhaseHistory,
    db.insert(projectPhaseHistory).values({
      id: createId(),
      projectId: input.projectId,
      phase: input.phase,
      startedAt: input.now,
      completedAt: null,
      notes: input.notes,
      startedById: input.actor?.id ?? null,
    }),
    input.when,
  );
}

/**
 * The statements of a planned phase change, all guarded by `when` (the caller's audit row):
 * close the open stint, open the next (none for a cancellation), update the project.
 */
export function phaseChangeStatements(
  db: Database,
  input: {
    projectId: string;
    plan: PhasePlan;
    notes: string | null;
    actor: AuditActor | null;
    now: Date;
    when: SQL;
  },
): BatchItem[] {
  const { plan, now, when } = input;
  const paused = plan.to === "PAUSED" && plan.status === "PAUSED";
  const cancelled = plan.status === "CANCELLED";
  return [
    db
      .update(projectPhaseHistory)
      // Never before the stint began, even if clocks disagree by a moment.
      .set({ completedAt: sql`max(${projectPhaseHistory.startedAt}, ${now.getTime()})` })
      .where(
        and(
          eq(projectPhaseHistory.projectId, input.projectId),
          isNull(projectPhaseHistory.completedAt),
          when,
        ),
      ),
    ...(plan.opensStint
      ? [openStintStatement(db, { ...input, phase: plan.opensStint, notes: input.notes })]
      : []),
    db
      .update(serviceProjects)
      .set({
        phase: plan.to,
        status: plan.status,
        pausedFromPhase: paused ? plan.pausedFromPhase : null,
        pauseReason: paused ? plan.reason : null,
        pausedAt: paused ? now : null,
        ...(cancelled ? { cancelReason: plan.reason, cancelledAt: now } : {}),
        completedAt: plan.status === "COMPLETED" ? now : null,
        updatedAt: now,
      })
      .where(
        and(eq(serviceProjects.id, input.projectId), eq(serviceProjects.phase, plan.from), when),
      ),
  ];
}

const NOTES_OF: Record<PhaseChange["kind"], (plan: PhasePlan) => string | null> = {
  advance: () => null,
  pause: (plan) => plan.reason,
  resume: () => "Resumed",
  cancel: (plan) => plan.reason,
  reopen: () => "Reopened by a REOPEN_PROJECT add-on",
};

export type PhaseChangeRefusal =
  | "forbidden"
  | "not-found"
  | "not-a-request"
  | "stale"
  | Extract<ReturnType<typeof planPhaseChange>, { ok: false }>["reason"];

/**
 * A staff phase change (move, pause, resume, cancel). `expectedPhase` is the phase the staff
 * member's page showed: if the project has moved since, nothing changes and they are told so.
 */
export async function changePhase(
  deps: ProjectDeps,
  input: ActorInput & { projectId: string; expectedPhase: ProjectPhase; change: PhaseChange },
): Promise<Result<{ plan: PhasePlan }, PhaseChangeRefusal>> {
  const { db } = deps;
  const { now } = input;
  const loaded = await loadForStaff(db, input);
  if ("ok" in loaded) return loaded;
  const { project, client } = loaded;
  if (project.phase !== input.expectedPhase) return stalePhase(project.phase);
  const plan = planPhaseChange(phaseStateOf(project), input.change);
  if (!plan.ok) return plan;

  const auditId = createId();
  const done = auditRowExists(auditId);
  const [audited] = await db.batch([
    auditWhen(db, input, {
      id: auditId,
      action: "PROJECT_PHASE_CHANGED",
      entityType: "project",
      entityId: project.id,
      metadata: {
        kind: input.change.kind,
        from: plan.from,
        to: plan.to,
        status: plan.status,
        reason: plan.reason,
      },
      when: projectWhere(
        project.id,
        `p."phase" = '${plan.from}' and p."status" = '${project.status}'`,
      ),
    }),
    ...phaseChangeStatements(db, {
      projectId: project.id,
      plan,
      notes: NOTES_OF[input.change.kind](plan),
      actor: input.actor,
      now,
      when: done,
    }),
    emailStatement(db, {
      to: client,
      email: studioEmails.phaseChanged(project, plan),
      now,
      when: done,
    }),
  ]);
  if (audited.length === 0) {
    const current = await loadProject(db, project.id);
    return stalePhase(current?.project.phase ?? project.phase, current?.project.status);
  }
  return { ok: true, plan };
}

function stalePhase(phase: ProjectPhase, status?: string) {
  return refuse(
    "conflict",
    "stale",
    `This project is ${status === "CANCELLED" ? "cancelled" : `in ${phase.replace("_", " ")}`} now: someone changed it after you opened the page, so nothing was changed. Reload to see it.`,
  );
}

// ---- Revisions ---------------------------------------------------------------------------------

const REVISION_COLUMNS: Record<RevisionPhase, { used: string; max: string }> = {
  DESIGN: { used: "design_revisions_used", max: "design_revisions_max" },
  BUILD: { used: "build_revisions_used", max: "build_revisions_max" },
};

/**
 * The client asks for a revision. The cap is enforced by the database, not by the read: the
 * audit row is written only while `used < max` and the counter moves by one conditional UPDATE
 * in the same batch, so parallel requests never pass the cap.
 */
export async function requestRevision(
  deps: ProjectDeps,
  input: ActorInput & { projectId: string; clientId: string; notes: string },
): Promise<
  Result<
    { phase: RevisionPhase; number: number },
    "not-found" | "not-active" | "not-revisable" | "revision-cap"
  >
> {
  const { db } = deps;
  const { now } = input;
  const loaded = await loadProject(db, input.projectId);
  if (!loaded || loaded.project.clientId !== input.clientId) return projectNotFound();
  const { project, client } = loaded;
  const check = checkRevisionRequest({ ...project, accepted: project.acceptedAt !== null });
  if (!check.ok) return check;
  const { phase, max } = check.allowance;
  const columns = REVISION_COLUMNS[phase];

  const auditId = createId();
  const done = auditRowExists(auditId);
  const [audited, counted] = await db.batch([
    auditWhen(db, input, {
      id: auditId,
      action: "PROJECT_REVISION_REQUESTED",
      entityType: "project",
      entityId: project.id,
      metadata: { phase, notes: input.notes },
      when: projectWhere(
        project.id,
        `p."phase" = '${phase}' and p."status" = 'ACTIVE' and p."${columns.used}" < p."${columns.max}"`,
      ),
    }),
    db
      .update(serviceProjects)
      .set({
        [phase === "DESIGN" ? "designRevisionsUsed" : "buildRevisionsUsed"]: sql.raw(
          `"${columns.used}" + 1`,
        ),
        updatedAt: now,
      })
      .where(
        and(
          eq(serviceProjects.id, project.id),
          eq(serviceProjects.phase, phase),
          sql.raw(`"${columns.used}" < "${columns.max}"`),
          done,
        ),
      )
      .returning({
        design: serviceProjects.designRevisionsUsed,
        build: serviceProjects.buildRevisionsUsed,
      }),
    emailStatement(db, {
      to: client,
      email: studioEmails.revisionReceived(project, { phase, max }),
      now,
      when: done,
    }),
    ...staffEmailStatements(db, {
      staff: await staffRecipients(db),
      email: studioEmails.revisionRequestedStaff(project, { phase, max, notes: input.notes }),
      now,
      when: done,
    }),
  ]);
  const row = counted[0];
  if (audited.length === 0 || !row) {
    // Lost the race for the last revision (or the project moved on): say which.
    const current = await loadProject(db, project.id);
    if (!current) return projectNotFound();
    const again = checkRevisionRequest({ ...current.project, accepted: true });
    return again.ok
      ? refuse("conflict", "not-active", "The project changed just now; reload and try again.")
      : again;
  }
  return { ok: true, phase, number: phase === "DESIGN" ? row.design : row.build };
}
