import { createId } from "@paralleldrive/cuid2";
import { and, asc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Database } from "#db/client";
import {
  auditLogs,
  creditTransactions,
  membershipMembers,
  memberships,
  type CreditTransaction,
  type CreditTransactionType,
} from "#db/schema";
import { MEMBERSHIP_STATUSES, MEMBERSHIP_TIERS } from "#db/schema/enums";
import type { AuditAction } from "~/domain/audit/actions";
import { checkLedgerRows, type LedgerCheck } from "~/domain/credits/ledger";
import { refuse, type Refusal } from "~/domain/refusal";
import { TIERS } from "~/domain/memberships/tiers";
import { auditStatement, type AuditActor, type AuditRequestInfo } from "./audit.server";
import { insertWhen, selectInTableOrder } from "./conditional-insert.server";
import { changedRows, namedBatch } from "./named-batch.server";

/**
 * The credit ledger (docs/architecture.md §9, issue 6): the ONLY code that writes credits.
 *
 * Every operation is one `db.batch` (one serialized transaction in D1):
 * 1. `INSERT INTO credit_transactions … SELECT … FROM memberships WHERE <guard>`: the row's
 *    balance is computed from the membership *inside* the statement, so no writer ever works
 *    from a stale read; the guard (e.g. remaining ≥ amount for a spend) is part of the same
 *    statement. A repeated idempotency key hits the unique index and inserts nothing.
 * 2. `UPDATE memberships …` moves total/used credits only if step 1 inserted its row.
 * 3. The audit row, again only if step 1 inserted its row.
 * A spend that does not fit writes nothing at all; a balance can never go below zero (and
 * the CHECK constraints on both tables would refuse it even if this code were wrong).
 */

type BatchItem = Parameters<Database["batch"]>[0][number];

export type LedgerRefusal =
  | "insufficient-credits"
  | "membership-inactive"
  | "membership-paused"
  | "membership-past-due"
  | "not-a-member"
  | "over-teammate-cap"
  | "not-found";

export type LedgerResult =
  | { ok: true; status: "applied"; transaction: CreditTransaction }
  | { ok: true; status: "duplicate"; transaction: CreditTransaction }
  | (Refusal<LedgerRefusal> & { status: "refused" });

const REFUSED: Record<LedgerRefusal, Refusal<LedgerRefusal> & { status: "refused" }> = {
  "not-found": {
    ...refuse("not-found", "not-found", "There is no such membership."),
    status: "refused",
  },
  "membership-inactive": {
    ...refuse("conflict", "membership-inactive", "This membership has ended."),
    status: "refused",
  },
  "membership-paused": {
    ...refuse(
      "conflict",
      "membership-paused",
      "This membership is paused: resume it to use its credits.",
    ),
    status: "refused",
  },
  "membership-past-due": {
    ...refuse(
      "conflict",
      "membership-past-due",
      "The last payment for this membership failed: its credits are on hold until it is paid.",
    ),
    status: "refused",
  },
  "not-a-member": {
    ...refuse("forbidden", "not-a-member", "You no longer have a seat on this membership."),
    status: "refused",
  },
  "over-teammate-cap": {
    ...refuse(
      "limit",
      "over-teammate-cap",
      "This would go over the credits your team owner lets you spend this period.",
    ),
    status: "refused",
  },
  "insufficient-credits": {
    ...refuse("limit", "insufficient-credits", "There are not enough credits left for this."),
    status: "refused",
  },
};

export class LedgerKeyConflictError extends Error {
  override name = "LedgerKeyConflictError";
}

interface EntryBase {
  membershipId: string;
  /** Unique per operation: the same key twice writes one row and returns it both times. */
  idempotencyKey: string;
  description: string;
  reference?: string | null;
  now: Date;
  /** Who did it (null for the system: webhooks, cron). */
  actor?: AuditActor | null;
  request?: AuditRequestInfo;
}

/** Which counter of the membership a row moves. */
type Counter = "total" | "used";

/**
 * What a row does to the paid bucket (credits bought in packs, docs/decisions/0010):
 * - `keep`: untouched (period credits come and go);
 * - `add`: the whole amount is paid credits (TOP_UP);
 * - `spend`: period credits go first, so the paid part after is min(paid, balance after);
 * - `remove`: the whole (negative) amount leaves the paid bucket (a refunded pack);
 * - `restore`: a refund gives back to the paid bucket what the reversed spend took from it.
 */
type PaidEffect = "keep" | "add" | "spend" | "remove" | "restore";

/** Which memberships an operation accepts: any but EXPIRED, or only ACTIVE (spending). */
type Liveness = "any" | "not-expired" | "spendable";

interface EntrySpec extends EntryBase {
  type: CreditTransactionType;
  /** Signed, as stored. */
  amount: number;
  counter: Counter;
  liveness: Liveness;
  paid: PaidEffect;
  /** A spend by a seat holder (teammate or owner); null: the owner / the system. */
  spenderId?: string | null;
  reversesId?: string | null;
  audit?: { action: AuditAction; metadata?: Record<string, unknown> };
}

const remainingOf = (alias: string) =>
  sql.raw(`(${alias}."total_credits" - ${alias}."used_credits")`);

/**
 * `CASE m.tier WHEN … THEN <value> END` over the tier configuration (our own integers);
 * `column` picks another tier expression (the tier a pending downgrade turns into).
 */
