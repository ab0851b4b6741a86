import { env } from "cloudflare:test";
import { createId } from "@paralleldrive/cuid2";
import { asc, eq, sql } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { auditLogs, creditTransactions, memberships } from "#db/schema";
import {
  adjust,
  allocate,
  checkLedger,
  refund,
  refundPackStatements,
  RENEWAL_PAYMENT_WAIT_MS,
  renewDueMemberships,
  rollover,
  spend,
  topUp,
} from "~/services/ledger.server";
import { createMembership, createUser } from "../factories";

const db = createDb(env.DB);
type BatchItem = Parameters<typeof db.batch>[0][number];
const DAY = 86_400_000;

async function ledgerOf(membershipId: string) {
  return db
    .select()
    .from(creditTransactions)
    .where(eq(creditTransactions.membershipId, membershipId))
    .orderBy(asc(sql`rowid`));
}

async function membershipRow(id: string) {
  const [row] = await db.select().from(memberships).where(eq(memberships.id, id));
  return row!;
}

async function newMembership(
  input: Parameters<typeof createMembership>[1] extends infer T
    ? Omit<T & object, "userId">
    : never,
) {
  const user = await createUser(db);
  return createMembership(db, { userId: user.id, ...input });
}

/** Counts D1 statements (`prepare`) going through a binding. */
function countingDb() {
  const counter = { statements: 0, batches: 0 };
  const binding = new Proxy(env.DB, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (property === "prepare") {
        return (...args: Parameters<D1Database["prepare"]>) => {
          counter.statements += 1;
          return target.prepare(...args);
        };
      }
      if (property === "batch") {
        return (...args: Parameters<D1Database["batch"]>) => {
          counter.batches += 1;
          return target.batch(...args);
        };
      }
      return (value as (...args: unknown[]) => unknown).bind(target);
    },
  });
  return { db: createDb(binding), counter };
}

