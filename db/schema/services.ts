import { sql } from "drizzle-orm";
import { check, index, sqliteTable, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./accounts";
import {
  createdAt,
  enumCheck,
  id,
  integer,
  jsonArrayCheck,
  nullableEnumCheck,
  text,
  timestamp,
  updatedAt,
} from "./columns";
import { creditTransactions } from "./memberships";
import {
  ADD_ON_STATUSES,
  ADD_ON_TYPES,
  PROJECT_PHASES,
  SERVICE_CATEGORIES,
  SERVICE_STATUSES,
} from "./enums";

/** Client service projects (docs/architecture.md §10). */

const OPEN_PHASES = PROJECT_PHASES.filter((phase) => phase !== "PAUSED" && phase !== "COMPLETED");
const openPhaseList = sql.raw(OPEN_PHASES.map((phase) => `'${phase}'`).join(", "));

export const serviceProjects = sqliteTable(
  "service_projects",
  {
    id: id(),
    clientId: text("client_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    category: text("category", { enum: SERVICE_CATEGORIES }).notNull(),
    description: text("description").notNull().default(""),
    /** What the client wrote about money when asking; staff read it before accepting. */
    budgetNotes: text("budget_notes"),
    /** The deadline the client asked for; staff set `deadline` when they accept. */
    requestedDeadline: timestamp("requested_deadline"),
    scope: text("scope").notNull().default(""),
    approvedFeatures: text("approved_features", { mode: "json" })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    phase: text("phase", { enum: PROJECT_PHASES }).notNull().default("DESIGN"),
    status: text("status", { enum: SERVICE_STATUSES }).notNull().default("ACTIVE"),
    /** Null while the request waits for staff: such a project is ACTIVE in DESIGN, or CANCELLED (declined). */
    acceptedAt: timestamp("accepted_at"),
    /** While PAUSED: the phase to return to. */
    pausedFromPhase: text("paused_from_phase", { enum: PROJECT_PHASES }),
    pauseReason: text("pause_reason"),
    pausedAt: timestamp("paused_at"),
    /** Why staff cancelled the project, or declined the request. */
    cancelReason: text("cancel_reason"),
    cancelledAt: timestamp("cancelled_at"),
    designRevisionsUsed: integer("design_revisions_used").notNull().default(0),
    designRevisionsMax: integer("design_revisions_max").notNull().default(2),
    buildRevisionsUsed: integer("build_revisions_used").notNull().default(0),
    buildRevisionsMax: integer("build_revisions_max").notNull().default(1),
    startDate: timestamp("start_date"),
    deadline: timestamp("deadline"),
    completedAt: timestamp("completed_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("service_projects_client_created_idx").on(t.clientId, t.createdAt, t.id),
    index("service_projects_phase_idx").on(t.phase),
    index("service_projects_deadline_idx").on(t.deadline),
    index("service_projects_status_deadline_idx").on(t.status, t.deadline),
    enumCheck("service_projects_category_check", t.category, SERVICE_CATEGORIES),
    enumCheck("service_projects_phase_check", t.phase, PROJECT_PHASES),
    enumCheck("service_projects_status_check", t.status, SERVICE_STATUSES),
    nullableEnumCheck("service_projects_paused_from_check", t.pausedFromPhase, OPEN_PHASES),
    check(
      "service_projects_pause_check",
      sql`(${t.phase} = 'PAUSED') = (${t.pausedFromPhase} IS NOT NULL AND ${t.pauseReason} IS NOT NULL)`,
    ),
    // Status and phase never disagree; a cancelled project keeps the open phase it stopped in.
    check(
      "service_projects_status_phase_check",
      sql`(${t.status} = 'ACTIVE' AND ${t.phase} IN (${openPhaseList}))
        OR (${t.status} = 'PAUSED' AND ${t.phase} = 'PAUSED')
        OR (${t.status} = 'COMPLETED' AND ${t.phase} = 'COMPLETED')
        OR (${t.status} = 'CANCELLED' AND ${t.phase} IN (${openPhaseList}) AND ${t.cancelledAt} IS NOT NULL AND ${t.cancelReason} IS NOT NULL)`,
    ),
    // A request not yet accepted waits in DESIGN (or was declined there).
    check(
      "service_projects_accepted_check",
      sql`${t.acceptedAt} IS NOT NULL OR (${t.phase} = 'DESIGN' AND ${t.status} IN ('ACTIVE', 'CANCELLED'))`,
    ),
    check(
      "service_projects_revisions_check",
      sql`${t.designRevisionsUsed} >= 0 AND ${t.buildRevisionsUsed} >= 0 AND ${t.designRevisionsMax} >= 0 AND ${t.buildRevisionsMax} >= 0`,
    ),
    check(
      "service_projects_dates_check",
      sql`${t.startDate} IS NULL OR ${t.deadline} IS NULL OR ${t.deadline} >= ${t.startDate}`,
    ),
    jsonArrayCheck("service_projects_features_check", t.approvedFeatures),
  ],
);

/**
 * One row per stint in a phase (the brief's shape): opened when the project enters the phase,
 * closed (`completed_at`) when it leaves. At most one stint per project is open.
 */
export const projectPhaseHistory = sqliteTable(
  "project_phase_history",
  {
    id: id(),
    projectId: text("project_id")
      .notNull()
      .references(() => serviceProjects.id, { onDelete: "cascade" }),
    phase: text("phase", { enum: PROJECT_PHASES }).notNull(),
    startedAt: timestamp("started_at").notNull(),
    completedAt: timestamp("completed_at"),
    /** Why the stint began (a pause reason, "Request accepted"), and how it ended. */
    notes: text("notes"),
    startedById: text("started_by_id").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    index("project_phase_history_project_idx").on(t.projectId, t.startedAt),
    uniqueIndex("project_phase_history_open_unique")
      .on(t.projectId)
      .where(sql`${t.completedAt} IS NULL`),
    enumCheck("project_phase_history_phase_check", t.phase, PROJECT_PHASES),
    check(
      "project_phase_history_dates_check",
      sql`${t.completedAt} IS NULL OR ${t.completedAt} >= ${t.startedAt}`,
    ),
  ],
);

export const serviceAddOns = sqliteTable(
  "service_add_ons",
  {
    id: id(),
    projectId: text("project_id")
      .notNull()
      .references(() => serviceProjects.id, { onDelete: "cascade" }),
    requestedById: text("requested_by_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text("type", { enum: ADD_ON_TYPES }).notNull(),
    status: text("status", { enum: ADD_ON_STATUSES }).notNull().default("PENDING"),
    description: text("description").notNull().default(""),
    /** Credits reserved for it; null only for a CUSTOM add-on staff have not priced yet. */
    creditCost: integer("credit_cost"),
    /** When staff priced a CUSTOM add-on (the client then confirms, which reserves the credits). */
    pricedAt: timestamp("priced_at"),
    /** The USAGE row that reserved the credits, and the REFUND row if it was rejected. */
    spendTransactionId: text("spend_transaction_id").references(() => creditTransactions.id, {
      onDelete: "set null",
    }),
    refundTransactionId: text("refund_transaction_id").references(() => creditTransactions.id, {
      onDelete: "set null",
    }),
    reviewedById: text("reviewed_by_id").references(() => users.id, { onDelete: "set null" }),
    reviewNotes: text("review_notes"),
    reviewedAt: timestamp("reviewed_at"),
    startedAt: timestamp("started_at"),
    completedAt: timestamp("completed_at"),
    /** Set when the client withdrew it while PENDING: it is then REJECTED (and refunded). */
    withdrawnAt: timestamp("withdrawn_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("service_add_ons_project_idx").on(t.projectId, t.createdAt),
    index("service_add_ons_status_idx").on(t.status, t.createdAt),
    enumCheck("service_add_ons_type_check", t.type, ADD_ON_TYPES),
    enumCheck("service_add_ons_status_check", t.status, ADD_ON_STATUSES),
    check(
      "service_add_ons_credit_cost_check",
      sql`${t.creditCost} IS NULL OR ${t.creditCost} >= 0`,
    ),
    check(
      "service_add_ons_priced_check",
      sql`${t.creditCost} IS NOT NULL OR (${t.type} = 'CUSTOM' AND ${t.status} IN ('PENDING', 'REJECTED'))`,
    ),
    check(
      "service_add_ons_withdrawn_check",
      sql`${t.withdrawnAt} IS NULL OR ${t.status} = 'REJECTED'`,
    ),
  ],
);

export type ServiceProject = typeof serviceProjects.$inferSelect;
export type NewServiceProject = typeof serviceProjects.$inferInsert;
export type ProjectPhaseHistory = typeof projectPhaseHistory.$inferSelect;
export type ServiceAddOn = typeof serviceAddOns.$inferSelect;
