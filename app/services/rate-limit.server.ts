import { and, eq, gt, inArray, lte, sql } from "drizzle-orm";
import type { Database } from "#db/client";
import { rateLimits } from "#db/schema";

/**
 * Fixed-window rate limits kept in D1 (`rate_limits`). Each window is one row keyed
 * `<scope>:<subject>:<window start>`; a request bumps it with one atomic upsert, so parallel
 * requests are all counted and none is lost.
 */

export interface RateLimitRule {
  /** What is limited, e.g. `license-api-ip`; no ":" so keys stay unambiguous. */
  scope: string;
  /** Who is limited: a hash, never a raw IP or license key. */
  subject: string;
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Seconds until the current window ends (0 when allowed). */
  retryAfterSeconds: number;
  count: number;
}

function windowOf(rule: RateLimitRule, now: Date) {
  if (rule.scope.includes(":")) throw new TypeError('A rate limit scope must not contain ":"');
  if (!(rule.windowMs > 0) || !(rule.limit > 0)) throw new RangeError("Invalid rate limit rule");
  const start = Math.floor(now.getTime() / rule.windowMs) * rule.windowMs;
  return { key: `${rule.scope}:${rule.subject}:${start}`, end: start + rule.windowMs };
}

/** Count one request against `rule`, as a statement for the caller's batch (returns `count`). */
export function countStatement(db: Database, rule: RateLimitRule, now: Date) {
  const { key, end } = windowOf(rule, now);
  return db
    .insert(rateLimits)
    .values({ key, count: 1, expiresAt: new Date(end) })
    .onConflictDoUpdate({ target: rateLimits.key, set: { count: sql`${rateLimits.count} + 1` } })
    .returning({ count: rateLimits.count });
}

/** The decision for a count returned by {@link countStatement}. */
export function decideRateLimit(rule: RateLimitRule, now: Date, count: number): RateLimitDecision {
  const { end } = windowOf(rule, now);
  const allowed = count <= rule.limit;
  return {
    allowed,
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((end - now.getTime()) / 1000)),
    count,
  };
}

/** Count one request against `rule` and say whether it may go on. */
export async function consumeRateLimit(
  db: Database,
  input: RateLimitRule & { now: Date },
): Promise<RateLimitDecision> {
  const [row] = await countStatement(db, input, input.now);
  return decideRateLimit(input, input.now, row!.count);
}

/**
 * Count one request against several rules in one round trip (one batch). The answer is the
 * strictest: refused if any rule refuses, with the longest wait.
 */
export async function consumeRateLimits(
  db: Database,
  rules: readonly RateLimitRule[],
  now: Date,
): Promise<RateLimitDecision> {
  if (rules.length === 0) return { allowed: true, retryAfterSeconds: 0, count: 0 };
  const [first, ...rest] = rules.map((rule) => countStatement(db, rule, now));
  const results = await db.batch([first!, ...rest]);
  const decisions = results.map((rows, index) =>
    decideRateLimit(rules[index]!, now, rows[0]!.count),
  );
  const refused = decisions.filter((decision) => !decision.allowed);
  if (refused.length === 0) return decisions[0]!;
  return refused.reduce((worst, decision) =>
    decision.retryAfterSeconds > worst.retryAfterSeconds ? decision : worst,
  );
}

/**
 * Give back one request counted by {@link consumeRateLimit} in the same window, for limits
 * that count only failures: the slot is taken before the check (so parallel requests are
 * counted exactly) and returned when the request turned out fine.
 */
export async function refundRateLimit(
  db: Database,
  input: RateLimitRule & { now: Date },
): Promise<void> {
  const { key } = windowOf(input, input.now);
  await db
    .update(rateLimits)
    .set({ count: sql`${rateLimits.count} - 1` })
    .where(and(eq(rateLimits.key, key), gt(rateLimits.count, 0)));
}

/** Drop windows that have ended; returns how many rows went. */
export async function pruneExpiredRateLimits(db: Database, now: Date): Promise<number> {
  const deleted = await db
    .delete(rateLimits)
    .where(lte(rateLimits.expiresAt, now))
    .returning({ key: rateLimits.key });
  return deleted.length;
}

/** Forget the current window of `rule` for its subject: the next request counts from one. */
export function clearRateLimitStatement(db: Database, rule: RateLimitRule, now: Date) {
  return db.delete(rateLimits).where(eq(rateLimits.key, windowOf(rule, now).key));
}

/**
 * Holds: "`<scope>:<subject>` may not go on before `until`", one `rate_limits` row each (no
 * window start in the key; the prune job drops it once passed). Setting a hold never shortens
 * one already running.
 */
export interface HoldKey {
  scope: string;
  subject: string;
}

function holdKey(hold: HoldKey) {
  if (hold.scope.includes(":")) throw new TypeError('A hold scope must not contain ":"');
  return `${hold.scope}:${hold.subject}`;
}

export function holdStatement(db: Database, hold: HoldKey & { until: Date }) {
  return db
    .insert(rateLimits)
    .values({ key: holdKey(hold), count: 1, expiresAt: hold.until })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`${rateLimits.count} + 1`,
        expiresAt: sql`max(${rateLimits.expiresAt}, excluded.expires_at)`,
      },
    });
}

export function releaseHoldStatement(db: Database, hold: HoldKey) {
  return db.delete(rateLimits).where(eq(rateLimits.key, holdKey(hold)));
}

/** The holds among `holds` still running at `now`, with when each ends. */
export async function activeHolds<H extends HoldKey>(
  db: Database,
  holds: readonly H[],
  now: Date,
): Promise<Array<H & { until: Date }>> {
  if (holds.length === 0) return [];
  const rows = await db
    .select({ key: rateLimits.key, expiresAt: rateLimits.expiresAt })
    .from(rateLimits)
    .where(and(inArray(rateLimits.key, holds.map(holdKey)), gt(rateLimits.expiresAt, now)));
  const until = new Map(rows.map((row) => [row.key, row.expiresAt]));
  return holds.flatMap((hold) => {
    const end = until.get(holdKey(hold));
    return end ? [{ ...hold, until: end }] : [];
  });
}
