import { createId } from "@paralleldrive/cuid2";
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Database } from "#db/client";
import {
  creditTransactions,
  memberships,
  serviceAddOns,
  serviceProjects,
  type AddOnType,
} from "#db/schema";
import type { AuditAction } from "~/domain/audit/actions";
import { emailVerificationBlock, type EmailUnverifiedReason } from "~/domain/auth/email-rules";
import { can } from "~/domain/auth/permissions";
import {
  ADD_ONS,
  checkAddOnRequest,
  CUSTOM_DESCRIPTION_REQUIRED,
  extraRevisionPhase,
  planAddOnMove,
  rushedDeadline,
  type AddOnMove,
} from "~/domain/projects/add-ons";
import { planPhaseChange } from "~/domain/projects/phases";
import { refuse, type Refusal, type Result } from "~/domain/refusal";
import { insertWhen } from "../conditional-insert.server";
import { explainSpendRefusal, refundStatements, spendStatements } from "../ledger.server";
import { findMembershipOfUser } from "../membership-team.server";
import {
  emailStatement,
  staffEmailStatements,
  staffRecipients,
  studioEmails,
} from "./emails.server";
import {
  auditRowExists,
  auditWhen,
  loadProject,
  phaseChangeStatements,
  phaseStateOf,
  projectNotFound,
  type ActorInput,
  type ProjectDeps,
} from "./projects.server";

/**
 * Add-ons paid with credits (docs/architecture.md §10). Asking for one reserves its credits
 * through the ledger (a USAGE row naming the add-on, CREDIT_USED and ADD_ON_REQUESTED, one
 * batch); rejecting or withdrawing it writes a REFUND of exactly those credits; completing it
 * has its effect on the project. Each step is one batch with its audit row and emails, guarded
 * like the project changes (see projects.server.ts).
 */

type BatchItem = Parameters<Database["batch"]>[0][number];

const ADD_ON_NOT_FOUND = "There is no such add-on.";
const addOnNotFound = (): Refusal<"not-found"> =>
  refuse("not-found", "not-found", ADD_ON_NOT_FOUND);

const rowExists = (table: "credit_transactions" | "service_add_ons", id: string) =>
  sql`exists (select 1 from ${sql.identifier(table)} x where x."id" = ${id})`;

const addOnWhere = (addOnId: string, condition: string) =>
  sql`exists (select 1 from "service_add_ons" s where s."id" = ${addOnId} and ${sql.raw(condition)})`;

const statusList = (statuses: readonly string[]) =>
  statuses.map((status) => `'${status}'`).join(", ");

/** The pool the client spends from: their own membership or the one they have a seat on. */
async function membershipOf(db: Database, userId: string) {
  const membership = await findMembershipOfUser(db, userId);
  if (!membership) return null;
  // The spender: the client, checked against their seat. An owner whose membership has no seat
  // rows yet (one fulfilled before seats existed) spends as the owner, which they are.
  const spenderId = membership.seatId ? userId : null;
  return { id: membership.membershipId, status: membership.status, spenderId };
}

export type ReserveRefusal =
  | "no-membership"
  | "low-balance"
  | "membership-inactive"
  | "membership-paused"
  | "membership-past-due"
  | "over-teammate-cap"
  | "not-a-member"
  | "not-available";

