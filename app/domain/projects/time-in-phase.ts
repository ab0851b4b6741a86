import { PROJECT_PHASES, type ProjectPhase } from "#db/schema/enums";

/**
 * Time spent in each phase, summed over the project's stints (docs/architecture.md §10). The
 * open stint counts up to `now`. Times are Dates or milliseconds, so pages can pass what their
 * loader sent.
 */

export interface Stint {
  phase: ProjectPhase;
  startedAt: Date | number;
  completedAt: Date | number | null;
}

export interface TimedStint<S extends Stint = Stint> {
  stint: S;
  ms: number;
  open: boolean;
}

export interface PhaseTimes<S extends Stint = Stint> {
  /** The stints oldest first, each with its length. */
  stints: TimedStint<S>[];
  /** Milliseconds per phase, every phase present (0 when never entered). */
  byPhase: Record<ProjectPhase, number>;
  /** Everything but PAUSED and COMPLETED: the time the studio was working. */
  workingMs: number;
}

const ms = (value: Date | number) => (typeof value === "number" ? value : value.getTime());

export function timeInPhases<S extends Stint>(
  stints: readonly S[],
  now: Date | number,
): PhaseTimes<S> {
  const byPhase = Object.fromEntries(PROJECT_PHASES.map((phase) => [phase, 0])) as Record<
    ProjectPhase,
    number
  >;
  const timed = [...stints]
    .sort((a, b) => ms(a.startedAt) - ms(b.startedAt))
    .map((stint) => {
      const end = stint.completedAt === null ? ms(now) : ms(stint.completedAt);
      const length = Math.max(0, end - ms(stint.startedAt));
      byPhase[stint.phase] += length;
      return { stint, ms: length, open: stint.completedAt === null };
    });
  const workingMs = byPhase.DESIGN + byPhase.BUILD + byPhase.POST_LAUNCH;
  return { stints: timed, byPhase, workingMs };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** "3 days 4 hours", "5 hours", "under an hour": how long, in words a client reads. */
export function formatDuration(milliseconds: number): string {
  if (milliseconds < HOUR) return "under an hour";
  const days = Math.floor(milliseconds / DAY);
  const hours = Math.floor((milliseconds % DAY) / HOUR);
  const part = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (days === 0) return part(hours, "hour");
  return hours === 0 ? part(days, "day") : `${part(days, "day")} ${part(hours, "hour")}`;
}
