import { createId } from "@paralleldrive/cuid2";
import type { Database } from "#db/client";
import {
  projectPhaseHistory,
  serviceProjects,
  type NewServiceProject,
  type ProjectPhase,
  type ServiceProject,
  type ServiceStatus,
} from "#db/schema";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ProjectInput extends Partial<NewServiceProject> {
  clientId: string;
  /**
   * Stints the project went through before its current phase, oldest first, starting at
   * `startDate`: each lasted `days`. The current phase's stint opens where they end.
   */
  history?: ReadonlyArray<{ phase: ProjectPhase; days: number; notes?: string }>;
}

const STATUS_OF_PHASE: Record<ProjectPhase, ServiceStatus> = {
  DESIGN: "ACTIVE",
  BUILD: "ACTIVE",
  POST_LAUNCH: "ACTIVE",
  PAUSED: "PAUSED",
  COMPLETED: "COMPLETED",
};

/**
 * An accepted project with its phase stints, written in one atomic batch. `acceptedAt: null`
 * makes a request still waiting for staff (DESIGN, no stints).
 */
export async function createProject(db: Database, input: ProjectInput): Promise<ServiceProject> {
  const { history = [], ...values } = input;
  const id = values.id ?? createId();
  const historyDays = history.reduce((sum, stint) => sum + stint.days, 0);
  // By default the current stint opens now, the earlier ones before it.
  const start = values.startDate ?? new Date(Date.now() - historyDays * DAY_MS);
  const phase = values.phase ?? "DESIGN";
  const requested = values.acceptedAt === null;
  const stints: Array<typeof projectPhaseHistory.$inferInsert> = [];
  let at = start.getTime();
  for (const stint of history) {
    const end = at + stint.days * DAY_MS;
    stints.push({
      projectId: id,
      phase: stint.phase,
      startedAt: new Date(at),
      completedAt: new Date(end),
      notes: stint.notes ?? null,
    });
    at = end;
  }
  if (!requested) {
    stints.push({
      projectId: id,
      phase,
      startedAt: new Date(at),
      notes: history.length === 0 ? "Request accepted" : null,
    });
  }
  const [inserted] = await db.batch([
    db
      .insert(serviceProjects)
      .values({
        title: "Portfolio website",
        category: "WEB_DEVELOPMENT",
        description: "A new portfolio site with a case-study template.",
        scope: "Home, about, case studies (up to 6), contact.",
        approvedFeatures: ["Responsive layout", "CMS-driven case studies", "Contact form"],
        deadline: new Date(start.getTime() + 60 * DAY_MS),
        status: STATUS_OF_PHASE[phase],
        acceptedAt: requested ? null : start,
        createdAt: start,
        updatedAt: start,
        ...values,
        startDate: requested ? (values.startDate ?? null) : start,
        id,
      })
      .returning(),
    ...stints.map((stint) => db.insert(projectPhaseHistory).values(stint)),
  ]);
  return inserted[0]!;
}