/** The sentence for a spend that did not fit: the page shows it with the balance and a top-up link. */
async function reserveRefusal(
  db: Database,
  input: {
    membershipId: string;
    spenderId: string | null;
    idempotencyKey: string;
    amount: number;
    name: string;
  },
): Promise<Refusal<ReserveRefusal>> {
  const why = await explainSpendRefusal(db, input);
  if (why.status === "refused" && why.reason === "over-teammate-cap") {
    return refuse(
      "limit",
      "over-teammate-cap",
      `${input.name} costs ${input.amount} credits, which would take you over the cap the membership's owner set for you this period. Ask them to raise it.`,
    );
  }
  if (why.status === "refused" && why.reason === "not-a-member") {
    return refuse(
      "forbidden",
      "not-a-member",
      "You are no longer on this membership's team, so you can't spend its credits.",
    );
  }
  if (
    why.status === "refused" &&
    (why.reason === "membership-paused" || why.reason === "membership-past-due")
  ) {
    return refuse("forbidden", why.reason, why.message);
  }
  if (why.status === "refused" && why.reason === "membership-inactive") {
    return refuse(
      "forbidden",
      "membership-inactive",
      "Your membership has ended, so its credits can't be used. Subscribe again on the pricing page.",
    );
  }
  if (why.status === "refused" && why.reason === "insufficient-credits") {
    const [membership] = await db
      .select({ total: memberships.totalCredits, used: memberships.usedCredits })
      .from(memberships)
      .where(eq(memberships.id, input.membershipId));
    const balance = membership ? membership.total - membership.used : 0;
    return refuse(
      "limit",
      "low-balance",
      `${input.name} costs ${input.amount} credits; you have ${balance}. Top up your credits, then ask again.`,
    );
  }
  return refuse(
    "conflict",
    "not-available",
    "The project changed just now, so this add-on can't be requested any more. Reload to see it.",
  );
}

const noMembership = () =>
  refuse(
    "limit",
    "no-membership",
    "Add-ons are paid with credits, and you have no membership yet. See the tiers on the pricing page.",
  );

// ---- The client asks ---------------------------------------------------------------------------

/**
 * `intent=add-on` on the client's project page. A priced add-on reserves its credits in the same
 * batch; a CUSTOM one waits for the studio's price (nothing is used until the client confirms).
 */
export async function requestAddOn(
  deps: ProjectDeps,
  input: ActorInput & {
    projectId: string;
    clientId: string;
    type: AddOnType;
    description: string | null;
  },
): Promise<
  Result<
    { addOnId: string; credits: number | null },
    ReserveRefusal | "not-found" | EmailUnverifiedReason | "not-active" | "description-missing"
  >
> {
  const { db } = deps;
  const { now, actor } = input;
  const loaded = await loadProject(db, input.projectId);
  if (!loaded || loaded.project.clientId !== input.clientId) return projectNotFound();
  const { project, client } = loaded;
  const unverified = emailVerificationBlock(client);
  if (unverified) return unverified;
  const allowed = checkAddOnRequest(phaseStateOf(project), input.type);
  if (!allowed.ok) return allowed;
  const { config } = allowed;
  const description = input.description ?? "";
  if (config.credits === null && !description) {
    return refuse("invalid", "description-missing", CUSTOM_DESCRIPTION_REQUIRED, {
      field: "description",
    });
  }

  const addOnId = createId();
  const staff = await staffRecipients(db);
  const addOnRow = (spendTransactionId: string | null) =>
    db.insert(serviceAddOns).values({
      id: addOnId,
      projectId: project.id,
      requestedById: actor.id,
      type: input.type,
      status: "PENDING",
      description,
      creditCost: config.credits,
      spendTransactionId,
      createdAt: now,
      updatedAt: now,
    });
  const auditAndEmails = (when: SQL): BatchItem[] => [
    auditWhen(db, input, {
      action: "ADD_ON_REQUESTED",
      entityType: "add_on",
      entityId: addOnId,
      metadata: { projectId: project.id, type: input.type, credits: config.credits },
      when,
    }),
    emailStatement(db, {
      to: client,
      email: studioEmails.addOnRequested(project, config),
      now,
      when,
    }),
    ...staffEmailStatements(db, {
      staff,
      email: studioEmails.addOnRequestedStaff(project, { ...config, description }),
      now,
      when,
    }),
  ];

  if (config.credits === null) {
    await db.batch([addOnRow(null), ...auditAndEmails(rowExists("service_add_ons", addOnId))]);
    return { ok: true, addOnId, credits: null };
  }

  const membership = await membershipOf(db, input.clientId);
  if (!membership) return noMembership();
  const idempotencyKey = `add-on:${addOnId}`;
  const stillAllowed = sql`exists (select 1 from "service_projects" p where p."id" = ${project.id} and p."accepted_at" is not null and p."status" <> 'CANCELLED' and p."phase" in (${sql.raw(statusList(config.phases))}))`;
  const spend = spendStatements(db, {
    membershipId: membership.id,
    spenderId: membership.spenderId,
    idempotencyKey,
    amount: config.credits,
    description: `${config.name} (add-on) for ${project.title}`,
    reference: `add-on:${addOnId}`,
    guard: stillAllowed,
    actor,
    request: input.request,
    now,
  });
  const reserved = rowExists("credit_transactions", spend.rowId);
  const [first] = await db.batch([
    ...(spend.statements as [BatchItem, ...BatchItem[]]),
    insertWhen(db, serviceAddOns, addOnRow(spend.rowId), reserved),
    ...auditAndEmails(reserved),
  ]);
  if ((first as unknown[]).length === 0) {
    return reserveRefusal(db, {
      membershipId: membership.id,
      spenderId: membership.spenderId,
      idempotencyKey,
      amount: config.credits,
      name: config.name,
    });
  }
  return { ok: true, addOnId, credits: config.credits };
}

