import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import {
  auditLogs,
  creditTransactions,
  emailOutbox,
  membershipCheckouts,
  membershipMembers,
  memberships,
} from "#db/schema";
import { TIERS } from "~/domain/memberships/tiers";
import { parseEnv } from "~/lib/env.server";
import { checkLedger, spend, topUp } from "~/services/ledger.server";
import {
  getSeatsAndPacks,
  grantMembership,
  refundCreditPack,
} from "~/services/membership-staff.server";
import { createMembership, createUser } from "../factories";

/** Issue 15 item 7: staff refund credit packs and give memberships; seats and pool usage. */

const db = createDb(env.DB);
const appEnv = parseEnv(env);
const staffActor = async () => {
  const admin = await createUser(db, { role: "ADMIN" });
  return { id: admin.id, role: admin.role };
};

/** A counting fake of the two Stripe calls a pack refund makes. */
function fakeStripe() {
  const calls = { retrieve: 0, refunds: [] as Array<{ params: unknown; options: unknown }> };
  const stripe = {
    checkout: {
      sessions: {
        retrieve: async () => {
          calls.retrieve += 1;
          return { payment_intent: "pi_test_pack" };
        },
      },
    },
    refunds: {
      create: async (params: unknown, options: unknown) => {
        calls.refunds.push({ params, options });
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { id: `re_${calls.refunds.length}` };
      },
    },
  } as unknown as Pick<Stripe, "refunds" | "checkout">;
  return { stripe, calls };
}

/** A membership (10 period credits) with a 25-credit pack bought through `provider`. */
async function memberWithPack(provider: "STRIPE" | "TEST") {
  const owner = await createUser(db);
  const membership = await createMembership(db, { userId: owner.id, credits: 10 });
  const [checkout] = await db
    .insert(membershipCheckouts)
    .values({
      userId: owner.id,
      kind: "CREDIT_PACK",
      pack: "pack-25",
      credits: 25,
      amountCents: 5500,
      currency: "USD",
      status: "COMPLETED",
      provider,
      providerSessionId: `cs_test_${crypto.randomUUID()}`,
      membershipId: membership.id,
      completedAt: new Date(),
    })
    .returning();
  const topped = await topUp(db, {
    membershipId: membership.id,
    amount: 25,
    idempotencyKey: `pack:${checkout!.id}`,
    description: "Credit pack: 25 credits",
    reference: `membership_checkout:${checkout!.id}`,
    now: new Date(),
  });
  expect(topped.ok).toBe(true);
  return { owner, membership, checkout: checkout! };
}

const checkoutRow = async (id: string) =>
  (await db.select().from(membershipCheckouts).where(eq(membershipCheckouts.id, id)))[0]!;
const membershipRow = async (id: string) =>
  (await db.select().from(memberships).where(eq(memberships.id, id)))[0]!;