function perTier(
  alias: string,
  pick: (tier: (typeof MEMBERSHIP_TIERS)[number]) => number,
  column = `${alias}."tier"`,
): SQL {
  const whens = MEMBERSHIP_TIERS.map(
    (tier) => `WHEN '${tier}' THEN ${Math.trunc(pick(tier))}`,
  ).join(" ");
  return sql.raw(`(CASE ${column} ${whens} ELSE 0 END)`);
}

/** Remaining period credits: what renewal may expire (paid credits never expire). */
const periodRemainingOf = (alias: string) =>
  sql.raw(`(${alias}."total_credits" - ${alias}."used_credits" - ${alias}."paid_credits")`);
const paidOf = (alias: string) => sql.raw(`${alias}."paid_credits"`);

const LIVENESS: Record<Liveness, SQL | null> = {
  any: null,
  "not-expired": sql`m."status" <> 'EXPIRED'`,
  spendable: sql`m."status" = 'ACTIVE'`,
};

/** Credits a seat holder spent in the membership's current period (USAGE less its refunds). */
export function periodUsageOf(spender: SQL, alias = "m"): SQL {
  const m = sql.raw(alias);
  return sql`(coalesce((select -sum(u."amount") from "credit_transactions" u where u."membership_id" = ${m}."id" and u."user_id" = ${spender} and u."type" = 'USAGE' and u."created_at" >= ${m}."current_period_start"), 0) - coalesce((select sum(r."amount") from "credit_transactions" r join "credit_transactions" u on u."id" = r."reverses_id" where r."membership_id" = ${m}."id" and r."type" = 'REFUND' and u."user_id" = ${spender} and u."created_at" >= ${m}."current_period_start"), 0))`;
}

/** The paid credits a USAGE row took: the paid balance before it minus the paid balance after. */
const paidTakenBy = (rowId: string) =>
  sql`coalesce((select coalesce((select p."paid_balance" from "credit_transactions" p where p."membership_id" = u."membership_id" and p.rowid < u.rowid order by p.rowid desc limit 1), 0) - u."paid_balance" from "credit_transactions" u where u."id" = ${rowId}), 0)`;

/**
 * The statements of one ledger entry, for a caller that puts them in its own batch (webhook
 * fulfilment). `guard` is an extra condition on the row (e.g. "this event's row was written").
 */
function entryStatements(db: Database, spec: EntrySpec, guard?: SQL) {
  if (!Number.isSafeInteger(spec.amount) || spec.amount === 0) {
    throw new RangeError("A ledger amount is a non-zero integer");
  }
  const rowId = createId();
  const balance = sql`(${remainingOf("m")} + ${spec.amount})`;
  const paidBefore = sql`m."paid_credits"`;
  const paidBalance: Record<PaidEffect, SQL> = {
    keep: sql`min(${paidBefore}, ${balance})`,
    add: sql`(${paidBefore} + ${spec.amount})`,
    spend: sql`min(${paidBefore}, ${balance})`,
    remove: sql`(${paidBefore} + ${spec.amount})`,
    restore: sql`(${paidBefore} + min(${spec.amount}, ${spec.reversesId ? paidTakenBy(spec.reversesId) : sql`0`}))`,
  };
  const guards: SQL[] = [sql`m."id" = ${spec.membershipId}`, sql`${balance} >= 0`];
  const live = LIVENESS[spec.liveness];
  if (live) guards.push(live);
  if (spec.paid === "remove") guards.push(sql`${paidBefore} + ${spec.amount} >= 0`);
  const spender = spec.spenderId ? sql`${spec.spenderId}` : sql`m."user_id"`;
  if (spec.spenderId) {
    // A seat on this membership, and for a capped teammate room under the cap: checked in the
    // same statement as the balance, so parallel spends cannot overshoot either.
    guards.push(
      sql`exists (select 1 from "membership_members" mm where mm."membership_id" = m."id" and mm."user_id" = ${spender} and (mm."period_cap" is null or ${periodUsageOf(spender)} + ${-spec.amount} <= mm."period_cap"))`,
    );
  }
  if (guard) guards.push(guard);
  const inserted = sql`exists (select 1 from "credit_transactions" ct where ct."id" = ${rowId})`;

  const insert = db
    .insert(creditTransactions)
    .select(
      selectInTableOrder(
        creditTransactions,
        {
          id: sql`${rowId}`,
          membership_id: sql`m."id"`,
          user_id: spender,
          type: sql`${spec.type}`,
          amount: sql`${spec.amount}`,
          balance,
          paid_balance: paidBalance[spec.paid],
          description: sql`${spec.description.slice(0, 500)}`,
          idempotency_key: sql`${spec.idempotencyKey}`,
          reverses_id: sql`${spec.reversesId ?? null}`,
          reference: sql`${spec.reference ?? null}`,
          created_by_id: sql`${spec.actor?.id ?? null}`,
          created_at: sql`${spec.now.getTime()}`,
        },
        sql`from "memberships" m where ${sql.join(guards, sql` and `)}`,
      ),
    )
    .onConflictDoNothing({ target: creditTransactions.idempotencyKey })
    .returning();

  const move =
    spec.counter === "used"
      ? { usedCredits: sql`${memberships.usedCredits} + ${-spec.amount}` }
      : { totalCredits: sql`${memberships.totalCredits} + ${spec.amount}` };
  const update = db
    .update(memberships)
    .set({
      ...move,
      paidCredits: sql`(select ct."paid_balance" from "credit_transactions" ct where ct."id" = ${rowId})`,
      updatedAt: spec.now,
    })
    .where(and(eq(memberships.id, spec.membershipId), inserted));

  const audit = spec.audit
    ? [
        insertWhen(
          db,
          auditLogs,
          auditStatement(db, {
            actor: spec.actor ?? null,
            action: spec.audit.action,
            entityType: "membership",
            entityId: spec.membershipId,
            metadata: {
              type: spec.type,
              amount: spec.amount,
              transactionId: rowId,
              reference: spec.reference ?? null,
              ...(spec.spenderId ? { spenderId: spec.spenderId } : {}),
              ...spec.audit.metadata,
            },
            request: spec.request,
            at: spec.now,
          }),
          inserted,
        ),
      ]
    : [];

  return { rowId, insert, update, audit };
}

