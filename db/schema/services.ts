import { sql } from "drizzle-orm";
import { check, index, sqliteTable } from "drizzle-orm/sqlite-core";
import { users } from "./accounts";
import {
  createdAt,
  enumCheck,
  id,
  integer,
  jsonArrayCheck,
  nonNegative,
  nullableEnumCheck,
  text,
  timestamp,
  updatedAt,
} from "./columns";
import { creditTransactions } from "./memberships";
import { ADD_ON_STATUSES, ADD_ON_TYPES, PROJECT_CATEGORIES, PROJECT_PHASES } from "./enums";

const OPEN_PHASES = PROJECT_PHASES.filter((phase) => phase !== "PAUSED" && phase !== "COMPLETED");

export const serviceProjects = sqliteTable(
  "service_projects",
  {
    id: id(),
    clientId: text("client_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    category: text("category", { enum: PROJECT_CATEGORIES }).notNull(),
    description: text("description").notNull().default(""),
    scope: text("scope").notNull().default(""),
    approvedFeatures: text("approved_features", { mode: "json" })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    phase: text("phase", { enum: PROJECT_PHASES }).notNull().default("DESIGN"),
    /** While PAUSED: the phase to return to. */
    pausedFromPhase: text("paused_from_phase", { enum: PROJECT_PHASES }),
    pauseReason: text("pause_reason"),
    pausedAt: timestamp("paused_at"),
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
    enumCheck("service_projects_category_check", t.category, PROJECT_CATEGORIES),
    enumCheck("service_projects_phase_check", t.phase, PROJECT_PHASES),
    nullableEnumCheck("service_projects_paused_from_check", t.pausedFromPhase, OPEN_PHASES),
    check(
      "service_projects_pause_check",
      sql`(${t.phase} = 'PAUSED') = (${t.pausedFromPhase} IS NOT NULL AND ${t.pauseReason} IS NOT NULL)`,
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

export const projectPhaseHistory = sqliteTable(
  "project_phase_history",
  {
    id: id(),
    projectId: text("project_id")
      .notNull()
      .references(() => serviceProjects.id, { onDelete: "cascade" }),
    fromPhase: text("from_phase", { enum: PROJECT_PHASES }),
    toPhase: text("to_phase", { enum: PROJECT_PHASES }).notNull(),
    reason: text("reason"),
    changedById: text("changed_by_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    index("project_phase_history_project_idx").on(t.projectId, t.createdAt),
    nullableEnumCheck("project_phase_history_from_check", t.fromPhase, PROJECT_PHASES),
    enumCheck("project_phase_history_to_check", t.toPhase, PROJECT_PHASES),
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
    status: text("status", { enum: ADD_ON_STATUSES }).notNull().default("REQUESTED"),
    description: text("description").notNull().default(""),
    creditCost: integer("credit_cost").notNull(),
    /** The SPEND row that reserved the credits, and the REFUND row if it was rejected. */
    spendTransactionId: text("spend_transaction_id").references(() => creditTransactions.id, {
      onDelete: "set null",
    }),
    refundTransactionId: text("refund_transaction_id").references(() => creditTransactions.id, {
      onDelete: "set null",
    }),
    reviewedById: text("reviewed_by_id").references(() => users.id, { onDelete: "set null" }),
    reviewNotes: text("review_notes"),
    reviewedAt: timestamp("reviewed_at"),
    completedAt: timestamp("completed_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("service_add_ons_project_idx").on(t.projectId, t.createdAt),
    index("service_add_ons_status_idx").on(t.status, t.createdAt),
    enumCheck("service_add_ons_type_check", t.type, ADD_ON_TYPES),
    enumCheck("service_add_ons_status_check", t.status, ADD_ON_STATUSES),
    nonNegative("service_add_ons_credit_cost_check", t.creditCost),
  ],
);

export type ServiceProject = typeof serviceProjects.$inferSelect;
export type NewServiceProject = typeof serviceProjects.$inferInsert;
export type ProjectPhaseHistory = typeof projectPhaseHistory.$inferSelect;
export type ServiceAddOn = typeof serviceAddOns.$inferSelect;
