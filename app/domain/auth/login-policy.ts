/**
 * Failed log-ins (docs/architecture.md §5). Everything here is keyed by the address typed, not
 * by the account, so an address with no account is slowed and locked by exactly the same rules
 * as a real one (nothing tells them apart). Three counts, each in a fixed window:
 *
 * - per address and client (IP hash), 15 minutes: from the 5th failure the next attempt from
 *   that client waits (1 s, doubling, at most 30 s). Attempts refused while waiting are not
 *   counted and cost no hash.
 * - per client, one hour: 50 failures (any addresses) stop that client until the hour ends.
 * - per address, one hour, from any client: the 100th failure locks the address for 15
 *   minutes, and the count starts again from zero, so a lock never re-arms from old failures.
 *
 * One client can therefore never lock an account (it stops at 50); a lock needs failures from
 * several clients and lasts 15 minutes. The emailed reset link ("Forgot your password?") ends
 * a lock at once. Every log-in attempt, good or bad, is also limited per client (30 a minute),
 * and so is every sign-up (10 in 10 minutes): each costs a password hash.
 */
export const LOGIN_ATTEMPTS_PER_CLIENT = { limit: 30, windowMs: 60 * 1000 } as const;
export const SIGNUPS_PER_CLIENT = { limit: 10, windowMs: 10 * 60 * 1000 } as const;

export const PAIR_FAILURE_WINDOW_MS = 15 * 60 * 1000;
export const BACKOFF_AFTER_FAILURES = 5;
export const MAX_BACKOFF_MS = 30 * 1000;

export const CLIENT_FAILURE_WINDOW_MS = 60 * 60 * 1000;
export const MAX_FAILED_LOGINS_PER_CLIENT = 50;

export const FAILED_LOGIN_WINDOW_MS = 60 * 60 * 1000;
export const MAX_FAILED_LOGINS_PER_WINDOW = 100;
export const FAILED_LOGIN_LOCK_MS = 15 * 60 * 1000;

/** How long after a failure the same client may try the same address again. */
export function backoffDelayMs(pairFailures: number): number {
  if (pairFailures < BACKOFF_AFTER_FAILURES) return 0;
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (pairFailures - BACKOFF_AFTER_FAILURES));
}

/** The end of the fixed window of `windowMs` that `now` falls in. */
export function windowEnd(now: Date, windowMs: number): Date {
  return new Date((Math.floor(now.getTime() / windowMs) + 1) * windowMs);
}

export type ThrottleReason = "locked" | "backoff" | "client";

export interface Hold {
  reason: ThrottleReason;
  until: Date;
}

/** What one more counted failure sets: the holds that start now and whether it locks. */
export function holdsAfterFailure(
  counts: { pair: number; client: number; address: number },
  now: Date,
): { holds: Hold[]; locks: boolean } {
  const holds: Hold[] = [];
  const delay = backoffDelayMs(counts.pair);
  if (delay > 0) holds.push({ reason: "backoff", until: new Date(now.getTime() + delay) });
  if (counts.client >= MAX_FAILED_LOGINS_PER_CLIENT) {
    holds.push({ reason: "client", until: windowEnd(now, CLIENT_FAILURE_WINDOW_MS) });
  }
  // Only the attempt that reaches the limit locks; the count then starts again from zero.
  const locks = counts.address === MAX_FAILED_LOGINS_PER_WINDOW;
  if (locks)
    holds.push({ reason: "locked", until: new Date(now.getTime() + FAILED_LOGIN_LOCK_MS) });
  return { holds, locks };
}

const SEVERITY: Record<ThrottleReason, number> = { locked: 3, client: 2, backoff: 1 };

/** The hold that answers an attempt: a lock before the others, then the longest wait. */
export function strictestHold(holds: readonly Hold[], now: Date): Hold | null {
  const active = holds.filter((hold) => hold.until.getTime() > now.getTime());
  if (active.length === 0) return null;
  return active.reduce((worst, hold) =>
    SEVERITY[hold.reason] > SEVERITY[worst.reason] ||
    (SEVERITY[hold.reason] === SEVERITY[worst.reason] &&
      hold.until.getTime() > worst.until.getTime())
      ? hold
      : worst,
  );
}

export function formatWait(retryAt: Date, now: Date): string {
  const seconds = Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 1000));
  if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/** The sentence a person sees when the throttle stops a log-in attempt. */
export function throttleMessage(
  reason: ThrottleReason | "throttled",
  retryAt: Date,
  now: Date,
): string {
  const wait = formatWait(retryAt, now);
  switch (reason) {
    case "locked":
      return `Too many failed attempts: this account is locked. Try again in ${wait}, or use "Forgot your password?" to get a link by email that lets you in now.`;
    case "backoff":
      return `Too many failed attempts. Wait ${wait} before trying again.`;
    case "client":
      return `Too many failed log-ins from your network. Try again in ${wait}, or use "Forgot your password?".`;
    case "throttled":
      return `Too many log-in attempts from your network. Try again in ${wait}.`;
  }
}

/** The sentence a person sees when their account status stops the log-in. */
export function accountStatusMessage(
  status: "LOCKED" | "BANNED" | "SUSPENDED",
  reason: string | null,
): string {
  const why = reason ? ` Reason: ${reason}` : "";
  switch (status) {
    case "LOCKED":
      return `This account is locked. Contact support to unlock it.${why}`;
    case "SUSPENDED":
      return `This account is suspended while we review it.${why}`;
    case "BANNED":
      return `This account has been closed for breaking the terms of service.${why}`;
  }
}
