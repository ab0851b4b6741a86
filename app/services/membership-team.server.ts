import { createId } from "@paralleldrive/cuid2";
import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import type { Database } from "#db/client";
import {
  auditLogs,
  creditTransactions,
  membershipInvitations,
  membershipMembers,
  memberships,
  users,
  type MembershipMemberRole,
} from "#db/schema";
import type { AuditAction } from "~/domain/audit/actions";
import {
  membershipInvitationEmail,
  membershipMemberJoinedEmail,
  membershipMemberLeftEmail,
  membershipMemberRemovedEmail,
} from "~/domain/email/templates";
import {
  INVITATION_TOKEN_SHAPE,
  INVITATION_TTL_MS,
  invitationLink,
  seatsLeft,
} from "~/domain/memberships/team";
import { TIERS } from "~/domain/memberships/tiers";
import { refuse, type Refusal, type Result } from "~/domain/refusal";
import { randomToken, sha256TokenHash } from "~/lib/hmac.server";
import {
  auditRowWritten,
  auditStatement,
  type AuditActor,
  type AuditRequestInfo,
} from "./audit.server";
import { insertWhen } from "./conditional-insert.server";
import { queueEmail } from "./email-outbox.server";
import { namedBatch } from "./named-batch.server";

/**
 * Shared memberships (issue 15 item 1, the brief's `Membership.users`): the owner of a PRO or
 * MANAGED membership invites teammates by email; they spend from the same credit pool (the
 * ledger's `spend` names the spender and holds their per-period cap). A user belongs to at most
 * one membership (`membership_members.user_id` is unique). Every change is one batch with its
 * audit row and emails, each guarded so a request that loses a race writes nothing.
 */

/** Statuses in which a membership still exists for its people (EXPIRED and CANCELLED are over). */
const LIVE = sql.raw(`('ACTIVE', 'PAUSED', 'PAST_DUE')`);

export interface TeamActionInput {
  userId: string;
  actor: AuditActor;
  request?: AuditRequestInfo;
  now: Date;
}

// ---- Reading ----------------------------------------------------------------------------------

/** The membership a user has a seat on (as its owner or a teammate), with their role and cap. */
export async function findMembershipOfUser(db: Database, userId: string) {
  const columns = {
    membershipId: memberships.id,
    ownerId: memberships.userId,
    tier: memberships.tier,
    status: memberships.status,
    totalCredits: memberships.totalCredits,
    usedCredits: memberships.usedCredits,
    currentPeriodStart: memberships.currentPeriodStart,
    currentPeriodEnd: memberships.currentPeriodEnd,
    ownerName: users.name,
    ownerEmail: users.email,
  };
  const [seat] = await db
    .select({
      ...columns,
      seatId: membershipMembers.id,
      role: membershipMembers.role,
      periodCap: membershipMembers.periodCap,
    })
    .from(membershipMembers)
    .innerJoin(memberships, eq(memberships.id, membershipMembers.membershipId))
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(membershipMembers.userId, userId))
    .limit(1);
  if (seat) return seat;
  // An owner whose seat row is missing (a membership written before seats existed) still owns it.
  const [owned] = await db
    .select(columns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.userId, userId))
    .limit(1);
  if (!owned) return null;
  return {
    ...owned,
    seatId: null as string | null,
    role: "OWNER" as MembershipMemberRole,
    periodCap: null as number | null,
  };
}
export type MembershipOfUser = NonNullable<Awaited<ReturnType<typeof findMembershipOfUser>>>;

const isLive = (status: string) =>
  status === "ACTIVE" || status === "PAUSED" || status === "PAST_DUE";

/**
 * What each person spent in the current period: the credits of their USAGE rows minus the
 * REFUND rows that reverse them (a rejected add-on gives its credits back).
 */
export async function usageThisPeriod(
  db: Database,
  input: { membershipId: string; periodStart: Date },
): Promise<Map<string, number>> {
  const rows = await db
    .select({
      userId: creditTransactions.userId,
      spent: sql<number>`coalesce(sum(-${creditTransactions.amount}), 0) - coalesce(sum((select sum(r."amount") from "credit_transactions" r where r."reverses_id" = ${creditTransactions.id} and r."type" = 'REFUND')), 0)`,
    })
    .from(creditTransactions)
    .where(
      and(
        eq(creditTransactions.membershipId, input.membershipId),
        eq(creditTransactions.type, "USAGE"),
        sql`${creditTransactions.createdAt} >= ${input.periodStart.getTime()}`,
      ),
    )
    .groupBy(creditTransactions.userId);
  return new Map(rows.map((row) => [row.userId, Math.max(0, Number(row.spent))]));
}