describe("refunding a credit pack", () => {
  it("two parallel refunds: one refund at Stripe, one ledger row of −min(pack, paid left), REFUNDED", async () => {
    const { owner, membership, checkout } = await memberWithPack("STRIPE");
    // 17 spent: the 10 period credits first, then 7 of the pack's 25 → 18 paid credits left.
    const spent = await spend(db, {
      membershipId: membership.id,
      spenderId: owner.id,
      amount: 17,
      idempotencyKey: `spend:${membership.id}`,
      description: "Content edit",
      now: new Date(),
    });
    expect(spent.ok).toBe(true);
    expect((await membershipRow(membership.id)).paidCredits).toBe(18);

    const { stripe, calls } = fakeStripe();
    const actor = await staffActor();
    const results = await Promise.all(
      [1, 2].map(() =>
        refundCreditPack(
          { db, env: appEnv, stripe },
          {
            actor,
            membershipId: membership.id,
            checkoutId: checkout.id,
            reason: "Bought by mistake",
            now: new Date(),
            request: {},
          },
        ),
      ),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    const refused = results.find((result) => !result.ok);
    expect(refused).toMatchObject({ ok: false, reason: "already-refunded" });

    expect(calls.refunds).toHaveLength(1);
    expect(calls.refunds[0]).toEqual({
      params: expect.objectContaining({ payment_intent: "pi_test_pack" }),
      options: { idempotencyKey: `refund_pack_${checkout.id}` },
    });

    const rows = await db
      .select()
      .from(creditTransactions)
      .where(
        and(
          eq(creditTransactions.membershipId, membership.id),
          eq(creditTransactions.type, "ADJUSTMENT"),
        ),
      );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.amount).toBe(-18);
    const after = await checkoutRow(checkout.id);
    expect(after.status).toBe("REFUNDED");
    expect(after.refundedCredits).toBe(18);
    expect(after.refundedAt).toBeInstanceOf(Date);
    const updated = await membershipRow(membership.id);
    expect(updated.paidCredits).toBe(0);
    expect(updated.totalCredits - updated.usedCredits).toBe(0);
    const audits = await db
      .select()
      .from(auditLogs)
      .where(
        and(eq(auditLogs.entityId, membership.id), eq(auditLogs.action, "CREDIT_PACK_REFUNDED")),
      );
    expect(audits).toHaveLength(1);
    expect(audits[0]!.metadata).toMatchObject({ checkoutId: checkout.id, refundId: "re_1" });
    expect((await checkLedger(db, membership.id))?.ok).toBe(true);

    // And a refund asked again later is refused, with nothing called or written.
    const again = await refundCreditPack(
      { db, env: appEnv, stripe },
      {
        actor,
        membershipId: membership.id,
        checkoutId: checkout.id,
        reason: "Again",
        now: new Date(),
      },
    );
    expect(again).toMatchObject({ ok: false, reason: "already-refunded" });
    expect(calls.refunds).toHaveLength(1);
  });

  it("a test-provider pack is refunded without calling Stripe; its whole 25 credits leave", async () => {
    const { membership, checkout } = await memberWithPack("TEST");
    const { stripe, calls } = fakeStripe();
    const result = await refundCreditPack(
      { db, env: appEnv, stripe },
      {
        actor: await staffActor(),
        membershipId: membership.id,
        checkoutId: checkout.id,
        reason: "Test",
        now: new Date(),
      },
    );
    expect(result).toMatchObject({ ok: true, refundedCredits: 25 });
    expect(calls.refunds).toHaveLength(0);
    expect(calls.retrieve).toBe(0);
    expect((await membershipRow(membership.id)).paidCredits).toBe(0);
    expect((await membershipRow(membership.id)).totalCredits).toBe(10);
  });

  it("a failed Stripe call gives the claim back: nothing written, and a retry works", async () => {
    const { membership, checkout } = await memberWithPack("STRIPE");
    const failing = {
      checkout: { sessions: { retrieve: async () => ({ payment_intent: "pi_x" }) } },
      refunds: {
        create: async () => {
          throw new Error("card_declined");
        },
      },
    } as unknown as Pick<Stripe, "refunds" | "checkout">;
    const input = {
      actor: await staffActor(),
      membershipId: membership.id,
      checkoutId: checkout.id,
      reason: "Retry",
      now: new Date(),
    };
    const failed = await refundCreditPack({ db, env: appEnv, stripe: failing }, input);
    expect(failed).toMatchObject({ ok: false, reason: "provider" });
    const kept = await checkoutRow(checkout.id);
    expect(kept.status).toBe("COMPLETED");
    expect(kept.refundedAt).toBeNull();
    expect((await membershipRow(membership.id)).paidCredits).toBe(25);

    const { stripe } = fakeStripe();
    const retried = await refundCreditPack(
      { db, env: appEnv, stripe },
      { ...input, now: new Date() },
    );
    expect(retried).toMatchObject({ ok: true, refundedCredits: 25 });
  });

  it("refuses a pack of another membership, and a subscription checkout", async () => {
    const { checkout } = await memberWithPack("TEST");
    const other = await memberWithPack("TEST");
    const result = await refundCreditPack(
      { db, env: appEnv, stripe: null },
      {
        actor: await staffActor(),
        membershipId: other.membership.id,
        checkoutId: checkout.id,
        reason: "Wrong one",
        now: new Date(),
      },
    );
    expect(result).toMatchObject({ ok: false, reason: "not-found" });
    expect((await checkoutRow(checkout.id)).status).toBe("COMPLETED");
  });

  it("lists seats with each one's usage this period and the packs", async () => {
    const { owner, membership, checkout } = await memberWithPack("TEST");
    await spend(db, {
      membershipId: membership.id,
      spenderId: owner.id,
      amount: 4,
      idempotencyKey: `spend-seat:${membership.id}`,
      description: "Support call",
      now: new Date(),
    });
    const view = await getSeatsAndPacks(db, membership.id);
    expect(view?.seats).toEqual([
      expect.objectContaining({ userId: owner.id, role: "OWNER", spent: 4, periodCap: null }),
    ]);
    expect(view?.packs.map((pack) => pack.id)).toEqual([checkout.id]);
    expect(await getSeatsAndPacks(db, "nosuchmembership")).toBeNull();
  });
});