async function writeEntry(db: Database, spec: EntrySpec): Promise<LedgerResult> {
  const { insert, update, audit } = entryStatements(db, spec);
  const written = await namedBatch(db, { entry: insert, balance: update, audit });
  const [row] = written.entry;
  if (row) return { ok: true, status: "applied", transaction: row };
  return explainNoRow(db, spec);
}

/** Nothing was inserted: a repeat of the same key, or a refusal. Reads only to explain. */
async function explainNoRow(db: Database, spec: EntrySpec): Promise<LedgerResult> {
  const [existing] = await db
    .select()
    .from(creditTransactions)
    .where(eq(creditTransactions.idempotencyKey, spec.idempotencyKey))
    .limit(1);
  if (existing) {
    if (existing.membershipId !== spec.membershipId || existing.type !== spec.type) {
      throw new LedgerKeyConflictError(
        `Idempotency key ${spec.idempotencyKey} was used for another ledger operation`,
      );
    }
    return { ok: true, status: "duplicate", transaction: existing };
  }
  const [membership] = await db
    .select({ status: memberships.status })
    .from(memberships)
    .where(eq(memberships.id, spec.membershipId))
    .limit(1);
  if (!membership) return REFUSED["not-found"];
  if (spec.liveness !== "any" && membership.status === "EXPIRED") {
    return REFUSED["membership-inactive"];
  }
  if (spec.liveness === "spendable" && membership.status !== "ACTIVE") {
    if (membership.status === "PAUSED") return REFUSED["membership-paused"];
    if (membership.status === "PAST_DUE") return REFUSED["membership-past-due"];
    return REFUSED["membership-inactive"];
  }
  if (spec.spenderId) {
    const [seat] = await db
      .select({
        cap: membershipMembers.periodCap,
        used: sql<number>`(select ${periodUsageOf(sql`${spec.spenderId}`)} from "memberships" m where m."id" = ${spec.membershipId})`,
      })
      .from(membershipMembers)
      .where(
        and(
          eq(membershipMembers.membershipId, spec.membershipId),
          eq(membershipMembers.userId, spec.spenderId),
        ),
      )
      .limit(1);
    if (!seat) return REFUSED["not-a-member"];
    if (seat.cap !== null && Number(seat.used) - spec.amount > seat.cap) {
      return REFUSED["over-teammate-cap"];
    }
  }
  return REFUSED["insufficient-credits"];
}

const positive = (amount: number) => {
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    throw new RangeError("Credit amounts are positive integers");
  }
  return amount;
};

// ---- The operations -------------------------------------------------------------------------

/** A period's credits: INITIAL_ALLOCATION when a membership starts, RENEWAL after that. */
export function allocate(
  db: Database,
  input: EntryBase & { amount: number; type?: "INITIAL_ALLOCATION" | "RENEWAL" },
): Promise<LedgerResult> {
  return writeEntry(db, {
    ...input,
    type: input.type ?? "INITIAL_ALLOCATION",
    amount: positive(input.amount),
    counter: "total",
    liveness: "any",
    paid: "keep",
  });
}

interface SpendInput extends EntryBase {
  amount: number;
  /** Who spends: a seat holder of the membership (omitted: its owner). */
  spenderId?: string | null;
}

const spendSpec = (input: SpendInput): EntrySpec => ({
  ...input,
  type: "USAGE",
  amount: -positive(input.amount),
  counter: "used",
  liveness: "spendable",
  paid: "spend",
  audit: { action: "CREDIT_USED" },
});

/**
 * Use credits: refused (nothing written) unless the membership is ACTIVE, the spender holds a
 * seat on it and is under their cap, and the balance covers the whole amount. Period credits
 * go first, then paid ones.
 */
export function spend(db: Database, input: SpendInput): Promise<LedgerResult> {
  return writeEntry(db, spendSpec(input));
}

/** Give back credits of an earlier spend; the row points at the USAGE row it reverses. */
export function refund(
  db: Database,
  input: EntryBase & { amount: number; reversesId?: string | null },
): Promise<LedgerResult> {
  return writeEntry(db, refundSpec(input));
}

const refundSpec = (
  input: EntryBase & { amount: number; reversesId?: string | null },
): EntrySpec => ({
  ...input,
  type: "REFUND",
  amount: positive(input.amount),
  counter: "total",
  liveness: "any",
  paid: "restore",
  audit: { action: "CREDITS_REFUNDED" },
});

/** Credits bought as a pack: the paid bucket, which renewal never expires. */
export function topUp(db: Database, input: EntryBase & { amount: number }): Promise<LedgerResult> {
  return writeEntry(db, {
    ...input,
    type: "TOP_UP",
    amount: positive(input.amount),
    counter: "total",
    liveness: "not-expired",
    paid: "add",
    audit: { action: "CREDITS_TOPPED_UP" },
  });
}