// ---- Loading an add-on and its project -------------------------------------------------------------

async function loadAddOn(db: Database, addOnId: string) {
  const [row] = await db
    .select({
      addOn: serviceAddOns,
      clientId: serviceProjects.clientId,
      spendMembershipId: creditTransactions.membershipId,
    })
    .from(serviceAddOns)
    .innerJoin(serviceProjects, eq(serviceProjects.id, serviceAddOns.projectId))
    .leftJoin(creditTransactions, eq(creditTransactions.id, serviceAddOns.spendTransactionId))
    .where(eq(serviceAddOns.id, addOnId))
    .limit(1);
  if (!row) return null;
  const loaded = await loadProject(db, row.addOn.projectId);
  return loaded ? { ...row, ...loaded } : null;
}
type LoadedAddOn = NonNullable<Awaited<ReturnType<typeof loadAddOn>>>;

const stateOf = (addOn: LoadedAddOn["addOn"]) => ({
  type: addOn.type,
  status: addOn.status,
  creditCost: addOn.creditCost,
  reserved: addOn.spendTransactionId !== null,
});

/** The REFUND of exactly the credits an add-on reserved, guarded by `when`. */
function refundOf(db: Database, loaded: LoadedAddOn, input: ActorInput & { when: SQL }) {
  const { addOn } = loaded;
  if (!addOn.spendTransactionId || !addOn.creditCost || !loaded.spendMembershipId) return null;
  return refundStatements(db, {
    membershipId: loaded.spendMembershipId,
    idempotencyKey: `add-on-refund:${addOn.id}`,
    amount: addOn.creditCost,
    reversesId: addOn.spendTransactionId,
    description: `${ADD_ONS[addOn.type].name} (add-on) not done: credits refunded`,
    reference: `add-on:${addOn.id}`,
    guard: input.when,
    actor: input.actor,
    request: input.request,
    now: input.now,
  });
}

const staleAddOn = () =>
  refuse(
    "conflict",
    "stale",
    "This add-on changed just now (someone else acted on it); nothing was changed. Reload to see it.",
  );

type MoveRefusal =
  | "not-found"
  | "forbidden"
  | "stale"
  | "project-moved"
  | Extract<ReturnType<typeof planAddOnMove>, { ok: false }>["reason"];

/** One add-on move as a batch: the guarded audit row first, then `statements(done)`. */
async function applyMove(
  db: Database,
  loaded: LoadedAddOn,
  input: ActorInput & {
    move: AddOnMove;
    action: AuditAction;
    metadata: Record<string, unknown>;
    extraGuard?: SQL;
    statements: (done: SQL) => BatchItem[];
  },
): Promise<Result<object, MoveRefusal>> {
  const plan = planAddOnMove(stateOf(loaded.addOn), input.move);
  if (!plan.ok) return plan;
  const auditId = createId();
  const done = auditRowExists(auditId);
  const { addOn } = loaded;
  const guard = sql`exists (select 1 from "service_add_ons" s where s."id" = ${addOn.id} and s."status" = ${plan.from} and s."refund_transaction_id" is null and ${
    addOn.spendTransactionId
      ? sql`s."spend_transaction_id" = ${addOn.spendTransactionId}`
      : sql`s."spend_transaction_id" is null`
  })${input.extraGuard ? sql` and ${input.extraGuard}` : sql``}`;
  const [audited] = await db.batch([
    auditWhen(db, input, {
      id: auditId,
      action: input.action,
      entityType: "add_on",
      entityId: loaded.addOn.id,
      metadata: {
        projectId: loaded.project.id,
        type: loaded.addOn.type,
        from: plan.from,
        to: plan.to,
        ...input.metadata,
      },
      when: guard,
    }),
    ...input.statements(done),
  ]);
  if (audited.length === 0) return staleAddOn();
  return { ok: true };
}