describe("giving a membership", () => {
  it("creates the membership, the OWNER seat, the allocation through the ledger, audit and email", async () => {
    const user = await createUser(db);
    const actor = await staffActor();
    const now = new Date();
    const result = await grantMembership(db, {
      actor,
      userId: user.id,
      tier: "PRO",
      reason: "Competition prize",
      now,
      request: {},
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const membership = await membershipRow(result.membershipId);
    expect(membership).toMatchObject({
      userId: user.id,
      tier: "PRO",
      status: "ACTIVE",
      autoRenew: false,
      providerSubscriptionId: null,
      totalCredits: TIERS.PRO.creditsPerPeriod,
      usedCredits: 0,
    });
    expect(membership.paidThrough?.getTime()).toBe(membership.currentPeriodEnd.getTime());
    const seats = await db
      .select()
      .from(membershipMembers)
      .where(eq(membershipMembers.membershipId, membership.id));
    expect(seats).toEqual([expect.objectContaining({ userId: user.id, role: "OWNER" })]);
    const ledger = await db
      .select()
      .from(creditTransactions)
      .where(eq(creditTransactions.membershipId, membership.id));
    expect(ledger).toEqual([
      expect.objectContaining({
        type: "INITIAL_ALLOCATION",
        amount: TIERS.PRO.creditsPerPeriod,
        createdById: actor.id,
      }),
    ]);
    const audit = await db
      .select()
      .from(auditLogs)
      .where(
        and(eq(auditLogs.entityId, membership.id), eq(auditLogs.action, "MEMBERSHIP_GRANTED")),
      );
    expect(audit).toHaveLength(1);
    expect(audit[0]!.metadata).toMatchObject({ reason: "Competition prize", tier: "PRO" });
    const mail = await db
      .select()
      .from(emailOutbox)
      .where(
        and(eq(emailOutbox.toEmail, user.email), eq(emailOutbox.template, "membership-granted")),
      );
    expect(mail).toHaveLength(1);
    expect((await checkLedger(db, membership.id))?.ok).toBe(true);

    // A second grant is refused: they have one now.
    const again = await grantMembership(db, {
      actor,
      userId: user.id,
      tier: "MANAGED",
      reason: "Twice",
      now: new Date(),
    });
    expect(again).toMatchObject({ ok: false, reason: "has-membership" });
  });

  it("refuses a user who owns a live membership or sits on someone else's", async () => {
    const actor = await staffActor();
    const owner = await createUser(db);
    const membership = await createMembership(db, { userId: owner.id });
    const teammate = await createUser(db);
    await db
      .insert(membershipMembers)
      .values({ membershipId: membership.id, userId: teammate.id, role: "MEMBER" });
    for (const userId of [owner.id, teammate.id]) {
      const result = await grantMembership(db, {
        actor,
        userId,
        tier: "BASIC_ACCESS",
        reason: "Try",
        now: new Date(),
      });
      expect(result).toMatchObject({ ok: false, reason: "has-membership" });
    }
    const owned = await db.select().from(memberships).where(eq(memberships.userId, teammate.id));
    expect(owned).toHaveLength(0);
  });

  it("two parallel renewals of an expired membership in the same millisecond: one grant", async () => {
    // workerd's clock only moves on I/O: the losing grant must not take the winner's
    // `current_period_start` as proof that it started the membership itself.
    const actor = await staffActor();
    const user = await createUser(db);
    const old = await createMembership(db, {
      userId: user.id,
      periodStart: new Date(Date.now() - 90 * 86_400_000),
    });
    await db.update(memberships).set({ status: "EXPIRED" }).where(eq(memberships.id, old.id));
    const now = new Date();
    const grant = () =>
      grantMembership(db, { actor, userId: user.id, tier: "PRO", reason: "Race", now });
    const results = await Promise.all([grant(), grant()]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    const audit = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.entityId, old.id), eq(auditLogs.action, "MEMBERSHIP_GRANTED")));
    expect(audit).toHaveLength(1);
    expect((await checkLedger(db, old.id))?.ok).toBe(true);
  });

  it("two parallel grants give one membership", async () => {
    const actor = await staffActor();
    const user = await createUser(db);
    const results = await Promise.all(
      ["PRO", "MANAGED"].map((tier) =>
        grantMembership(db, {
          actor,
          userId: user.id,
          tier: tier as "PRO" | "MANAGED",
          reason: "Race",
          now: new Date(),
        }),
      ),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    const rows = await db.select().from(memberships).where(eq(memberships.userId, user.id));
    expect(rows).toHaveLength(1);
    const ledger = await db
      .select()
      .from(creditTransactions)
      .where(eq(creditTransactions.membershipId, rows[0]!.id));
    expect(ledger).toHaveLength(1);
  });
});