/** A staff correction, up or down, always with a reason; never below zero. */
export function adjust(
  db: Database,
  input: EntryBase & { amount: number; reason: string; actor: AuditActor },
): Promise<LedgerResult> {
  if (!Number.isSafeInteger(input.amount) || input.amount === 0) {
    throw new RangeError("An adjustment is a non-zero integer");
  }
  return writeEntry(db, {
    ...input,
    description: input.description || input.reason,
    type: "ADJUSTMENT",
    amount: input.amount,
    counter: "total",
    liveness: "any",
    paid: "keep",
    audit: { action: "CREDITS_ADJUSTED", metadata: { reason: input.reason } },
  });
}

/** INITIAL_ALLOCATION / TOP_UP statements for a payment's batch, written only when `guard` holds. */
export function paidCreditsStatements(
  db: Database,
  input: EntryBase & { amount: number; type: "INITIAL_ALLOCATION" | "TOP_UP"; guard: SQL },
): BatchItem[] {
  const topUp = input.type === "TOP_UP";
  const { insert, update, audit } = entryStatements(
    db,
    {
      ...input,
      amount: positive(input.amount),
      counter: "total",
      liveness: "any",
      paid: topUp ? "add" : "keep",
      ...(topUp ? { audit: { action: "CREDITS_TOPPED_UP" as const } } : {}),
    },
    input.guard,
  );
  return [insert, update, ...audit];
}

/**
 * The credit difference of an upgrade, allocated at once as a positive ADJUSTMENT (period
 * credits) for the caller's batch. Keyed by the caller: the same upgrade event delivered
 * three times allocates once.
 */
export function tierDifferenceStatements(
  db: Database,
  input: EntryBase & { amount: number; guard?: SQL },
): { rowId: string; statements: BatchItem[] } {
  const { rowId, insert, update, audit } = entryStatements(
    db,
    {
      ...input,
      type: "ADJUSTMENT",
      amount: positive(input.amount),
      counter: "total",
      liveness: "not-expired",
      paid: "keep",
      audit: { action: "CREDITS_ADJUSTED", metadata: { reason: "tier upgrade" } },
    },
    input.guard,
  );
  return { rowId, statements: [insert, update, ...audit] };
}

/**
 * A refunded credit pack: min(pack credits, paid credits left) leave the paid bucket as a
 * negative ADJUSTMENT (the money goes back, so do the unspent credits it bought; what was
 * already spent stays spent). The amount is only known inside the statement, so this is its
 * own INSERT … SELECT rather than an {@link EntrySpec}.
 */
export function refundPackStatements(
  db: Database,
  input: EntryBase & { checkoutId: string; packCredits: number; guard?: SQL },
): { rowId: string; statements: BatchItem[] } {
  const rowId = createId();
  const taken = sql`min(${positive(input.packCredits)}, m."paid_credits")`;
  const guards: SQL[] = [sql`m."id" = ${input.membershipId}`, sql`${taken} > 0`];
  if (input.guard) guards.push(input.guard);
  const inserted = sql`exists (select 1 from "credit_transactions" ct where ct."id" = ${rowId})`;
  const amountOfRow = sql`(select -ct."amount" from "credit_transactions" ct where ct."id" = ${rowId})`;
  const insert = db
    .insert(creditTransactions)
    .select(
      selectInTableOrder(
        creditTransactions,
        {
          id: sql`${rowId}`,
          membership_id: sql`m."id"`,
          user_id: sql`m."user_id"`,
          type: sql`'ADJUSTMENT'`,
          amount: sql`-${taken}`,
          balance: sql`${remainingOf("m")} - ${taken}`,
          paid_balance: sql`m."paid_credits" - ${taken}`,
          description: sql`${input.description.slice(0, 500)}`,
          idempotency_key: sql`${input.idempotencyKey}`,
          reverses_id: sql`null`,
          reference: sql`${`membership_checkout:${input.checkoutId}`}`,
          created_by_id: sql`${input.actor?.id ?? null}`,
          created_at: sql`${input.now.getTime()}`,
        },
        sql`from "memberships" m where ${sql.join(guards, sql` and `)}`,
      ),
    )
    .onConflictDoNothing({ target: creditTransactions.idempotencyKey });
  const update = db
    .update(memberships)
    .set({
      totalCredits: sql`${memberships.totalCredits} - ${amountOfRow}`,
      paidCredits: sql`${memberships.paidCredits} - ${amountOfRow}`,
      updatedAt: input.now,
    })
    .where(and(eq(memberships.id, input.membershipId), inserted));
  const audit = insertWhen(
    db,
    auditLogs,
    auditStatement(db, {
      actor: input.actor ?? null,
      action: "CREDITS_ADJUSTED",
      entityType: "membership",
      entityId: input.membershipId,
      metadata: {
        type: "ADJUSTMENT",
        reason: "credit pack refunded",
        checkoutId: input.checkoutId,
        transactionId: rowId,
      },
      request: input.request,
      at: input.now,
    }),
    inserted,
  );
  return { rowId, statements: [insert, update, audit] };
}

// ---- Period turns: rollover (one membership) and renewal (all due, set-based) ---------------

type TurnKind = "expiry" | "rollover" | "renewal";

