import { createId } from "@paralleldrive/cuid2";
import type { Database } from "#db/client";
import {
  creditTransactions,
  membershipMembers,
  memberships,
  type Membership,
  type MembershipTier,
} from "#db/schema";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface MembershipInput {
  userId: string;
  tier?: MembershipTier;
  credits?: number;
  periodStart?: Date;
  periodDays?: number;
  autoRenew?: boolean;
  /** Defaults to the end of the first period (paid up). */
  paidThrough?: Date | null;
}

/** A membership with its OWNER seat and opening INITIAL_ALLOCATION ledger row, in one atomic batch. */
export async function createMembership(db: Database, input: MembershipInput): Promise<Membership> {
  const id = createId();
  const start = input.periodStart ?? new Date();
  const end = new Date(start.getTime() + (input.periodDays ?? 30) * DAY_MS);
  const credits = input.credits ?? 10;

  const [inserted] = await db.batch([
    db
      .insert(memberships)
      .values({
        id,
        userId: input.userId,
        tier: input.tier ?? "PRO",
        totalCredits: credits,
        usedCredits: 0,
        currentPeriodStart: start,
        currentPeriodEnd: end,
        autoRenew: input.autoRenew ?? true,
        paidThrough: input.paidThrough === undefined ? end : input.paidThrough,
        createdAt: start,
        updatedAt: start,
      })
      .returning(),
    db.insert(creditTransactions).values({
      membershipId: id,
      userId: input.userId,
      type: "INITIAL_ALLOCATION",
      amount: credits,
      balance: credits,
      description: "Opening allocation",
      idempotencyKey: `membership:${id}:allocation:${start.getTime()}`,
      reference: `period:${start.getTime()}`,
      createdAt: start,
    }),
    db.insert(membershipMembers).values({
      membershipId: id,
      userId: input.userId,
      role: "OWNER",
      createdAt: start,
      updatedAt: start,
    }),
  ]);
  return inserted[0]!;
}