describe("the credit ledger", () => {
  it("lets exactly 3 of 20 parallel spends of 3 credits through a balance of 10", async () => {
    const membership = await newMembership({ credits: 10 });
    const now = new Date();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        spend(db, {
          membershipId: membership.id,
          amount: 3,
          idempotencyKey: `test-spend:${membership.id}:${i}`,
          description: "Parallel spend",
          now,
        }),
      ),
    );
    expect(results.filter((result) => result.status === "applied")).toHaveLength(3);
    expect(results.filter((result) => result.status === "refused")).toHaveLength(17);
    for (const result of results) {
      if (result.status === "refused") expect(result.reason).toBe("insufficient-credits");
    }
    const after = await membershipRow(membership.id);
    expect(after.totalCredits - after.usedCredits).toBe(1);
    const rows = await ledgerOf(membership.id);
    expect(rows.filter((row) => row.type === "USAGE")).toHaveLength(3);
    expect(rows.every((row) => row.balance >= 0)).toBe(true);
    expect(rows.map((row) => row.balance)).toEqual([10, 7, 4, 1]);
    const audited = await db
      .select()
      .from(auditLogs)
      .where(sql`${auditLogs.entityId} = ${membership.id} and ${auditLogs.action} = 'CREDIT_USED'`);
    expect(audited).toHaveLength(3);
    expect(await checkLedger(db, membership.id)).toMatchObject({ ok: true });
  });

  it("writes one row for the same idempotency key twice and returns the first result", async () => {
    const membership = await newMembership({ credits: 10 });
    const input = {
      membershipId: membership.id,
      amount: 4,
      idempotencyKey: `test-key:${createId()}`,
      description: "Once only",
      now: new Date(),
    };
    const first = await spend(db, input);
    const second = await spend(db, input);
    const parallel = await Promise.all([spend(db, input), spend(db, input)]);
    expect(first.status).toBe("applied");
    expect(second.status).toBe("duplicate");
    if (first.status !== "applied" || second.status !== "duplicate") throw new Error("unreachable");
    expect(second.transaction.id).toBe(first.transaction.id);
    expect(parallel.map((result) => result.status)).toEqual(["duplicate", "duplicate"]);
    const rows = await ledgerOf(membership.id);
    expect(rows.filter((row) => row.type === "USAGE")).toHaveLength(1);
    expect((await membershipRow(membership.id)).usedCredits).toBe(4);
  });

  it("refuses a spend the balance does not cover and writes nothing", async () => {
    const membership = await newMembership({ credits: 2 });
    const result = await spend(db, {
      membershipId: membership.id,
      amount: 3,
      idempotencyKey: `test-over:${createId()}`,
      description: "Too much",
      now: new Date(),
    });
    expect(result).toMatchObject({
      ok: false,
      status: "refused",
      kind: "limit",
      reason: "insufficient-credits",
    });
    expect(await ledgerOf(membership.id)).toHaveLength(1);
  });

  it("refuses UPDATE and DELETE of ledger rows at the database level", async () => {
    const membership = await newMembership({ credits: 5 });
    const result = await spend(db, {
      membershipId: membership.id,
      amount: 1,
      idempotencyKey: `test-immutable:${createId()}`,
      description: "Spend",
      now: new Date(),
    });
    if (result.status !== "applied") throw new Error("spend failed");
    await expect(
      env.DB.prepare("update credit_transactions set amount = -100 where id = ?")
        .bind(result.transaction.id)
        .run(),
    ).rejects.toThrow(/append-only/);
    await expect(
      env.DB.prepare("delete from credit_transactions where id = ?")
        .bind(result.transaction.id)
        .run(),
    ).rejects.toThrow(/append-only/);
  });

  it("keeps checkLedger true over random sequences of operations (property)", async () => {
    const admin = await createUser(db, { role: "ADMIN" });
    const operation = fc.oneof(
      fc.record({ op: fc.constant("allocate" as const), amount: fc.integer({ min: 1, max: 20 }) }),
      fc.record({ op: fc.constant("spend" as const), amount: fc.integer({ min: 1, max: 15 }) }),
      fc.record({ op: fc.constant("refund" as const), amount: fc.integer({ min: 1, max: 10 }) }),
      fc.record({ op: fc.constant("topUp" as const), amount: fc.integer({ min: 1, max: 25 }) }),
      fc.record({
        op: fc.constant("adjust" as const),
        amount: fc.integer({ min: -15, max: 15 }).filter((n) => n !== 0),
      }),
      fc.record({ op: fc.constant("rollover" as const), amount: fc.constant(0) }),
      fc.record({ op: fc.constant("repeat" as const), amount: fc.constant(0) }),
      fc.record({
        op: fc.constant("refundSpend" as const),
        amount: fc.integer({ min: 1, max: 15 }),
      }),
      fc.record({
        op: fc.constant("refundPack" as const),
        amount: fc.integer({ min: 1, max: 25 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("BASIC_ACCESS", "PRO", "MANAGED" as const),
        fc.array(operation, { minLength: 1, maxLength: 12 }),
        async (tier, operations) => {
          const membership = await newMembership({ tier, credits: 10 });
          let lastKey: { key: string; amount: number } | null = null;
          let lastSpend: { id: string; amount: number } | null = null;
          for (const [index, step] of operations.entries()) {
            const key = `prop:${membership.id}:${index}`;
            const base = { membershipId: membership.id, description: step.op, now: new Date() };
            switch (step.op) {
              case "allocate":
                await allocate(db, {
                  ...base,
                  idempotencyKey: key,
                  amount: step.amount,
                  type: "RENEWAL",
                });
                break;
              case "spend": {
                const spent = await spend(db, {
                  ...base,
                  idempotencyKey: key,
                  amount: step.amount,
                });
                lastKey = { key, amount: step.amount };
                if (spent.ok) lastSpend = { id: spent.transaction.id, amount: step.amount };
                break;
              }
              case "refundSpend":
                if (lastSpend) {
                  await refund(db, {
                    ...base,
                    idempotencyKey: key,
                    amount: Math.min(step.amount, lastSpend.amount),
                    reversesId: lastSpend.id,
                  });
                  lastSpend = null;
                }
                break;
              case "refundPack": {
                const pack = refundPackStatements(db, {
                  ...base,
                  idempotencyKey: key,
                  checkoutId: `pack-${key}`,
                  packCredits: step.amount,
                });
                await db.batch(pack.statements as [BatchItem, ...BatchItem[]]);
                break;
              }
              case "refund":
                await refund(db, { ...base, idempotencyKey: key, amount: step.amount });
                break;
              case "topUp":
                await topUp(db, { ...base, idempotencyKey: key, amount: step.amount });
                break;
              case "adjust":
                await adjust(db, {
                  ...base,
                  idempotencyKey: key,
                  amount: step.amount,
                  reason: "Property test",
                  actor: { id: admin.id, role: "ADMIN" },
                });
                break;
              case "rollover": {
                const paidBefore = (await membershipRow(membership.id)).paidCredits;
                await rollover(db, {
                  membershipId: membership.id,
                  idempotencyKey: key,
                  now: base.now,
                });
                // Paid credits never expire at a period turn.
                expect((await membershipRow(membership.id)).paidCredits).toBe(paidBefore);
                break;
              }
              case "repeat":
                if (lastKey) {
                  await spend(db, { ...base, idempotencyKey: lastKey.key, amount: lastKey.amount });
                }
                break;
            }
          }
          const check = await checkLedger(db, membership.id);
          expect(check?.problems).toEqual([]);
          expect(check?.ok).toBe(true);
          const after = await membershipRow(membership.id);
          expect(after.totalCredits - after.usedCredits).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 30 },
    );
  }, 60_000);
});

describe("the renewal job", () => {
  // Periods in 2010: no other test's membership is due then (they start now), and the jobs
  // test fires the hourly cron at 2001, before these end.
  const start = (offsetDays: number) => new Date(Date.UTC(2010, 0, 1) + offsetDays * DAY);

  it("renews remaining 7, cap 5, allocation 10 into ROLLOVER 5 + RENEWAL 10 = 15, once", async () => {
    const periodStart = start(Math.floor(Math.random() * 300));
    const membership = await newMembership({
      tier: "BASIC_ACCESS",
      credits: 10,
      periodStart,
      periodDays: 30,
    });
    const spent = await spend(db, {
      membershipId: membership.id,
      amount: 3,
      idempotencyKey: `renewal-test:${membership.id}`,
      description: "Used before the period ended",
      now: new Date(periodStart.getTime() + DAY),
    });
    expect(spent.status).toBe("applied");

    const tick = new Date(membership.currentPeriodEnd.getTime() + 60_000);
    const first = await renewDueMemberships(db, { now: tick });
    expect(first.renewed).toBeGreaterThanOrEqual(1);

    const rows = await ledgerOf(membership.id);
    expect(rows.map((row) => [row.type, row.amount, row.balance])).toEqual([
      ["INITIAL_ALLOCATION", 10, 10],
      ["USAGE", -3, 7],
      ["EXPIRY", -7, 0],
      ["ROLLOVER", 5, 5],
      ["RENEWAL", 10, 15],
    ]);
    const renewed = await membershipRow(membership.id);
    expect(renewed).toMatchObject({ status: "ACTIVE", totalCredits: 15, usedCredits: 0 });
    expect(renewed.currentPeriodStart.getTime()).toBe(membership.currentPeriodEnd.getTime());
    expect(renewed.currentPeriodEnd.getTime()).toBe(
      membership.currentPeriodEnd.getTime() + 30 * DAY,
    );
    const audit = await db
      .select()
      .from(auditLogs)
      .where(
        sql`${auditLogs.entityId} = ${membership.id} and ${auditLogs.action} = 'MEMBERSHIP_RENEWED'`,
      );
    expect(audit).toHaveLength(1);
    expect(await checkLedger(db, membership.id)).toMatchObject({ ok: true });

    // The same tick again (a retried cron invocation) changes nothing.
    await renewDueMemberships(db, { now: tick });
    expect(await ledgerOf(membership.id)).toHaveLength(5);
    expect(await membershipRow(membership.id)).toEqual(renewed);
  });

  it("expires a membership that does not renew, and one that is not paid up", async () => {
    const periodStart = start(320 + Math.floor(Math.random() * 30));
    const cancelled = await newMembership({
      tier: "PRO",
      credits: 40,
      periodStart,
      autoRenew: false,
    });
    const unpaid = await newMembership({
      tier: "PRO",
      credits: 40,
      periodStart,
      paidThrough: null,
    });
    // Auto-renew off: ends with its period. Auto-renewing but not paid: waits for the renewal
    // payment (the provider charges at the period end, its event comes later) for up to
    // RENEWAL_PAYMENT_WAIT_MS, then ends.
    const tick = new Date(cancelled.currentPeriodEnd.getTime() + 1);
    const run = await renewDueMemberships(db, { now: tick });
    expect(run.expired).toBeGreaterThanOrEqual(1);
    expect(await membershipRow(cancelled.id)).toMatchObject({ status: "EXPIRED" });
    expect(await membershipRow(unpaid.id)).toMatchObject({ status: "ACTIVE", totalCredits: 40 });
    const waitOver = new Date(unpaid.currentPeriodEnd.getTime() + RENEWAL_PAYMENT_WAIT_MS);
    expect((await renewDueMemberships(db, { now: waitOver })).expired).toBeGreaterThanOrEqual(1);
    for (const membership of [cancelled, unpaid]) {
      expect(await membershipRow(membership.id)).toMatchObject({
        status: "EXPIRED",
        totalCredits: 0,
        usedCredits: 0,
      });
      const rows = await ledgerOf(membership.id);
      expect(rows.map((row) => [row.type, row.amount, row.balance])).toEqual([
        ["INITIAL_ALLOCATION", 40, 40],
        ["EXPIRY", -40, 0],
      ]);
      expect(await checkLedger(db, membership.id)).toMatchObject({ ok: true });
    }
    const again = await renewDueMemberships(db, { now: waitOver });
    expect(again).toMatchObject({ renewed: 0, expired: 0 });
  });

  it("uses the same number of statements for 5 due memberships as for 50", async () => {
    const measure = async (count: number, offsetDays: number) => {
      const periodStart = start(offsetDays);
      for (let i = 0; i < count; i++) {
        await newMembership({ tier: "PRO", credits: 40, periodStart, autoRenew: i % 5 !== 0 });
      }
      const { db: counted, counter } = countingDb();
      const run = await renewDueMemberships(counted, {
        now: new Date(periodStart.getTime() + 30 * DAY),
      });
      return { run, counter };
    };
    // Two separate windows (older first), so each run sees only its own memberships.
    const small = await measure(5, -400);
    const large = await measure(50, -300);
    expect(small.run.renewed + small.run.expired).toBeGreaterThanOrEqual(5);
    expect(large.run.renewed + large.run.expired).toBeGreaterThanOrEqual(50);
    expect(large.counter.statements).toBe(small.counter.statements);
    expect(large.counter.batches).toBe(small.counter.batches);
  }, 30_000);

  it("chunks a large run into batches of the same statements", async () => {
    const periodStart = start(-800);
    for (let i = 0; i < 7; i++)
      await newMembership({ tier: "BASIC_ACCESS", credits: 10, periodStart });
    const { db: counted, counter } = countingDb();
    const run = await renewDueMemberships(counted, {
      now: new Date(periodStart.getTime() + 30 * DAY),
      chunkSize: 3,
    });
    expect(run.renewed).toBeGreaterThanOrEqual(7);
    expect(run.batches).toBeGreaterThanOrEqual(3);
    expect(counter.statements).toBe(8 * run.batches);
  }, 30_000);
});