const M = `"memberships"`;
const capOf = (alias: string) => perTier(alias, (tier) => TIERS[tier].rolloverCap);
/** The tier of the next period: a pending downgrade takes effect at the turn. */
const nextTierOf = (alias: string) => `coalesce(${alias}."pending_tier", ${alias}."tier")`;
const allocationOf = (alias: string) =>
  perTier(alias, (tier) => TIERS[tier].creditsPerPeriod, nextTierOf(alias));
const periodMsOf = (alias: string) =>
  perTier(alias, (tier) => TIERS[tier].periodDays * 86_400_000, nextTierOf(alias));
const carryOf = (alias: string) => sql`max(0, min(${periodRemainingOf(alias)}, ${capOf(alias)}))`;

interface TurnInput {
  /** Selects the memberships (alias `m`) this turn applies to. */
  scope: SQL;
  key: (kind: TurnKind) => SQL;
  id: (kind: TurnKind) => SQL;
  now: Date;
}

/** One ledger row per membership in scope, written as INSERT … SELECT (set-based). */
function turnRow(
  db: Database,
  input: TurnInput,
  kind: TurnKind,
  row: {
    type: CreditTransactionType;
    amount: SQL;
    balance: SQL;
    /** The paid part after the row (default: the paid credits, untouched). */
    paidBalance?: SQL;
    description: string;
    when: SQL;
  },
) {
  return db
    .insert(creditTransactions)
    .select(
      selectInTableOrder(
        creditTransactions,
        {
          id: input.id(kind),
          membership_id: sql`m."id"`,
          user_id: sql`m."user_id"`,
          type: sql`${row.type}`,
          amount: row.amount,
          balance: row.balance,
          paid_balance: row.paidBalance ?? paidOf("m"),
          description: sql`${row.description}`,
          idempotency_key: input.key(kind),
          reverses_id: sql`null`,
          reference: sql`'period:' || m."current_period_end"`,
          created_by_id: sql`null`,
          created_at: sql`${input.now.getTime()}`,
        },
        sql`from "memberships" m where ${input.scope} and ${row.when}`,
      ),
    )
    .onConflictDoNothing({ target: creditTransactions.idempotencyKey });
}

/**
 * EXPIRY of the remaining period credits, then ROLLOVER of min(them, cap). Paid credits
 * (bought in packs) are neither expired nor counted against the cap.
 */
function expiryAndRolloverRows(db: Database, input: TurnInput) {
  const remaining = periodRemainingOf("m");
  return {
    expiry: turnRow(db, input, "expiry", {
      type: "EXPIRY",
      amount: sql`-${remaining}`,
      balance: paidOf("m"),
      description: "Unused credits of the period expired",
      when: sql`${remaining} > 0`,
    }),
    rollover: turnRow(db, input, "rollover", {
      type: "ROLLOVER",
      amount: carryOf("m"),
      balance: sql`${paidOf("m")} + ${carryOf("m")}`,
      description: "Unused credits carried over (up to the tier's cap)",
      when: sql`${remaining} > 0 and ${capOf("m")} > 0`,
    }),
  };
}

export interface RolloverResult {
  status: "applied" | "nothing-to-carry" | "duplicate";
  expired: number;
  carried: number;
}

/**
 * The end of a period for one membership: the remaining credits expire (EXPIRY row) and
 * min(remaining, cap) of them carry over (ROLLOVER row); the membership then holds only what
 * was carried. One batch, keyed by `idempotencyKey` (rows `<key>:expiry`, `<key>:rollover`).
 */
export async function rollover(
  db: Database,
  input: { membershipId: string; idempotencyKey: string; now: Date },
): Promise<RolloverResult> {
  const ids = { expiry: createId(), rollover: createId(), renewal: createId() };
  const turn: TurnInput = {
    scope: sql`m."id" = ${input.membershipId}`,
    key: (kind) => sql`${`${input.idempotencyKey}:${kind}`}`,
    id: (kind) => sql`${ids[kind]}`,
    now: input.now,
  };
  const expiredNow = sql`exists (select 1 from "credit_transactions" ct where ct."id" = ${ids.expiry})`;
  const { expiry } = await namedBatch(db, {
    ...expiryAndRolloverRows(db, turn),
    membership: db
      .update(memberships)
      .set({
        totalCredits: sql`${paidOf(M)} + ${carryOf(M)}`,
        usedCredits: 0,
        updatedAt: input.now,
      })
      .where(and(eq(memberships.id, input.membershipId), expiredNow)),
  });
  const expired = changedRows(expiry);
  if (expired > 0) {
    const [row] = await db
      .select({ amount: creditTransactions.amount })
      .from(creditTransactions)
      .where(eq(creditTransactions.id, ids.rollover))
      .limit(1);
    return { status: "applied", expired, carried: row?.amount ?? 0 };
  }
  const [existing] = await db
    .select({ id: creditTransactions.id })
    .from(creditTransactions)
    .where(eq(creditTransactions.idempotencyKey, `${input.idempotencyKey}:expiry`))
    .limit(1);
  return { status: existing ? "duplicate" : "nothing-to-carry", expired: 0, carried: 0 };
}

/**
 * A membership closed for good because its account is erased (issue 13): the unused credits
 * expire (an EXPIRY row) and the membership is cancelled holding nothing, so its last balance
 * (0) still equals total − used. Statements for the caller's batch, written only when `guard`
 * holds; an expired membership is left as it is.
 */
