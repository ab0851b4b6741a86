import { env } from "cloudflare:test";
import { asc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { creditTransactions, memberships } from "#db/schema";
import { TIERS } from "~/domain/memberships/tiers";
import {
  checkLedger,
  renewDueMemberships,
  resumePausedMemberships,
  spend,
  topUp,
} from "~/services/ledger.server";
import { createMembership, createUser } from "../factories";

/**
 * Issue 15 at the period turn: paid credits survive renewal, a downgrade waits for the period
 * end, a paused membership is skipped and resumes on its date, a failed payment holds credits
 * for a grace period and then ends the membership. Periods start in 2012 so no other
 * membership of this file's storage is due at the same ticks.
 */
const db = createDb(env.DB);
const DAY = 86_400_000;
let offset = 0;
const periodStart = () => new Date(Date.UTC(2012, 0, 1) + (offset += 40) * DAY);

async function row(id: string) {
  const [found] = await db.select().from(memberships).where(eq(memberships.id, id));
  return found!;
}
async function ledger(id: string) {
  const rows = await db
    .select()
    .from(creditTransactions)
    .where(eq(creditTransactions.membershipId, id))
    .orderBy(asc(sql`rowid`));
  return rows.map((r) => [r.type, r.amount, r.balance, r.paidBalance]);
}
async function member(input: { tier?: "BASIC_ACCESS" | "PRO" | "MANAGED"; credits?: number }) {
  const user = await createUser(db);
  const membership = await createMembership(db, {
    userId: user.id,
    periodStart: periodStart(),
    ...input,
  });
  return { user, membership };
}
const entry = (membershipId: string, key: string, at: Date) => ({
  membershipId,
  idempotencyKey: `${membershipId}:${key}`,
  description: key,
  now: at,
});

describe("paid credits at the period turn (ADR 0010)", () => {
  it("keeps a credit pack bought before renewal whole; period credits are spent first", async () => {
    const { membership } = await member({ tier: "BASIC_ACCESS", credits: 10 });
    const mid = new Date(membership.currentPeriodStart.getTime() + 5 * DAY);
    expect((await topUp(db, { ...entry(membership.id, "pack", mid), amount: 25 })).ok).toBe(true);
    expect((await spend(db, { ...entry(membership.id, "use", mid), amount: 4 })).ok).toBe(true);
    // 6 period credits left (cap 5) and 25 bought ones.
    const run = await renewDueMemberships(db, {
      now: new Date(membership.currentPeriodEnd.getTime() + 1),
    });
    expect(run.renewed).toBe(1);
    expect(await row(membership.id)).toMatchObject({
      totalCredits: 25 + 5 + TIERS.BASIC_ACCESS.creditsPerPeriod,
      usedCredits: 0,
      paidCredits: 25,
    });
    expect(await ledger(membership.id)).toEqual([
      ["INITIAL_ALLOCATION", 10, 10, 0],
      ["TOP_UP", 25, 35, 25],
      ["USAGE", -4, 31, 25],
      ["EXPIRY", -6, 25, 25],
      ["ROLLOVER", 5, 30, 25],
      ["RENEWAL", 10, 40, 25],
    ]);
    // The next spend takes the 15 period credits before any bought one.
    const next = new Date(membership.currentPeriodEnd.getTime() + 2 * DAY);
    await spend(db, { ...entry(membership.id, "use-2", next), amount: 18 });
    expect(await row(membership.id)).toMatchObject({ paidCredits: 22 });
    expect(await checkLedger(db, membership.id)).toMatchObject({ ok: true });
  });

  it("keeps bought credits on a membership that ends, and expires only the period's", async () => {
    const { membership } = await member({ tier: "PRO", credits: 40 });
    await db.update(memberships).set({ autoRenew: false }).where(eq(memberships.id, membership.id));
    await topUp(db, { ...entry(membership.id, "pack", membership.currentPeriodStart), amount: 10 });
    await renewDueMemberships(db, { now: new Date(membership.currentPeriodEnd.getTime() + 1) });
    expect(await row(membership.id)).toMatchObject({
      status: "EXPIRED",
      totalCredits: 10,
      usedCredits: 0,
      paidCredits: 10,
    });
    expect((await ledger(membership.id)).at(-1)).toEqual(["EXPIRY", -40, 10, 10]);
    expect(await checkLedger(db, membership.id)).toMatchObject({ ok: true });
  });
});

describe("a downgrade waits for the period end", () => {
  it("keeps the tier until the turn, then allocates the lower tier once", async () => {
    const { membership } = await member({ tier: "PRO", credits: 40 });
    await db
      .update(memberships)
      .set({ pendingTier: "BASIC_ACCESS" })
      .where(eq(memberships.id, membership.id));
    const before = new Date(membership.currentPeriodEnd.getTime() - 1);
    await renewDueMemberships(db, { now: before });
    expect(await row(membership.id)).toMatchObject({ tier: "PRO", pendingTier: "BASIC_ACCESS" });

    const turn = new Date(membership.currentPeriodEnd.getTime() + 1);
    await renewDueMemberships(db, { now: turn });
    await renewDueMemberships(db, { now: turn });
    const after = await row(membership.id);
    expect(after).toMatchObject({ tier: "BASIC_ACCESS", pendingTier: null });
    // 40 left; PRO's cap (the period that ended) carries 20; BASIC_ACCESS allocates 10.
    expect(after.totalCredits).toBe(TIERS.PRO.rolloverCap + TIERS.BASIC_ACCESS.creditsPerPeriod);
    expect(after.currentPeriodEnd.getTime() - after.currentPeriodStart.getTime()).toBe(
      TIERS.BASIC_ACCESS.periodDays * DAY,
    );
    expect((await ledger(membership.id)).filter(([type]) => type === "RENEWAL")).toEqual([
      ["RENEWAL", 10, 30, 0],
    ]);
  });
});

describe("a paused membership", () => {
  it("is skipped by the renewal job and resumes on its date with the days it had left", async () => {
    const { membership } = await member({ tier: "PRO", credits: 40 });
    const pausedAt = new Date(membership.currentPeriodStart.getTime() + 10 * DAY);
    const pauseEndsAt = new Date(pausedAt.getTime() + 30 * DAY);
    await db
      .update(memberships)
      .set({ status: "PAUSED", pausedAt, pauseEndsAt })
      .where(eq(memberships.id, membership.id));

    const spent = await spend(db, { ...entry(membership.id, "use", pausedAt), amount: 1 });
    expect(spent).toMatchObject({ ok: false, reason: "membership-paused" });

    // The period would have ended at day 30: nothing happens while paused.
    const duringPause = new Date(membership.currentPeriodEnd.getTime() + DAY);
    expect(await resumePausedMemberships(db, { now: duringPause })).toBe(0);
    await renewDueMemberships(db, { now: duringPause });
    expect(await row(membership.id)).toMatchObject({ status: "PAUSED", totalCredits: 40 });
    expect(await ledger(membership.id)).toHaveLength(1);

    // On its date it resumes: the period end and paid-through move by the 30 days paused.
    expect(await resumePausedMemberships(db, { now: pauseEndsAt })).toBe(1);
    const resumed = await row(membership.id);
    expect(resumed).toMatchObject({ status: "ACTIVE", pausedAt: null, pauseEndsAt: null });
    expect(resumed.currentPeriodEnd.getTime()).toBe(
      membership.currentPeriodEnd.getTime() + 30 * DAY,
    );
    expect(resumed.paidThrough?.getTime()).toBe(membership.currentPeriodEnd.getTime() + 30 * DAY);
    expect(await resumePausedMemberships(db, { now: pauseEndsAt })).toBe(0);
    expect((await spend(db, { ...entry(membership.id, "use-2", pauseEndsAt), amount: 1 })).ok).toBe(
      true,
    );
  });
});

describe("a failed renewal payment (PAST_DUE)", () => {
  it("holds the credits during the grace period, then ends the membership", async () => {
    const { membership } = await member({ tier: "PRO", credits: 40 });
    const failedAt = new Date(membership.currentPeriodEnd.getTime() + 1);
    const graceEndsAt = new Date(failedAt.getTime() + 7 * DAY);
    await db
      .update(memberships)
      .set({ status: "PAST_DUE", graceEndsAt })
      .where(eq(memberships.id, membership.id));

    const spent = await spend(db, { ...entry(membership.id, "use", failedAt), amount: 1 });
    expect(spent).toMatchObject({ ok: false, reason: "membership-past-due" });

    await renewDueMemberships(db, { now: new Date(graceEndsAt.getTime() - 1) });
    expect(await row(membership.id)).toMatchObject({ status: "PAST_DUE", totalCredits: 40 });

    await renewDueMemberships(db, { now: graceEndsAt });
    expect(await row(membership.id)).toMatchObject({
      status: "EXPIRED",
      graceEndsAt: null,
      totalCredits: 0,
    });
    expect(await checkLedger(db, membership.id)).toMatchObject({ ok: true });
  });
});