/** `intent=withdraw-add-on`: a PENDING add-on goes back, REJECTED with `withdrawn_at`, refunded. */
export async function withdrawAddOn(
  deps: ProjectDeps,
  input: ActorInput & { addOnId: string; clientId: string },
): Promise<Result<object, MoveRefusal>> {
  const { db } = deps;
  const { now } = input;
  const loaded = await loadAddOn(db, input.addOnId);
  if (!loaded || loaded.clientId !== input.clientId) return addOnNotFound();
  const { addOn, project } = loaded;
  const config = ADD_ONS[addOn.type];
  const staff = await staffRecipients(db);
  return applyMove(db, loaded, {
    ...input,
    move: "withdraw",
    action: "ADD_ON_WITHDRAWN",
    metadata: { refunded: addOn.spendTransactionId ? addOn.creditCost : 0 },
    statements: (done) => {
      const refund = refundOf(db, loaded, { ...input, when: done });
      return [
        ...(refund?.statements ?? []),
        db
          .update(serviceAddOns)
          .set({
            status: "REJECTED",
            withdrawnAt: now,
            reviewNotes: "Withdrawn by the client",
            refundTransactionId: refund ? refundIdIfWritten(refund.rowId) : null,
            updatedAt: now,
          })
          .where(and(eq(serviceAddOns.id, addOn.id), done)),
        ...staffEmailStatements(db, {
          staff,
          email: studioEmails.addOnChangedByClientStaff(
            project,
            { name: config.name, credits: addOn.spendTransactionId ? addOn.creditCost : null },
            "withdrawn",
          ),
          now,
          when: done,
        }),
      ];
    },
  });
}

const refundIdIfWritten = (rowId: string) =>
  sql`(select ct."id" from "credit_transactions" ct where ct."id" = ${rowId})`;

/**
 * `intent=confirm-add-on`: the client accepts a CUSTOM add-on's price; its credits are reserved.
 * `credits` is the price the client saw: if staff changed it since, nothing is reserved.
 */
export async function confirmAddOn(
  deps: ProjectDeps,
  input: ActorInput & { addOnId: string; clientId: string; credits: number },
): Promise<Result<object, MoveRefusal | ReserveRefusal | "price-changed">> {
  const { db } = deps;
  const { now } = input;
  const loaded = await loadAddOn(db, input.addOnId);
  if (!loaded || loaded.clientId !== input.clientId) return addOnNotFound();
  const { addOn, project } = loaded;
  const plan = planAddOnMove(stateOf(addOn), "confirm");
  if (!plan.ok) return plan;
  const credits = addOn.creditCost!;
  if (credits !== input.credits) {
    return refuse(
      "conflict",
      "price-changed",
      `The studio changed the price to ${credits} credits since you opened the page; nothing was reserved. Check it and confirm again.`,
    );
  }
  const membership = await membershipOf(db, input.clientId);
  if (!membership) return noMembership();
  const idempotencyKey = `add-on:${addOn.id}`;
  const spend = spendStatements(db, {
    membershipId: membership.id,
    spenderId: membership.spenderId,
    idempotencyKey,
    amount: credits,
    description: `${ADD_ONS.CUSTOM.name} (add-on) for ${project.title}`,
    reference: `add-on:${addOn.id}`,
    guard: addOnWhere(
      addOn.id,
      `s."status" = 'PENDING' and s."spend_transaction_id" is null and s."credit_cost" = ${Math.trunc(credits)}`,
    ),
    actor: input.actor,
    request: input.request,
    now,
  });
  const reserved = rowExists("credit_transactions", spend.rowId);
  const [first] = await db.batch([
    ...(spend.statements as [BatchItem, ...BatchItem[]]),
    db
      .update(serviceAddOns)
      .set({ spendTransactionId: spend.rowId, updatedAt: now })
      .where(and(eq(serviceAddOns.id, addOn.id), reserved)),
    auditWhen(db, input, {
      action: "ADD_ON_CONFIRMED",
      entityType: "add_on",
      entityId: addOn.id,
      metadata: { projectId: project.id, type: addOn.type, credits },
      when: reserved,
    }),
    ...staffEmailStatements(db, {
      staff: await staffRecipients(db),
      email: studioEmails.addOnChangedByClientStaff(
        project,
        { name: ADD_ONS.CUSTOM.name, credits },
        "confirmed",
      ),
      now,
      when: reserved,
    }),
  ]);
  if ((first as unknown[]).length === 0) {
    return reserveRefusal(db, {
      membershipId: membership.id,
      spenderId: membership.spenderId,
      idempotencyKey,
      amount: credits,
      name: "This add-on",
    });
  }
  return { ok: true };
}