export function forfeitMembershipStatements(
  db: Database,
  input: {
    membershipId: string;
    idempotencyKey: string;
    description: string;
    now: Date;
    guard: SQL;
  },
): BatchItem[] {
  const live = sql`m."status" <> 'EXPIRED' and ${input.guard}`;
  const turn: TurnInput = {
    scope: sql`m."id" = ${input.membershipId} and ${live}`,
    key: () => sql`${input.idempotencyKey}`,
    id: () => sql`${createId()}`,
    now: input.now,
  };
  return [
    turnRow(db, turn, "expiry", {
      type: "EXPIRY",
      amount: sql`-${remainingOf("m")}`,
      balance: sql`0`,
      paidBalance: sql`0`,
      description: input.description,
      when: sql`${remainingOf("m")} > 0`,
    }),
    db
      .update(memberships)
      .set({
        status: "CANCELLED",
        autoRenew: false,
        totalCredits: 0,
        usedCredits: 0,
        paidCredits: 0,
        pausedAt: null,
        pauseEndsAt: null,
        graceEndsAt: null,
        pendingTier: null,
        cancelledAt: input.now,
        updatedAt: input.now,
      })
      .where(
        and(
          eq(memberships.id, input.membershipId),
          sql`${memberships.status} <> 'EXPIRED'`,
          input.guard,
        ),
      ),
  ];
}

// ---- The renewal job (set-based) ------------------------------------------------------------

/**
 * How long an auto-renewing membership waits after its period end for the renewal payment
 * before it expires (the provider charges at the period end; its event arrives later).
 */
export const RENEWAL_PAYMENT_WAIT_MS = 7 * 86_400_000;

/** Memberships per batch: one batch's statements each touch at most this many rows. */
export const RENEWAL_CHUNK_SIZE = 5_000;

export interface RenewalRun {
  renewed: number;
  expired: number;
  batches: number;
}

/**
 * Every membership whose period ended by `now` renews or expires (docs/architecture.md §9):
 * - renews when ACTIVE, auto-renewing and paid through the period that ended: EXPIRY of the
 *   remaining credits, ROLLOVER of min(remaining, cap), RENEWAL of the tier's allocation,
 *   audit MEMBERSHIP_RENEWED, and the next period;
 * - otherwise expires: EXPIRY of what is left, status EXPIRED, audit MEMBERSHIP_EXPIRED.
 *
 * Set-based: each batch is the same handful of INSERT … SELECT / UPDATE statements over up to
 * `chunkSize` memberships, whatever their number; batches repeat only while a chunk comes
 * back full. Idempotent per period: rows are keyed `<kind>:<membershipId>:<periodStart>`, and
 * a renewed or expired membership is no longer due, so a second run of the same tick finds
 * nothing. A membership more than one period behind renews one period per pass.
 */