/** The team section of /account/membership: seats, people with their usage, invitations. */
export async function getTeamOverview(
  db: Database,
  input: { membership: MembershipOfUser; viewerId: string; now: Date },
) {
  const { membership } = input;
  const [people, invitations, usage] = await Promise.all([
    db
      .select({
        id: membershipMembers.id,
        userId: membershipMembers.userId,
        role: membershipMembers.role,
        periodCap: membershipMembers.periodCap,
        name: users.name,
        email: users.email,
        joinedAt: membershipMembers.createdAt,
      })
      .from(membershipMembers)
      .innerJoin(users, eq(users.id, membershipMembers.userId))
      .where(eq(membershipMembers.membershipId, membership.membershipId))
      .orderBy(asc(membershipMembers.role), asc(membershipMembers.createdAt)),
    db
      .select({
        id: membershipInvitations.id,
        email: membershipInvitations.email,
        expiresAt: membershipInvitations.expiresAt,
        createdAt: membershipInvitations.createdAt,
      })
      .from(membershipInvitations)
      .where(
        and(
          eq(membershipInvitations.membershipId, membership.membershipId),
          eq(membershipInvitations.status, "PENDING"),
        ),
      )
      .orderBy(asc(membershipInvitations.createdAt)),
    usageThisPeriod(db, {
      membershipId: membership.membershipId,
      periodStart: membership.currentPeriodStart,
    }),
  ]);
  const seats = TIERS[membership.tier].seats;
  const ownerListed = people.some((person) => person.role === "OWNER");
  const members = people.map((person) => ({ ...person, usage: usage.get(person.userId) ?? 0 }));
  const live = invitations.filter((invitation) => invitation.expiresAt > input.now);
  const used = members.length + (ownerListed ? 0 : 1);
  return {
    seats,
    seatsUsed: used,
    seatsLeft: seatsLeft({ seats, members: used, pending: live.length }),
    members,
    invitations: invitations.map((invitation) => ({
      ...invitation,
      expired: invitation.expiresAt <= input.now,
    })),
    ownerUsage: usage.get(membership.ownerId) ?? 0,
    viewerUsage: usage.get(input.viewerId) ?? 0,
  };
}
export type TeamOverview = Awaited<ReturnType<typeof getTeamOverview>>;

// ---- Shared guards ----------------------------------------------------------------------------

const notOwner = () =>
  refuse("forbidden", "not-owner", "Only the membership's owner can manage its team.");

/** The caller's membership, if they own a live one. */
async function ownedLiveMembership(
  db: Database,
  userId: string,
): Promise<Result<{ membership: MembershipOfUser }, "no-membership" | "not-owner" | "not-live">> {
  const membership = await findMembershipOfUser(db, userId);
  if (!membership) {
    return refuse("conflict", "no-membership", "You have no membership to share.");
  }
  if (membership.role !== "OWNER") return notOwner();
  if (!isLive(membership.status)) {
    return refuse("conflict", "not-live", "Your membership has ended, so it can't be shared.");
  }
  return { ok: true, membership };
}