// ---- Staff ---------------------------------------------------------------------------------------

const staffOnly = (role: Parameters<typeof can>[0]) =>
  can(role, "projects:manage")
    ? null
    : refuse("forbidden", "forbidden", "Your role can't act on add-ons.");

/** Staff price a CUSTOM add-on; the client then confirms it (which reserves the credits). */
export async function priceAddOn(
  deps: ProjectDeps,
  input: ActorInput & { addOnId: string; credits: number; notes: string | null },
): Promise<Result<object, MoveRefusal>> {
  const { db } = deps;
  const { now } = input;
  const forbidden = staffOnly(input.actor.role);
  if (forbidden) return forbidden;
  const loaded = await loadAddOn(db, input.addOnId);
  if (!loaded) return addOnNotFound();
  const { addOn, project, client } = loaded;
  return applyMove(db, loaded, {
    ...input,
    move: "price",
    action: "ADD_ON_PRICED",
    metadata: { credits: input.credits, notes: input.notes },
    statements: (done) => [
      db
        .update(serviceAddOns)
        .set({
          creditCost: input.credits,
          pricedAt: now,
          reviewNotes: input.notes,
          reviewedById: input.actor.id,
          updatedAt: now,
        })
        .where(and(eq(serviceAddOns.id, addOn.id), done)),
      emailStatement(db, {
        to: client,
        email: studioEmails.addOnPriced(project, {
          name: ADD_ONS.CUSTOM.name,
          credits: input.credits,
        }),
        now,
        when: done,
      }),
    ],
  });
}

export type StaffAddOnMove = "approve" | "start" | "complete" | "reject";

const MOVE_AUDIT: Record<StaffAddOnMove, AuditAction> = {
  approve: "ADD_ON_APPROVED",
  start: "ADD_ON_STARTED",
  complete: "ADD_ON_COMPLETED",
  reject: "ADD_ON_REJECTED",
};
const MOVE_WORD = {
  approve: "approved",
  start: "started",
  complete: "completed",
  reject: "rejected",
} as const satisfies Record<StaffAddOnMove, string>;

/**
 * Staff approve, start, complete or reject an add-on. Rejecting refunds exactly the reserved
 * credits; completing has the add-on's effect on the project in the same batch.
 */