export async function renewDueMemberships(
  db: Database,
  input: { now: Date; chunkSize?: number; maxBatches?: number },
): Promise<RenewalRun> {
  const chunkSize = Math.max(1, Math.trunc(input.chunkSize ?? RENEWAL_CHUNK_SIZE));
  const maxBatches = input.maxBatches ?? 1_000;
  const now = Math.trunc(input.now.getTime());
  // Every status a period can end in, spelled out so memberships_status_period_end_idx serves
  // it. PAUSED is not among them: a paused membership neither renews nor expires.
  const turning = MEMBERSHIP_STATUSES.filter(
    (status) => status !== "EXPIRED" && status !== "PAUSED",
  )
    .map((status) => `'${status}'`)
    .join(", ");
  const due = (alias: string) =>
    sql.raw(`${alias}."status" in (${turning}) and ${alias}."current_period_end" <= ${now}`);
  const renewable = (alias: string) =>
    sql.raw(
      `${alias}."status" = 'ACTIVE' and ${alias}."auto_renew" = 1 and ${alias}."paid_through" is not null and ${alias}."paid_through" >= ${alias}."current_period_end"`,
    );
  // Neither renewed nor expired yet: a renewal payment not in yet (the provider charges at the
  // period end, its event comes later) or a failed one still inside its grace period.
  const waiting = (alias: string) =>
    sql.raw(
      `(${alias}."status" = 'ACTIVE' and ${alias}."auto_renew" = 1 and ${alias}."current_period_end" + ${RENEWAL_PAYMENT_WAIT_MS} > ${now}) or (${alias}."status" = 'PAST_DUE' and ${alias}."grace_ends_at" > ${now})`,
    );
  const pick = (renew: boolean) =>
    renew ? renewable("d") : sql`not (${renewable("d")}) and not (${waiting("d")})`;
  const chunk = (renew: boolean) =>
    sql`m."id" in (select d."id" from "memberships" d where ${due("d")} and ${pick(renew)} order by d."current_period_end", d."id" limit ${chunkSize})`;
  const key = (kind: TurnKind) => sql.raw(`'${kind}:' || m."id" || ':' || m."current_period_end"`);
  const randomId = () => sql.raw(`lower(hex(randomblob(12)))`);

  const renewTurn: TurnInput = { scope: chunk(true), key, id: randomId, now: input.now };
  const expireTurn: TurnInput = { scope: chunk(false), key, id: randomId, now: input.now };
  const audit = (turn: TurnInput, action: AuditAction, metadata: SQL) =>
    db.insert(auditLogs).select(
      selectInTableOrder(
        auditLogs,
        {
          id: randomId(),
          actor_id: sql`null`,
          actor_role: sql`null`,
          action: sql`${action}`,
          entity_type: sql`'membership'`,
          entity_id: sql`m."id"`,
          ip_hash: sql`null`,
          user_agent: sql`null`,
          request_id: sql`null`,
          metadata,
          created_at: sql`${now}`,
        },
        sql`from "memberships" m where ${turn.scope}`,
      ),
    );
  const inChunk = (renew: boolean) =>
    sql`"memberships"."id" in (select d."id" from "memberships" d where ${due("d")} and ${pick(renew)} order by d."current_period_end", d."id" limit ${chunkSize})`;

  const renewal = expiryAndRolloverRows(db, renewTurn);
  const statements = {
    // Renewals: the audit row first, while the memberships still show the period that ended.
    renewedAudit: audit(
      renewTurn,
      "MEMBERSHIP_RENEWED",
      sql`json_object('tier', ${sql.raw(nextTierOf("m"))}, 'previousTier', m."tier", 'carried', ${carryOf("m")}, 'keptPaid', m."paid_credits", 'allocated', ${allocationOf("m")}, 'periodStart', m."current_period_end", 'periodEnd', m."current_period_end" + ${periodMsOf("m")})`,
    ),
    renewedExpiry: renewal.expiry,
    renewedRollover: renewal.rollover,
    renewedAllocation: turnRow(db, renewTurn, "renewal", {
      type: "RENEWAL",
      amount: allocationOf("m"),
      balance: sql`${paidOf("m")} + ${carryOf("m")} + ${allocationOf("m")}`,
      description: "Credits for the new period",
      when: sql`${allocationOf("m")} > 0`,
    }),
    renewed: db
      .update(memberships)
      .set({
        totalCredits: sql`${paidOf(M)} + ${carryOf(M)} + ${allocationOf(M)}`,
        usedCredits: 0,
        tier: sql.raw(nextTierOf(M)),
        pendingTier: null,
        currentPeriodStart: sql`${memberships.currentPeriodEnd}`,
        currentPeriodEnd: sql`${memberships.currentPeriodEnd} + ${periodMsOf(M)}`,
        updatedAt: input.now,
      })
      .where(
        and(
          inChunk(true),
          sql.raw(
            `exists (select 1 from "credit_transactions" ct where ct."idempotency_key" = 'renewal:' || "memberships"."id" || ':' || "memberships"."current_period_end")`,
          ),
        ),
      ),
    // Expiries.
    expiredAudit: audit(
      expireTurn,
      "MEMBERSHIP_EXPIRED",
      sql`json_object('tier', m."tier", 'expiredCredits', ${periodRemainingOf("m")}, 'keptPaid', m."paid_credits", 'autoRenew', m."auto_renew", 'status', m."status", 'periodEnd', m."current_period_end")`,
    ),
    expiredCredits: turnRow(db, expireTurn, "expiry", {
      type: "EXPIRY",
      amount: sql`-${periodRemainingOf("m")}`,
      balance: paidOf("m"),
      description: "Membership ended: unused period credits expired (bought credits are kept)",
      when: sql`${periodRemainingOf("m")} > 0`,
    }),
    expired: db
      .update(memberships)
      .set({
        status: "EXPIRED",
        totalCredits: sql`${memberships.paidCredits}`,
        usedCredits: 0,
        graceEndsAt: null,
        pendingTier: null,
        updatedAt: input.now,
      })
      .where(inChunk(false)),
  };

  const run: RenewalRun = { renewed: 0, expired: 0, batches: 0 };
  while (run.batches < maxBatches) {
    const results = await namedBatch(db, statements);
    run.batches += 1;
    const renewed = changedRows(results.renewed);
    const expired = changedRows(results.expired);
    run.renewed += renewed;
    run.expired += expired;
    if (renewed < chunkSize && expired < chunkSize) break;
  }
  return run;
}

/**
 * Paused memberships come back (issue 15): those whose pause has ended by `now`, or the one a
 * member resumes by hand (`membershipId`). The period end and the paid-through date move by
 * the time spent paused, so the member keeps the days of the period they paid for; credits
 * were kept all along. One UPDATE and its audit rows in one batch; returns how many resumed.
 */
export async function resumePausedMemberships(
  db: Database,
  input: {
    now: Date;
    membershipId?: string;
    actor?: AuditActor | null;
    request?: AuditRequestInfo;
  },
): Promise<number> {
  const now = input.now.getTime();
  const scope = (alias: string) =>
    input.membershipId
      ? sql`${sql.raw(alias)}."status" = 'PAUSED' and ${sql.raw(alias)}."id" = ${input.membershipId}`
      : sql`${sql.raw(alias)}."status" = 'PAUSED' and ${sql.raw(alias)}."pause_ends_at" <= ${now}`;
  const pausedFor = sql`(${now} - ${memberships.pausedAt})`;
  const { resumed } = await namedBatch(db, {
    audit: db.insert(auditLogs).select(
      selectInTableOrder(
        auditLogs,
        {
          id: sql.raw(`lower(hex(randomblob(12)))`),
          actor_id: sql`${input.actor?.id ?? null}`,
          actor_role: sql`${input.actor?.role ?? null}`,
          action: sql`'MEMBERSHIP_RESUMED'`,
          entity_type: sql`'membership'`,
          entity_id: sql`m."id"`,
          ip_hash: sql`${input.request?.ipHash ?? null}`,
          user_agent: sql`${input.request?.userAgent ?? null}`,
          request_id: sql`${input.request?.requestId ?? null}`,
          metadata: sql`json_object('pausedAt', m."paused_at", 'pauseEndsAt', m."pause_ends_at", 'pausedMs', ${now} - m."paused_at", 'by', ${input.actor ? "member" : "schedule"})`,
          created_at: sql`${now}`,
        },
        sql`from "memberships" m where ${scope("m")}`,
      ),
    ),
    resumed: db
      .update(memberships)
      .set({
        status: "ACTIVE",
        currentPeriodEnd: sql`${memberships.currentPeriodEnd} + ${pausedFor}`,
        paidThrough: sql`case when ${memberships.paidThrough} is null then null else ${memberships.paidThrough} + ${pausedFor} end`,
        pausedAt: null,
        pauseEndsAt: null,
        updatedAt: input.now,
      })
      .where(scope(`"memberships"`)),
  });
  return changedRows(resumed);
}

