import { and, asc, desc, eq, inArray, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "#db/client";
import { AUDIT_ROW_COLUMNS } from "../audit.server";
import {
  auditLogs,
  memberships,
  projectPhaseHistory,
  serviceAddOns,
  serviceProjects,
  users,
  type AddOnStatus,
  type ProjectPhase,
  type ServiceCategory,
  type ServiceStatus,
} from "#db/schema";
import type { ProjectQueue } from "~/domain/projects/labels";

import { loadProject } from "./projects.server";

/** Reading projects and add-ons for the client's pages, the staff pages and the digest. */

export const PROJECT_PAGE_SIZE = 25;
const DAY_MS = 86_400_000;
const HISTORY_LIMIT = 100;

/** Midnight UTC of `now`: a deadline before it is overdue (deadlines are dates). */
const startOfDay = (now: Date) => Math.floor(now.getTime() / DAY_MS) * DAY_MS;

/** Past its deadline (before today, UTC) and neither delivered nor cancelled. */
export const overdueSql = (now: Date) =>
  sql<number>`(${serviceProjects.status} in ('ACTIVE', 'PAUSED') and ${serviceProjects.deadline} is not null and ${serviceProjects.deadline} < ${startOfDay(now)})`;

/** A client's request that staff have neither accepted nor declined yet. */
export const awaitingAnswerSql = sql<number>`(${serviceProjects.acceptedAt} is null and ${serviceProjects.status} = 'ACTIVE')`;

const listColumns = {
  id: serviceProjects.id,
  title: serviceProjects.title,
  category: serviceProjects.category,
  phase: serviceProjects.phase,
  status: serviceProjects.status,
  acceptedAt: serviceProjects.acceptedAt,
  deadline: serviceProjects.deadline,
  requestedDeadline: serviceProjects.requestedDeadline,
  createdAt: serviceProjects.createdAt,
  pendingAddOns: sql<number>`(select count(*) from "service_add_ons" s where s."project_id" = ${serviceProjects.id} and s."status" = 'PENDING')`,
};

/** The client's own projects, newest first. */
export function listClientProjects(db: Database, userId: string) {
  return db
    .select(listColumns)
    .from(serviceProjects)
    .where(eq(serviceProjects.clientId, userId))
    .orderBy(desc(serviceProjects.createdAt), desc(serviceProjects.id))
    .limit(200);
}

const addOnColumns = {
  id: serviceAddOns.id,
  type: serviceAddOns.type,
  status: serviceAddOns.status,
  description: serviceAddOns.description,
  creditCost: serviceAddOns.creditCost,
  reserved: sql<boolean>`${serviceAddOns.spendTransactionId} is not null`.mapWith(Boolean),
  refunded: sql<boolean>`${serviceAddOns.refundTransactionId} is not null`.mapWith(Boolean),
  reviewNotes: serviceAddOns.reviewNotes,
  pricedAt: serviceAddOns.pricedAt,
  startedAt: serviceAddOns.startedAt,
  completedAt: serviceAddOns.completedAt,
  withdrawnAt: serviceAddOns.withdrawnAt,
  createdAt: serviceAddOns.createdAt,
  updatedAt: serviceAddOns.updatedAt,
};

/** A project's stints, add-ons, history and the client's credit balance, in one round trip. */
async function projectDetail(db: Database, projectId: string, clientId: string) {
  const [stints, addOns, history, membership] = await db.batch([
    db
      .select({
        id: projectPhaseHistory.id,
        phase: projectPhaseHistory.phase,
        startedAt: projectPhaseHistory.startedAt,
        completedAt: projectPhaseHistory.completedAt,
        notes: projectPhaseHistory.notes,
      })
      .from(projectPhaseHistory)
      .where(eq(projectPhaseHistory.projectId, projectId))
      .orderBy(asc(projectPhaseHistory.startedAt), asc(sql`rowid`)),
    db
      .select(addOnColumns)
      .from(serviceAddOns)
      .where(eq(serviceAddOns.projectId, projectId))
      .orderBy(desc(serviceAddOns.createdAt), desc(serviceAddOns.id)),
    db
      .select(AUDIT_ROW_COLUMNS)
      .from(auditLogs)
      .where(
        or(
          and(eq(auditLogs.entityType, "project"), eq(auditLogs.entityId, projectId)),
          and(
            eq(auditLogs.entityType, "add_on"),
            inArray(
              auditLogs.entityId,
              db
                .select({ id: serviceAddOns.id })
                .from(serviceAddOns)
                .where(eq(serviceAddOns.projectId, projectId)),
            ),
          ),
        ),
      )
      .orderBy(desc(auditLogs.createdAt), desc(auditLogs.id))
      .limit(HISTORY_LIMIT),
    db
      .select({
        status: memberships.status,
        totalCredits: memberships.totalCredits,
        usedCredits: memberships.usedCredits,
      })
      .from(memberships)
      // The pool the client spends from: the membership they have a seat on, else their own.
      .where(
        sql`${memberships.id} = coalesce((select s."membership_id" from "membership_members" s where s."user_id" = ${clientId}), (select o."id" from "memberships" o where o."user_id" = ${clientId}))`,
      )
      .limit(1),
  ]);
  const member = membership[0];
  return {
    stints,
    addOns,
    history,
    credits: member
      ? { status: member.status, balance: member.totalCredits - member.usedCredits }
      : null,
  };
}

/** One of the client's projects, or null: someone else's project does not exist for them. */
export async function getClientProject(db: Database, input: { userId: string; projectId: string }) {
  const [project] = await db
    .select()
    .from(serviceProjects)
    .where(and(eq(serviceProjects.id, input.projectId), eq(serviceProjects.clientId, input.userId)))
    .limit(1);
  if (!project) return null;
  return { project, ...(await projectDetail(db, project.id, project.clientId)) };
}

/** A project for staff, with its client. */
export async function getProjectForStaff(db: Database, projectId: string) {
  const loaded = await loadProject(db, projectId);
  if (!loaded) return null;
  return { ...loaded, ...(await projectDetail(db, projectId, loaded.client.id)) };
}

export interface ProjectFilters {
  queue?: ProjectQueue;
  phase?: ProjectPhase;
  status?: ServiceStatus;
  category?: ServiceCategory;
  /** Part of the client's email or name. */
  client?: string;
  page: number;
}

const likePattern = (value: string) => `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * `/admin/projects`: filtered, overdue first (then requests waiting for an answer, then by
 * deadline), a page at a time.
 */
export async function searchProjects(db: Database, filters: ProjectFilters, now: Date) {
  const conditions: SQL[] = [];
  if (filters.queue === "requests") conditions.push(awaitingAnswerSql);
  if (filters.queue === "overdue") conditions.push(overdueSql(now));
  if (filters.phase) conditions.push(eq(serviceProjects.phase, filters.phase));
  if (filters.status) conditions.push(eq(serviceProjects.status, filters.status));
  if (filters.category) conditions.push(eq(serviceProjects.category, filters.category));
  if (filters.client) {
    const pattern = likePattern(filters.client.toLowerCase());
    conditions.push(
      or(
        sql`${users.email} like ${pattern} escape '\\'`,
        sql`lower(${users.name}) like ${pattern} escape '\\'`,
      )!,
    );
  }
  const where = conditions.length > 0 ? and(...conditions) : undefined;
  const offset = (filters.page - 1) * PROJECT_PAGE_SIZE;
  // Not a batch: D1 batches hand back rows keyed by column name, and joins repeat "id".
  const [rows, [total]] = await Promise.all([
    db
      .select({
        ...listColumns,
        overdue: overdueSql(now).mapWith(Boolean),
        clientId: users.id,
        clientName: users.name,
        clientEmail: users.email,
      })
      .from(serviceProjects)
      .innerJoin(users, eq(users.id, serviceProjects.clientId))
      .where(where)
      .orderBy(
        desc(overdueSql(now)),
        desc(awaitingAnswerSql),
        sql`${serviceProjects.deadline} is null`,
        asc(serviceProjects.deadline),
        desc(serviceProjects.createdAt),
        asc(serviceProjects.id),
      )
      .limit(PROJECT_PAGE_SIZE)
      .offset(offset),
    db
      .select({ count: sql<number>`count(*)` })
      .from(serviceProjects)
      .innerJoin(users, eq(users.id, serviceProjects.clientId))
      .where(where),
  ]);
  return numberedPage(rows, filters.page, total?.count ?? 0);
}

/** The order of the add-on queue: work waiting for staff first. */
const QUEUE_ORDER: readonly AddOnStatus[] = [
  "PENDING",
  "APPROVED",
  "IN_PROGRESS",
  "COMPLETED",
  "REJECTED",
];

/** `/admin/add-ons`: pending first (oldest first within the open ones), a page at a time. */
export async function addOnQueue(db: Database, filters: { status?: AddOnStatus; page: number }) {
  const where = filters.status ? eq(serviceAddOns.status, filters.status) : undefined;
  const rank = sql.raw(
    `(case "service_add_ons"."status" ${QUEUE_ORDER.map((status, index) => `when '${status}' then ${index}`).join(" ")} end)`,
  );
  const open = sql`${serviceAddOns.status} in ('PENDING', 'APPROVED', 'IN_PROGRESS')`;
  // Not a batch: D1 batches hand back rows keyed by column name, and joins repeat "id".
  const [rows, [total]] = await Promise.all([
    db
      .select({
        ...addOnColumns,
        projectId: serviceProjects.id,
        projectTitle: serviceProjects.title,
        projectPhase: serviceProjects.phase,
        clientName: users.name,
        clientEmail: users.email,
      })
      .from(serviceAddOns)
      .innerJoin(serviceProjects, eq(serviceProjects.id, serviceAddOns.projectId))
      .innerJoin(users, eq(users.id, serviceProjects.clientId))
      .where(where)
      .orderBy(
        asc(rank),
        // Open work oldest first (it has waited longest); finished work newest first.
        sql`case when ${open} then ${serviceAddOns.createdAt} else -${serviceAddOns.updatedAt} end`,
        asc(serviceAddOns.id),
      )
      .limit(PROJECT_PAGE_SIZE)
      .offset((filters.page - 1) * PROJECT_PAGE_SIZE),
    db
      .select({ count: sql<number>`count(*)` })
      .from(serviceAddOns)
      .where(where),
  ]);
  return numberedPage(rows, filters.page, total?.count ?? 0);
}

/** Add-ons waiting this long for staff appear in the daily digest. */
export const ADD_ON_IDLE_DAYS = 2;

/** What the daily digest lists: overdue projects and add-ons waiting more than two days. */
export async function digestItems(db: Database, now: Date) {
  const idleSince = now.getTime() - ADD_ON_IDLE_DAYS * DAY_MS;
  const [overdue, idle] = await db.batch([
    db
      .select({
        id: serviceProjects.id,
        title: serviceProjects.title,
        phase: serviceProjects.phase,
        deadline: serviceProjects.deadline,
        clientName: users.name,
      })
      .from(serviceProjects)
      .innerJoin(users, eq(users.id, serviceProjects.clientId))
      .where(sql`${overdueSql(now)}`)
      .orderBy(asc(serviceProjects.deadline))
      .limit(200),
    db
      .select({
        id: serviceAddOns.id,
        type: serviceAddOns.type,
        status: serviceAddOns.status,
        createdAt: serviceAddOns.createdAt,
        projectTitle: serviceProjects.title,
      })
      .from(serviceAddOns)
      .innerJoin(serviceProjects, eq(serviceProjects.id, serviceAddOns.projectId))
      .where(
        and(eq(serviceAddOns.status, "PENDING"), sql`${serviceAddOns.createdAt} < ${idleSince}`),
      )
      .orderBy(asc(serviceAddOns.createdAt))
      .limit(200),
  ]);
  return { overdue, idle };
}

/** One page of a numbered list: its rows, where it is, and how many there are in all. */
function numberedPage<Row>(items: Row[], page: number, total: number) {
  return { items, page, pages: Math.max(1, Math.ceil(total / PROJECT_PAGE_SIZE)), total };
}
