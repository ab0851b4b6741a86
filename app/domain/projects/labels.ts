import {
  ADD_ON_STATUSES,
  PROJECT_PHASES,
  SERVICE_CATEGORIES,
  SERVICE_STATUSES,
  type AddOnStatus,
  type ProjectPhase,
  type ServiceCategory,
  type ServiceStatus,
} from "#db/schema/enums";

/** Words the studio pages show; zod-free, so pages import them without shipping zod. */

export const SERVICE_CATEGORY_LABELS: Readonly<Record<ServiceCategory, string>> = {
  WEB_DESIGN: "Web design",
  WEB_DEVELOPMENT: "Web development",
  MOBILE_APP: "Mobile app",
  CUSTOM_SOFTWARE: "Custom software",
  CONSULTING: "Consulting",
  MAINTENANCE: "Maintenance",
};

export const PHASE_LABELS: Readonly<Record<ProjectPhase, string>> = {
  DESIGN: "Design",
  BUILD: "Build",
  POST_LAUNCH: "Post-launch",
  COMPLETED: "Completed",
  PAUSED: "Paused",
};

export const SERVICE_STATUS_LABELS: Readonly<Record<ServiceStatus, string>> = {
  ACTIVE: "Active",
  PAUSED: "Paused",
  COMPLETED: "Completed",
  CANCELLED: "Cancelled",
};

export const ADD_ON_STATUS_LABELS: Readonly<Record<AddOnStatus, string>> = {
  PENDING: "Pending",
  APPROVED: "Approved",
  IN_PROGRESS: "In progress",
  COMPLETED: "Completed",
  REJECTED: "Rejected",
};

/** `/admin/projects?queue=`: the work waiting for staff (the dashboard links to both). */
export const PROJECT_QUEUES = ["requests", "overdue"] as const;
export type ProjectQueue = (typeof PROJECT_QUEUES)[number];
export const PROJECT_QUEUE_LABELS: Readonly<Record<ProjectQueue, string>> = {
  requests: "Waiting for an answer",
  overdue: "Overdue",
};

const options = <T extends string>(values: readonly T[], labels: Readonly<Record<T, string>>) =>
  values.map((value) => ({ value, label: labels[value] }));

export const SERVICE_CATEGORY_OPTIONS = options(SERVICE_CATEGORIES, SERVICE_CATEGORY_LABELS);
export const PHASE_OPTIONS = options(PROJECT_PHASES, PHASE_LABELS);
export const PROJECT_QUEUE_OPTIONS = options(PROJECT_QUEUES, PROJECT_QUEUE_LABELS);
export const SERVICE_STATUS_OPTIONS = options(SERVICE_STATUSES, SERVICE_STATUS_LABELS);
export const ADD_ON_STATUS_OPTIONS = options(ADD_ON_STATUSES, ADD_ON_STATUS_LABELS);

/** Badge tone of a project's status or an add-on's, for `badge badge--<tone>`. */
export function statusTone(status: ServiceStatus | AddOnStatus): "success" | "danger" | "neutral" {
  if (status === "COMPLETED" || status === "ACTIVE" || status === "APPROVED") return "success";
  if (status === "CANCELLED" || status === "REJECTED") return "danger";
  return "neutral";
}

/** The form limits the pages need as HTML attributes (the zod schemas use the same numbers). */
export const PROJECT_LIMITS = {
  name: 120,
  description: 4000,
  budgetNotes: 1000,
  scope: 4000,
  feature: 200,
  features: 30,
  reason: 1000,
  notes: 2000,
  revisions: 20,
} as const;