/** The owner's seat row, written if missing (memberships older than seats). */
function ownerSeatStatement(db: Database, membership: MembershipOfUser, now: Date) {
  return db
    .insert(membershipMembers)
    .values({
      membershipId: membership.membershipId,
      userId: membership.ownerId,
      role: "OWNER",
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing({ target: membershipMembers.userId });
}

function teamAudit(
  db: Database,
  input: TeamActionInput & {
    membershipId: string;
    action: AuditAction;
    metadata: Record<string, unknown>;
    when: SQL;
    id?: string;
  },
) {
  return insertWhen(
    db,
    auditLogs,
    auditStatement(db, {
      ...(input.id ? { id: input.id } : {}),
      actor: input.actor,
      action: input.action,
      entityType: "membership",
      entityId: input.membershipId,
      metadata: input.metadata,
      request: input.request,
      at: input.now,
    }),
    input.when,
  );
}

// ---- Inviting ---------------------------------------------------------------------------------

export type InviteRefusal =
  | "no-membership"
  | "not-owner"
  | "not-live"
  | "no-seats"
  | "tier-alone"
  | "self"
  | "already-member"
  | "changed";

/**
 * The owner invites an address: a random token, stored hashed, in a link that works for 7 days
 * and once. A pending invitation to the same address is sent again (new link), never duplicated;
 * a new one needs a free seat, counting the invitations still waiting.
 */
export async function inviteTeammate(
  db: Database,
  input: TeamActionInput & { email: string; origin: string },
): Promise<Result<{ message: string; resent: boolean }, InviteRefusal>> {
  const owned = await ownedLiveMembership(db, input.userId);
  if (!owned.ok) return owned;
  const { membership } = owned;
  const email = input.email.trim().toLowerCase();
  const tier = TIERS[membership.tier];
  if (tier.seats <= 1) {
    return refuse(
      "limit",
      "tier-alone",
      `${tier.name} is for one person. Pro and Managed memberships can be shared with teammates.`,
      { field: "email" },
    );
  }
  if (email === membership.ownerEmail) {
    return refuse("invalid", "self", "That's your own address: you already have this membership.", {
      field: "email",
    });
  }
  const [invitee] = await db
    .select({
      id: users.id,
      seatMembership: membershipMembers.membershipId,
      seatStatus: memberships.status,
    })
    .from(users)
    .leftJoin(membershipMembers, eq(membershipMembers.userId, users.id))
    .leftJoin(memberships, eq(memberships.id, membershipMembers.membershipId))
    .where(eq(users.email, email))
    .limit(1);
  if (invitee?.seatMembership && invitee.seatStatus && isLive(invitee.seatStatus)) {
    return refuse(
      "conflict",
      "already-member",
      invitee.seatMembership === membership.membershipId
        ? `${email} is already on your team.`
        : `${email} already belongs to another membership; a person can be on one membership at a time.`,
      { field: "email" },
    );
  }

  const [pending] = await db
    .select({ id: membershipInvitations.id })
    .from(membershipInvitations)
    .where(
      and(
        eq(membershipInvitations.membershipId, membership.membershipId),
        eq(membershipInvitations.email, email),
        eq(membershipInvitations.status, "PENDING"),
      ),
    )
    .limit(1);

  const token = randomToken(32);
  const tokenHash = await sha256TokenHash(token);
  const expiresAt = new Date(input.now.getTime() + INVITATION_TTL_MS);
  const auditId = createId();
  const done = auditRowWritten(auditId);
  const nowMs = input.now.getTime();
  const live = sql`exists (select 1 from "memberships" m where m."id" = ${membership.membershipId} and m."user_id" = ${input.userId} and m."status" in ${LIVE})`;
  const mail = membershipInvitationEmail({
    ownerName: membership.ownerName,
    tierName: tier.name,
    link: invitationLink(input.origin, token),
    expiresAt,
  });

  const invitationId = pending?.id ?? createId();
  // A free seat: people on the membership (the owner counted even without a row) plus other
  // invitations still waiting, below the tier's seats. Checked inside the INSERT: two invites
  // sent at once cannot both take the last seat.
  const seatFree = sql`(
    (select count(*) from "membership_members" s where s."membership_id" = ${membership.membershipId} and s."user_id" <> ${membership.ownerId})
    + 1
    + (select count(*) from "membership_invitations" i where i."membership_id" = ${membership.membershipId} and i."status" = 'PENDING' and i."expires_at" > ${nowMs} and i."id" <> ${invitationId})
  ) < ${tier.seats}`;
  const notOnTeam = sql`not exists (select 1 from "membership_members" s join "users" u on u."id" = s."user_id" join "memberships" sm on sm."id" = s."membership_id" where u."email" = ${email} and sm."status" in ${LIVE})`;

  const statements = {
    ownerSeat: ownerSeatStatement(db, membership, input.now),
    audit: teamAudit(db, {
      ...input,
      id: auditId,
      membershipId: membership.membershipId,
      action: "MEMBERSHIP_INVITATION_SENT",
      metadata: { invitationId, email, resent: Boolean(pending) },
      when: pending
        ? sql`${live} and ${notOnTeam} and ${seatFree} and exists (select 1 from "membership_invitations" i where i."id" = ${invitationId} and i."status" = 'PENDING')`
        : sql`${live} and ${notOnTeam} and ${seatFree}`,
    }),
    invitation: pending
      ? db
          .update(membershipInvitations)
          .set({ tokenHash, expiresAt, invitedById: input.userId, updatedAt: input.now })
          .where(and(eq(membershipInvitations.id, invitationId), done))
      : insertWhen(
          db,
          membershipInvitations,
          db
            .insert(membershipInvitations)
            .values({
              id: invitationId,
              membershipId: membership.membershipId,
              email,
              tokenHash,
              status: "PENDING",
              invitedById: input.userId,
              expiresAt,
              createdAt: input.now,
              updatedAt: input.now,
            })
            .onConflictDoNothing(),
          done,
        ),
    email: queueEmail(db, { ...mail, to: email, at: input.now }, { when: done }),
  };
  await namedBatch(db, statements);
  const [written] = await db
    .select({ id: membershipInvitations.id })
    .from(membershipInvitations)
    .where(
      and(
        eq(membershipInvitations.id, invitationId),
        eq(membershipInvitations.tokenHash, tokenHash),
      ),
    )
    .limit(1);
  if (!written) {
    const again = await db
      .select({ id: membershipMembers.id })
      .from(membershipMembers)
      .innerJoin(users, eq(users.id, membershipMembers.userId))
      .where(eq(users.email, email))
      .limit(1);
    if (again.length > 0) {
      return refuse("conflict", "already-member", `${email} already belongs to a membership.`, {
        field: "email",
      });
    }
    return refuse(
      "limit",
      "no-seats",
      `All ${tier.seats} seats of your ${tier.name} membership are taken or invited. Remove a teammate or withdraw an invitation first.`,
      { field: "email" },
    );
  }
  return {
    ok: true,
    resent: Boolean(pending),
    message: pending
      ? `We sent the invitation to ${email} again, with a new link.`
      : `We emailed an invitation to ${email}.`,
  };
}

/** The owner withdraws a pending invitation: its link stops working. */
export async function revokeInvitation(
  db: Database,
  input: TeamActionInput & { invitationId: string },
): Promise<Result<{ message: string }, "no-membership" | "not-owner" | "not-live" | "not-found">> {
  const owned = await ownedLiveMembership(db, input.userId);
  if (!owned.ok) return owned;
  const { membership } = owned;
  const [invitation] = await db
    .select({ email: membershipInvitations.email })
    .from(membershipInvitations)
    .where(
      and(
        eq(membershipInvitations.id, input.invitationId),
        eq(membershipInvitations.membershipId, membership.membershipId),
        eq(membershipInvitations.status, "PENDING"),
      ),
    )
    .limit(1);
  if (!invitation) return refuse("not-found", "not-found", "There is no such invitation.");
  const { revoked } = await namedBatch(db, {
    revoked: db
      .update(membershipInvitations)
      .set({ status: "REVOKED", respondedAt: input.now, updatedAt: input.now })
      .where(
        and(
          eq(membershipInvitations.id, input.invitationId),
          eq(membershipInvitations.status, "PENDING"),
        ),
      )
      .returning({ id: membershipInvitations.id }),
    audit: teamAudit(db, {
      ...input,
      membershipId: membership.membershipId,
      action: "MEMBERSHIP_INVITATION_REVOKED",
      metadata: { invitationId: input.invitationId, email: invitation.email },
      // Follows this batch's UPDATE: two revokes in the same millisecond (workerd's clock only
      // moves on I/O) would both see the winner's `responded_at`.
      when: sql`changes() = 1`,
    }),
  });
  if (revoked.length === 0) {
    return refuse("not-found", "not-found", "There is no such invitation.");
  }
  return { ok: true, message: `The invitation to ${invitation.email} is withdrawn.` };
}

// ---- Joining ----------------------------------------------------------------------------------

export type InvitationRefusal = "invalid" | "expired" | "used" | "revoked" | "ended";

const LINK: Record<InvitationRefusal, Refusal<InvitationRefusal>> = {
  invalid: refuse("not-found", "invalid", "This invitation link doesn't work. Ask for a new one."),
  expired: refuse(
    "gone",
    "expired",
    "This invitation has expired. Ask the owner to send it again.",
  ),
  used: refuse("gone", "used", "This invitation has already been used."),
  revoked: refuse("gone", "revoked", "The owner withdrew this invitation."),
  ended: refuse("gone", "ended", "The membership of this invitation has ended."),
};

/** The invitation behind a link's token, for the join page (reading spends nothing). */
export async function findInvitation(
  db: Database,
  input: { token: string | undefined; now: Date },
) {
  if (!input.token || !INVITATION_TOKEN_SHAPE.test(input.token)) return LINK.invalid;
  const tokenHash = await sha256TokenHash(input.token);
  const [row] = await db
    .select({
      id: membershipInvitations.id,
      membershipId: membershipInvitations.membershipId,
      email: membershipInvitations.email,
      status: membershipInvitations.status,
      expiresAt: membershipInvitations.expiresAt,
      tier: memberships.tier,
      membershipStatus: memberships.status,
      ownerId: memberships.userId,
      ownerName: users.name,
      ownerEmail: users.email,
    })
    .from(membershipInvitations)
    .innerJoin(memberships, eq(memberships.id, membershipInvitations.membershipId))
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(membershipInvitations.tokenHash, tokenHash))
    .limit(1);
  if (!row) return LINK.invalid;
  if (row.status === "ACCEPTED") return LINK.used;
  if (row.status === "REVOKED") return LINK.revoked;
  if (row.expiresAt.getTime() <= input.now.getTime()) return LINK.expired;
  if (!isLive(row.membershipStatus)) return LINK.ended;
  return { ok: true as const, invitation: { ...row, tierName: TIERS[row.tier].name } };
}
export type FoundInvitation = Extract<
  Awaited<ReturnType<typeof findInvitation>>,
  { ok: true }
>["invitation"];

export type AcceptRefusal =
  | InvitationRefusal
  | "email-unverified"
  | "wrong-email"
  | "already-member"
  | "owns-membership"
  | "no-seats";

/**
 * The logged-in user accepts: their verified address must be the invited one, and they may
 * not already have a seat or own a live membership. The seat, the spent invitation, the audit
 * row and the owner's email are one batch; of two parallel accepts, one writes.
 */
export async function acceptInvitation(
  db: Database,
  input: TeamActionInput & { token: string | undefined },
): Promise<Result<{ membershipId: string; ownerName: string }, AcceptRefusal>> {
  const found = await findInvitation(db, input);
  if (!found.ok) return found;
  const { invitation } = found;
  const [user] = await db
    .select({ email: users.email, name: users.name, verifiedAt: users.emailVerifiedAt })
    .from(users)
    .where(eq(users.id, input.userId))
    .limit(1);
  if (!user) return LINK.invalid;
  if (!user.verifiedAt) {
    return refuse(
      "forbidden",
      "email-unverified",
      `Confirm your email address first: we sent a link to ${user.email}. Then open this invitation again.`,
    );
  }
  if (user.email !== invitation.email) {
    return refuse(
      "forbidden",
      "wrong-email",
      `This invitation was sent to ${invitation.email}, but you are logged in as ${user.email}. Log in with the invited address, or ask the owner to invite ${user.email}.`,
    );
  }
  const current = await findMembershipOfUser(db, input.userId);
  if (current && isLive(current.status)) {
    if (current.role === "OWNER") {
      return refuse(
        "conflict",
        "owns-membership",
        "You have a membership of your own, and a person can be on one membership at a time. Let yours end (turn off auto-renew) before joining a team.",
      );
    }
    return refuse(
      "conflict",
      "already-member",
      current.membershipId === invitation.membershipId
        ? "You are already on this team."
        : `You are on ${current.ownerName}'s team membership; leave it before joining another.`,
    );
  }

  const seats = TIERS[invitation.tier].seats;
  const nowMs = input.now.getTime();
  const seatId = createId();
  const joined = sql`exists (select 1 from "membership_members" s where s."id" = ${seatId})`;
  const usable = sql`exists (select 1 from "membership_invitations" i join "memberships" m on m."id" = i."membership_id" where i."id" = ${invitation.id} and i."status" = 'PENDING' and i."expires_at" > ${nowMs} and m."status" in ${LIVE})`;
  const noLiveSeat = sql`not exists (select 1 from "membership_members" s join "memberships" m on m."id" = s."membership_id" where s."user_id" = ${input.userId} and m."status" in ${LIVE})`;
  const ownsNoLive = sql`not exists (select 1 from "memberships" m where m."user_id" = ${input.userId} and m."status" in ${LIVE})`;
  const seatFree = sql`(
    (select count(*) from "membership_members" s where s."membership_id" = ${invitation.membershipId} and s."user_id" <> ${invitation.ownerId}) + 1
  ) < ${seats}`;
  const owner = { name: invitation.ownerName, email: invitation.ownerEmail };

  const results = await namedBatch(db, {
    // A seat on a membership that has ended (their own, expired) gives way to the new one.
    staleSeat: db
      .delete(membershipMembers)
      .where(
        and(
          eq(membershipMembers.userId, input.userId),
          sql`${membershipMembers.membershipId} in (select m."id" from "memberships" m where m."status" not in ${LIVE})`,
          usable,
        ),
      ),
    seat: insertWhen(
      db,
      membershipMembers,
      db
        .insert(membershipMembers)
        .values({
          id: seatId,
          membershipId: invitation.membershipId,
          userId: input.userId,
          role: "MEMBER",
          periodCap: null,
          addedById: invitation.ownerId,
          createdAt: input.now,
          updatedAt: input.now,
        })
        .onConflictDoNothing(),
      sql`${usable} and ${noLiveSeat} and ${ownsNoLive} and ${seatFree}`,
    ),
    invitation: db
      .update(membershipInvitations)
      .set({
        status: "ACCEPTED",
        acceptedById: input.userId,
        respondedAt: input.now,
        updatedAt: input.now,
      })
      .where(and(eq(membershipInvitations.id, invitation.id), joined))
      .returning({ id: membershipInvitations.id }),
    audit: teamAudit(db, {
      ...input,
      membershipId: invitation.membershipId,
      action: "MEMBERSHIP_MEMBER_JOINED",
      metadata: { invitationId: invitation.id, memberId: input.userId },
      when: joined,
    }),
    email: queueEmail(
      db,
      {
        ...membershipMemberJoinedEmail({
          ownerName: owner.name,
          memberName: user.name,
          memberEmail: user.email,
        }),
        to: owner.email,
        at: input.now,
      },
      { when: joined },
    ),
  });
  if (results.invitation.length === 0) {
    const again = await findInvitation(db, input);
    if (!again.ok) return again;
    const seated = await findMembershipOfUser(db, input.userId);
    if (seated && isLive(seated.status)) {
      return refuse("conflict", "already-member", "You already belong to a membership.");
    }
    return refuse(
      "limit",
      "no-seats",
      "Every seat of this membership is taken. Ask the owner to free one.",
    );
  }
  return { ok: true, membershipId: invitation.membershipId, ownerName: owner.name };
}

// ---- Managing teammates -----------------------------------------------------------------------

type SeatRefusal = "no-membership" | "not-owner" | "not-live" | "not-found";

async function teammateOf(db: Database, membershipId: string, seatId: string) {
  const [seat] = await db
    .select({
      id: membershipMembers.id,
      userId: membershipMembers.userId,
      periodCap: membershipMembers.periodCap,
      name: users.name,
      email: users.email,
    })
    .from(membershipMembers)
    .innerJoin(users, eq(users.id, membershipMembers.userId))
    .where(
      and(
        eq(membershipMembers.id, seatId),
        eq(membershipMembers.membershipId, membershipId),
        eq(membershipMembers.role, "MEMBER"),
      ),
    )
    .limit(1);
  return seat ?? null;
}

const noTeammate = () => refuse("not-found", "not-found", "There is no such teammate.");

/** The owner removes a teammate: the seat goes (they keep nothing); their past USAGE rows stay. */
export async function removeTeammate(
  db: Database,
  input: TeamActionInput & { memberId: string },
): Promise<Result<{ message: string }, SeatRefusal>> {
  const membership = await findMembershipOfUser(db, input.userId);
  if (!membership) return refuse("conflict", "no-membership", "You have no membership.");
  if (membership.role !== "OWNER") return notOwner();
  const seat = await teammateOf(db, membership.membershipId, input.memberId);
  if (!seat) return noTeammate();
  const auditId = createId();
  const seatThere = sql`exists (select 1 from "membership_members" s where s."id" = ${seat.id} and s."membership_id" = ${membership.membershipId} and s."role" = 'MEMBER')`;
  await namedBatch(db, {
    audit: teamAudit(db, {
      ...input,
      id: auditId,
      membershipId: membership.membershipId,
      action: "MEMBERSHIP_MEMBER_REMOVED",
      metadata: { memberId: seat.userId },
      when: seatThere,
    }),
    email: queueEmail(
      db,
      {
        ...membershipMemberRemovedEmail({ memberName: seat.name, ownerName: membership.ownerName }),
        to: seat.email,
        at: input.now,
      },
      { when: auditRowWritten(auditId) },
    ),
    seat: db
      .delete(membershipMembers)
      .where(and(eq(membershipMembers.id, seat.id), auditRowWritten(auditId))),
  });
  return { ok: true, message: `${seat.name} is no longer on your team.` };
}

/** A teammate leaves the pool they share (the owner cannot: their membership is theirs). */
export async function leaveMembership(
  db: Database,
  input: TeamActionInput,
): Promise<Result<{ message: string }, "no-membership" | "owner">> {
  const membership = await findMembershipOfUser(db, input.userId);
  if (!membership || !membership.seatId) {
    return refuse("conflict", "no-membership", "You are not on anyone's team.");
  }
  if (membership.role === "OWNER") {
    return refuse(
      "conflict",
      "owner",
      "You own this membership; turn off auto-renew to let it end instead.",
    );
  }
  const [me] = await db
    .select({ name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, input.userId))
    .limit(1);
  const auditId = createId();
  const seatThere = sql`exists (select 1 from "membership_members" s where s."id" = ${membership.seatId} and s."role" = 'MEMBER')`;
  await namedBatch(db, {
    audit: teamAudit(db, {
      ...input,
      id: auditId,
      membershipId: membership.membershipId,
      action: "MEMBERSHIP_MEMBER_LEFT",
      metadata: { memberId: input.userId },
      when: seatThere,
    }),
    email: queueEmail(
      db,
      {
        ...membershipMemberLeftEmail({
          ownerName: membership.ownerName,
          memberName: me?.name ?? "A teammate",
          memberEmail: me?.email ?? "",
        }),
        to: membership.ownerEmail,
        at: input.now,
      },
      { when: auditRowWritten(auditId) },
    ),
    seat: db
      .delete(membershipMembers)
      .where(and(eq(membershipMembers.id, membership.seatId), auditRowWritten(auditId))),
  });
  return { ok: true, message: `You left ${membership.ownerName}'s membership.` };
}

/** The owner sets (or clears, `cap` null) what a teammate may spend per period. */
export async function setTeammateCap(
  db: Database,
  input: TeamActionInput & { memberId: string; cap: number | null },
): Promise<Result<{ message: string }, SeatRefusal>> {
  if (input.cap !== null && (!Number.isSafeInteger(input.cap) || input.cap < 0)) {
    throw new RangeError("A cap is a non-negative integer or null");
  }
  const membership = await findMembershipOfUser(db, input.userId);
  if (!membership) return refuse("conflict", "no-membership", "You have no membership.");
  if (membership.role !== "OWNER") return notOwner();
  const seat = await teammateOf(db, membership.membershipId, input.memberId);
  if (!seat) return noTeammate();
  const { updated } = await namedBatch(db, {
    updated: db
      .update(membershipMembers)
      .set({ periodCap: input.cap, updatedAt: input.now })
      .where(
        and(
          eq(membershipMembers.id, seat.id),
          eq(membershipMembers.membershipId, membership.membershipId),
        ),
      )
      .returning({ id: membershipMembers.id }),
    audit: teamAudit(db, {
      ...input,
      membershipId: membership.membershipId,
      action: "MEMBERSHIP_MEMBER_CAP_CHANGED",
      metadata: { memberId: seat.userId, from: seat.periodCap, to: input.cap },
      when: sql`changes() = 1`,
    }),
  });
  if (updated.length === 0) return noTeammate();
  return {
    ok: true,
    message:
      input.cap === null
        ? `${seat.name} has no cap now.`
        : `${seat.name} may spend up to ${input.cap} credits per period.`,
  };
}

// ---- Checkout -----------------------------------------------------------------------------------

/** The sentence that refuses a subscription to someone on another person's team, or null. */
export async function teammateSeatBlock(db: Database, userId: string): Promise<string | null> {
  const membership = await findMembershipOfUser(db, userId);
  if (!membership || membership.role !== "MEMBER" || !isLive(membership.status)) return null;
  return `You are on ${membership.ownerName}'s team membership; leave it before starting your own.`;
}