// ---- Reading and checking -------------------------------------------------------------------

/**
 * The invariant check of one membership's ledger (pure rules in domain/credits/ledger.ts).
 * A rollover is held to the highest cap of any tier the membership has had: staff may have
 * moved it to a tier with a lower cap after the rollover was written.
 */
export async function checkLedger(db: Database, membershipId: string): Promise<LedgerCheck | null> {
  return (await checkLedgers(db, [membershipId])).get(membershipId) ?? null;
}

/** At most this many memberships per `checkLedgers` call: each id is a bound parameter. */
export const LEDGER_CHECK_GROUP = 90;

/**
 * {@link checkLedger} for up to {@link LEDGER_CHECK_GROUP} memberships in one batch of three
 * statements (a restore checks every membership this way). Memberships that do not exist are
 * absent from the map.
 */
export async function checkLedgers(
  db: Database,
  membershipIds: readonly string[],
): Promise<Map<string, LedgerCheck>> {
  const checks = new Map<string, LedgerCheck>();
  if (membershipIds.length === 0) return checks;
  if (membershipIds.length > LEDGER_CHECK_GROUP) {
    throw new Error(`checkLedgers takes at most ${LEDGER_CHECK_GROUP} memberships at a time`);
  }
  const ids = [...membershipIds];
  const { found, rows, tierChanges } = await namedBatch(db, {
    found: db
      .select({
        id: memberships.id,
        tier: memberships.tier,
        totalCredits: memberships.totalCredits,
        usedCredits: memberships.usedCredits,
        paidCredits: memberships.paidCredits,
      })
      .from(memberships)
      .where(inArray(memberships.id, ids)),
    rows: db
      .select({
        membershipId: creditTransactions.membershipId,
        id: creditTransactions.id,
        type: creditTransactions.type,
        amount: creditTransactions.amount,
        balance: creditTransactions.balance,
        paidBalance: creditTransactions.paidBalance,
      })
      .from(creditTransactions)
      .where(inArray(creditTransactions.membershipId, ids))
      // Insertion order: rows are never updated or deleted, so rowid is the ledger's sequence.
      .orderBy(asc(sql`rowid`)),
    tierChanges: db
      .select({ membershipId: auditLogs.entityId, metadata: auditLogs.metadata })
      .from(auditLogs)
      .where(
        and(
          eq(auditLogs.entityType, "membership"),
          inArray(auditLogs.entityId, ids),
          eq(auditLogs.action, "MEMBERSHIP_TIER_CHANGED"),
        ),
      ),
  });
  const ledgers = new Map<string, typeof rows>();
  for (const row of rows) {
    const ledger = ledgers.get(row.membershipId) ?? [];
    ledger.push(row);
    ledgers.set(row.membershipId, ledger);
  }
  for (const membership of found) {
    const tiers = new Set<string>([membership.tier]);
    for (const change of tierChanges) {
      const from = change.metadata?.from;
      if (change.membershipId === membership.id && typeof from === "string") tiers.add(from);
    }
    const cap = Math.max(
      ...[...tiers].map((tier) => TIERS[tier as keyof typeof TIERS]?.rolloverCap ?? 0),
    );
    checks.set(membership.id, checkLedgerRows(ledgers.get(membership.id) ?? [], membership, cap));
  }
  return checks;
}

// ---- Statements for a caller's own batch (issue 11: add-ons paid with credits) --------------

/**
 * A USAGE row (audited CREDIT_USED) for a caller's batch: written only when the spend is
 * allowed (see {@link spend}) and `guard` holds. Later statements of the batch test `exists` on
 * `rowId` to act only if the credits were taken. A refused spend writes nothing;
 * `explainSpendRefusal` says why.
 */
export function spendStatements(
  db: Database,
  input: SpendInput & { guard?: SQL },
): { rowId: string; statements: BatchItem[] } {
  const { rowId, insert, update, audit } = entryStatements(db, spendSpec(input), input.guard);
  return { rowId, statements: [insert, update, ...audit] };
}

/** A REFUND row (audited CREDITS_REFUNDED) for a caller's batch, written only when `guard` holds. */
export function refundStatements(
  db: Database,
  input: EntryBase & { amount: number; reversesId?: string | null; guard?: SQL },
): { rowId: string; statements: BatchItem[] } {
  const { rowId, insert, update, audit } = entryStatements(db, refundSpec(input), input.guard);
  return { rowId, statements: [insert, update, ...audit] };
}

/** Why a `spendStatements` row was not written (read after the batch, only to explain). */
export async function explainSpendRefusal(
  db: Database,
  input: {
    membershipId: string;
    idempotencyKey: string;
    amount: number;
    spenderId?: string | null;
  },
): Promise<LedgerResult> {
  return explainNoRow(db, { ...spendSpec({ ...input, description: "", now: new Date(0) }) });
}