export async function moveAddOn(
  deps: ProjectDeps,
  input: ActorInput & { addOnId: string; move: StaffAddOnMove; notes: string | null },
): Promise<Result<{ effect: string | null }, MoveRefusal>> {
  const { db } = deps;
  const { now, move } = input;
  const forbidden = staffOnly(input.actor.role);
  if (forbidden) return forbidden;
  const loaded = await loadAddOn(db, input.addOnId);
  if (!loaded) return addOnNotFound();
  const { addOn, project, client } = loaded;
  const config = ADD_ONS[addOn.type];

  const completion = move === "complete" ? completionOf(db, loaded, input) : null;
  if (completion && !completion.ok) return completion;

  const result = await applyMove(db, loaded, {
    ...input,
    move,
    action: MOVE_AUDIT[move],
    metadata: {
      notes: input.notes,
      ...(move === "reject" ? { refunded: addOn.spendTransactionId ? addOn.creditCost : 0 } : {}),
      ...(completion?.ok ? { effect: completion.effect } : {}),
    },
    ...(completion?.ok ? { extraGuard: completion.guard } : {}),
    statements: (done) => {
      const refund = move === "reject" ? refundOf(db, loaded, { ...input, when: done }) : null;
      const changes =
        move === "approve"
          ? { status: "APPROVED" as const, reviewedById: input.actor.id, reviewedAt: now }
          : move === "start"
            ? { status: "IN_PROGRESS" as const, startedAt: now }
            : move === "complete"
              ? { status: "COMPLETED" as const, completedAt: now }
              : {
                  status: "REJECTED" as const,
                  reviewedById: input.actor.id,
                  reviewedAt: now,
                  refundTransactionId: refund ? refundIdIfWritten(refund.rowId) : null,
                };
      return [
        ...(refund?.statements ?? []),
        db
          .update(serviceAddOns)
          .set({
            ...changes,
            ...(input.notes ? { reviewNotes: input.notes } : {}),
            updatedAt: now,
          })
          .where(and(eq(serviceAddOns.id, addOn.id), done)),
        ...(completion?.ok ? completion.statements(done) : []),
        emailStatement(db, {
          to: client,
          email: studioEmails.addOnMoved(
            project,
            { name: config.name, credits: addOn.spendTransactionId ? addOn.creditCost : null },
            MOVE_WORD[move],
            input.notes,
          ),
          now,
          when: done,
        }),
      ];
    },
  });
  if (!result.ok) return result;
  return { ok: true, effect: completion?.ok ? completion.effect : null };
}

/** What completing the add-on does to its project, as guarded statements. */
function completionOf(
  db: Database,
  loaded: LoadedAddOn,
  input: ActorInput,
):
  | { ok: true; effect: string | null; guard?: SQL; statements: (done: SQL) => BatchItem[] }
  | Refusal<"project-moved"> {
  const { project } = loaded;
  const { now } = input;
  switch (loaded.addOn.type) {
    case "EXTRA_REVISION": {
      const phase = extraRevisionPhase(project);
      const column = phase === "DESIGN" ? "designRevisionsMax" : "buildRevisionsMax";
      return {
        ok: true,
        effect: `One more ${phase} revision allowed.`,
        statements: (done) => [
          db
            .update(serviceProjects)
            .set({ [column]: sql`${serviceProjects[column]} + 1`, updatedAt: now })
            .where(and(eq(serviceProjects.id, project.id), done)),
        ],
      };
    }
    case "RUSH_DELIVERY": {
      const deadline = rushedDeadline(project, now);
      if (!deadline) return { ok: true, effect: null, statements: () => [] };
      return {
        ok: true,
        effect: `Deadline moved to ${deadline.toISOString().slice(0, 10)}.`,
        statements: (done) => [
          db
            .update(serviceProjects)
            .set({ deadline, updatedAt: now })
            .where(and(eq(serviceProjects.id, project.id), done)),
        ],
      };
    }
    case "REOPEN_PROJECT": {
      const plan = planPhaseChange(phaseStateOf(project), { kind: "reopen" });
      if (!plan.ok) {
        return refuse(
          "conflict",
          "project-moved",
          "The project is no longer completed, so it can't be reopened; reject this add-on to refund its credits.",
        );
      }
      return {
        ok: true,
        effect: `Project reopened in ${plan.to.replace("_", " ")}.`,
        guard: sql`exists (select 1 from "service_projects" p where p."id" = ${project.id} and p."phase" = 'COMPLETED')`,
        statements: (done) => [
          auditWhen(db, input, {
            action: "PROJECT_PHASE_CHANGED",
            entityType: "project",
            entityId: project.id,
            metadata: {
              kind: "reopen",
              from: plan.from,
              to: plan.to,
              status: plan.status,
              addOnId: loaded.addOn.id,
            },
            when: done,
          }),
          ...phaseChangeStatements(db, {
            projectId: project.id,
            plan,
            notes: "Reopened by a REOPEN_PROJECT add-on",
            actor: input.actor,
            now,
            when: done,
          }),
        ],
      };
    }
    default:
      return { ok: true, effect: null, statements: () => [] };
  }
}
