import { createId } from "@paralleldrive/cuid2";
import type { Database } from "#db/client";
import {
  projectPhaseHistory,
  serviceProjects,
  type NewServiceProject,
  type ServiceProject,
} from "#db/schema";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ProjectInput extends Partial<NewServiceProject> {
  clientId: string;
}

/** A project with its first phase-history row, written in one atomic batch. */
export async function createProject(db: Database, input: ProjectInput): Promise<ServiceProject> {
  const id = input.id ?? createId();
  const start = input.startDate ?? new Date();
  const [inserted] = await db.batch([
    db
      .insert(serviceProjects)
      .values({
        title: "Portfolio website",
        category: "WEBSITE",
        description: "A new portfolio site with a case-study template.",
        scope: "Home, about, case studies (up to 6), contact.",
        approvedFeatures: ["Responsive layout", "CMS-driven case studies", "Contact form"],
        deadline: new Date(start.getTime() + 60 * DAY_MS),
        ...input,
        startDate: start,
        id,
      })
      .returning(),
    db.insert(projectPhaseHistory).values({
      projectId: id,
      fromPhase: null,
      toPhase: input.phase ?? "DESIGN",
      reason: "Project created",
    }),
  ]);
  return inserted[0]!;
}
