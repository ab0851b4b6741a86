import type { ServiceStatus } from "#db/schema/enums";

/**
 * Deadlines (docs/architecture.md §10): how many days are left, or how long a project has been
 * overdue. Only a project still under way (ACTIVE or PAUSED) can be overdue; counted in whole
 * UTC days, so "due today" means the deadline's date is today's date.
 */

const DAY_MS = 86_400_000;

export type DeadlineState =
  | { kind: "none" }
  | { kind: "closed" }
  | { kind: "left"; days: number }
  | { kind: "today" }
  | { kind: "overdue"; days: number };

const utcDay = (value: Date | number) => Math.floor(new Date(value).getTime() / DAY_MS);

export const isUnderWay = (status: ServiceStatus) => status === "ACTIVE" || status === "PAUSED";

export function deadlineState(
  project: { deadline: Date | number | null; status: ServiceStatus },
  now: Date | number,
): DeadlineState {
  if (project.deadline === null) return { kind: "none" };
  if (!isUnderWay(project.status)) return { kind: "closed" };
  const days = utcDay(project.deadline) - utcDay(now);
  if (days > 0) return { kind: "left", days };
  if (days === 0) return { kind: "today" };
  return { kind: "overdue", days: -days };
}

export const isOverdue = (
  project: { deadline: Date | number | null; status: ServiceStatus },
  now: Date | number,
) => deadlineState(project, now).kind === "overdue";

/** "12 days left", "due today", "3 days overdue". */
export function describeDeadline(state: DeadlineState): string {
  const days = (n: number) => `${n} day${n === 1 ? "" : "s"}`;
  switch (state.kind) {
    case "none":
      return "no deadline yet";
    case "closed":
      return "";
    case "left":
      return `${days(state.days)} left`;
    case "today":
      return "due today";
    case "overdue":
      return `${days(state.days)} overdue`;
  }
}

/** The first moment of the UTC day `YYYY-MM-DD` names (deadlines are dates, not times). */
export function parseDeadlineDate(value: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const date = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value ? null : date;
}

/** `YYYY-MM-DD` of a date, for `<input type="date">` values. */
export const deadlineInputValue = (value: Date | number | null) =>
  value === null ? "" : new Date(value).toISOString().slice(0, 10);
