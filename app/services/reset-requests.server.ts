import { createId } from "@paralleldrive/cuid2";
import { alias } from "drizzle-orm/sqlite-core";
import { and, desc, eq, lt, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "#db/client";
import {
  auditLogs,
  digitalProducts,
  downloadResetRequests,
  licenses,
  users,
  type ResetRequestStatus,
} from "#db/schema";
import { can } from "~/domain/auth/permissions";
import { clampPageSize, decodeCursor, paginate } from "~/domain/catalog/cursor";
import { resetRequestDecidedEmail } from "~/domain/email/templates";
import { maskLicenseKey } from "~/domain/licenses/key";
import { refuse, type Result } from "~/domain/refusal";
import { auditStatement, type AuditActor, type AuditRequestInfo } from "./audit.server";
import { insertWhen } from "./conditional-insert.server";
import { queueEmail } from "./email-outbox.server";

/**
 * Download reset requests (docs/architecture.md §8): the owner asks with a reason, one pending request
 * per license (a partial unique index); MODERATOR+ approves or rejects with notes. Approval
 * sets `licenses.download_window_reset_at`, so downloads issued before it stop counting.
 */

/** `conflict`: a request is already pending (asking) or already decided (reviewing). */
export type ResetResult = Result<{ requestId: string }, "not-found" | "forbidden" | "conflict">;

export async function createResetRequest(
  db: Database,
  input: {
    actor: AuditActor;
    licenseId: string;
    reason: string;
    now: Date;
    request: AuditRequestInfo;
  },
): Promise<ResetResult> {
  const { actor, licenseId, now } = input;
  const [license] = await db
    .select({ id: licenses.id })
    .from(licenses)
    .where(and(eq(licenses.id, licenseId), eq(licenses.userId, actor.id)));
  if (!license) return refuse("not-found", "not-found", "We couldn't find that license.");
  const requestId = createId();
  const inserted = sql`exists (select 1 from "download_reset_requests" q where q."id" = ${requestId})`;
  const [rows] = await db.batch([
    // The partial unique index refuses a second PENDING request; DO NOTHING turns that into
    // "no row" instead of an error, and the audit row follows only a real insert.
    db
      .insert(downloadResetRequests)
      .values({
        id: requestId,
        licenseId,
        userId: actor.id,
        reason: input.reason,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning({ id: downloadResetRequests.id }),
    insertWhen(
      db,
      auditLogs,
      auditStatement(db, {
        actor,
        action: "RESET_REQUESTED",
        entityType: "reset_request",
        entityId: requestId,
        metadata: { licenseId, reason: input.reason },
        request: input.request,
        at: now,
      }),
      inserted,
    ),
  ]);
  if (rows.length === 0) {
    return refuse(
      "conflict",
      "conflict",
      "You already have a reset request waiting for review for this license. We'll email you when it's decided.",
    );
  }
  return { ok: true, requestId };
}

export interface ResetRequestView {
  id: string;
  licenseId: string;
  status: ResetRequestStatus;
  reason: string;
  reviewNotes: string | null;
  reviewedAt: Date | null;
  createdAt: Date;
}

const viewColumns = {
  id: downloadResetRequests.id,
  licenseId: downloadResetRequests.licenseId,
  status: downloadResetRequests.status,
  reason: downloadResetRequests.reason,
  reviewNotes: downloadResetRequests.reviewNotes,
  reviewedAt: downloadResetRequests.reviewedAt,
  createdAt: downloadResetRequests.createdAt,
};

/** The owner's latest reset requests for one license, newest first. */
export async function listLicenseResetRequests(
  db: Database,
  input: { userId: string; licenseId: string },
  limit = 5,
): Promise<ResetRequestView[]> {
  return db
    .select(viewColumns)
    .from(downloadResetRequests)
    .where(
      and(
        eq(downloadResetRequests.licenseId, input.licenseId),
        eq(downloadResetRequests.userId, input.userId),
      ),
    )
    .orderBy(desc(downloadResetRequests.createdAt), desc(downloadResetRequests.id))
    .limit(limit);
}

// ---- Staff -----------------------------------------------------------------------------------

const reviewers = alias(users, "reviewers");

const staffColumns = {
  ...viewColumns,
  requesterId: users.id,
  requesterEmail: users.email,
  requesterName: users.name,
  productName: digitalProducts.name,
  keyLast5: licenses.keyLast5,
  licenseStatus: licenses.status,
  reviewerEmail: reviewers.email,
};

type StaffRow = {
  keyLast5: string;
} & Record<string, unknown>;

const present = <T extends StaffRow>({ keyLast5, ...rest }: T) => ({
  ...rest,
  maskedKey: maskLicenseKey(keyLast5),
});

function staffQuery(db: Database) {
  return db
    .select(staffColumns)
    .from(downloadResetRequests)
    .innerJoin(users, eq(users.id, downloadResetRequests.userId))
    .innerJoin(licenses, eq(licenses.id, downloadResetRequests.licenseId))
    .innerJoin(digitalProducts, eq(digitalProducts.id, licenses.productId))
    .leftJoin(reviewers, eq(reviewers.id, downloadResetRequests.reviewedById));
}

/** Requests for review, newest first, optionally by status; keyset-paginated. */
export async function searchResetRequests(
  db: Database,
  input: { status?: ResetRequestStatus; cursor?: string; pageSize?: number },
) {
  const limit = clampPageSize(input.pageSize);
  const conditions: SQL[] = [];
  if (input.status) conditions.push(eq(downloadResetRequests.status, input.status));
  const cursor = decodeCursor(input.cursor);
  if (cursor) {
    const at = new Date(cursor.sortKey);
    conditions.push(
      or(
        lt(downloadResetRequests.createdAt, at),
        and(eq(downloadResetRequests.createdAt, at), lt(downloadResetRequests.id, cursor.id)),
      )!,
    );
  }
  const rows = await staffQuery(db)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(downloadResetRequests.createdAt), desc(downloadResetRequests.id))
    .limit(limit + 1);
  return paginate(rows.map(present), limit, (item) => ({
    sortKey: item.createdAt.getTime(),
    id: item.id,
  }));
}
export type ResetRequestListItem = Awaited<ReturnType<typeof searchResetRequests>>["items"][number];

export async function getResetRequest(db: Database, requestId: string) {
  const [row] = await staffQuery(db).where(eq(downloadResetRequests.id, requestId)).limit(1);
  return row ? present(row) : null;
}
export type ResetRequestDetail = NonNullable<Awaited<ReturnType<typeof getResetRequest>>>;

/**
 * Approve or reject a pending request. One batch, every statement conditioned on the request
 * still being PENDING (checked before the request's own UPDATE): two moderators deciding at
 * once produce one decision, one audit row, one email and at most one window reset.
 */
export async function reviewResetRequest(
  db: Database,
  input: {
    actor: AuditActor;
    requestId: string;
    decision: "approve" | "reject";
    notes: string | null;
    now: Date;
    request: AuditRequestInfo;
  },
): Promise<ResetResult> {
  const { actor, requestId, decision, now } = input;
  if (!can(actor.role, "reset-requests:review")) {
    return refuse("forbidden", "forbidden", "Your role can't review reset requests.");
  }
  const row = await getResetRequest(db, requestId);
  if (!row) return refuse("not-found", "not-found", "There is no such reset request.");
  if (row.status !== "PENDING") {
    return refuse(
      "conflict",
      "conflict",
      `This request has already been ${row.status.toLowerCase()}.`,
    );
  }
  const status = decision === "approve" ? "APPROVED" : "REJECTED";
  const pending = sql`exists (select 1 from "download_reset_requests" q where q."id" = ${requestId} and q."status" = 'PENDING')`;
  const [audited] = await db.batch([
    insertWhen(
      db,
      auditLogs,
      auditStatement(db, {
        actor,
        action: decision === "approve" ? "RESET_APPROVED" : "RESET_REJECTED",
        entityType: "reset_request",
        entityId: requestId,
        metadata: { licenseId: row.licenseId, notes: input.notes },
        request: input.request,
        at: now,
      }),
      pending,
    ).returning({ id: auditLogs.id }),
    queueEmail(
      db,
      {
        to: row.requesterEmail,
        ...resetRequestDecidedEmail({
          decision,
          requesterName: row.requesterName,
          productName: row.productName,
          licenseId: row.licenseId,
          notes: input.notes,
        }),
        dedupeKey: `reset-request:${requestId}:${status}`,
        at: now,
      },
      { when: pending },
    ),
    ...(decision === "approve"
      ? [
          db
            .update(licenses)
            .set({ downloadWindowResetAt: now, updatedAt: now })
            .where(and(eq(licenses.id, row.licenseId), pending)),
        ]
      : []),
    db
      .update(downloadResetRequests)
      .set({
        status,
        reviewedById: actor.id,
        reviewNotes: input.notes,
        reviewedAt: now,
        updatedAt: now,
      })
      .where(
        and(eq(downloadResetRequests.id, requestId), eq(downloadResetRequests.status, "PENDING")),
      ),
  ]);
  if (audited.length === 0) {
    return refuse(
      "conflict",
      "conflict",
      "Someone else decided this request just now. Reload to see the decision.",
    );
  }
  return { ok: true, requestId };
}
