/**
 * Failed log-ins (docs/architecture.md §5): counted per account in a one-hour window. From the 10th
 * failure each further attempt waits longer (backoff); the 100th locks the account for a
 * fixed time, never for ever, so nobody can lock a stranger out permanently.
 */
export const FAILED_LOGIN_WINDOW_MS = 60 * 60 * 1000;
export const MAX_FAILED_LOGINS_PER_WINDOW = 100;
export const FAILED_LOGIN_LOCK_MS = 15 * 60 * 1000;
export const BACKOFF_AFTER_FAILURES = 10;
export const MAX_BACKOFF_MS = 30 * 1000;

/** How long after the last failure the next attempt may come. */
export function backoffDelayMs(failuresInWindow: number): number {
  if (failuresInWindow < BACKOFF_AFTER_FAILURES) return 0;
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (failuresInWindow - BACKOFF_AFTER_FAILURES));
}

export interface LoginThrottleState {
  failedLoginCount: number;
  failedLoginWindowStart: Date | null;
  lastFailedLoginAt: Date | null;
  lockedUntil: Date | null;
}

export type ThrottleDecision =
  { allowed: true } | { allowed: false; reason: "locked" | "backoff"; retryAt: Date };

/** May this account try a password now? Time is passed in. */
export function loginThrottle(state: LoginThrottleState, now: Date): ThrottleDecision {
  if (state.lockedUntil && state.lockedUntil.getTime() > now.getTime()) {
    return { allowed: false, reason: "locked", retryAt: state.lockedUntil };
  }
  const windowOpen =
    state.failedLoginWindowStart &&
    now.getTime() - state.failedLoginWindowStart.getTime() < FAILED_LOGIN_WINDOW_MS;
  if (!windowOpen || !state.lastFailedLoginAt) return { allowed: true };
  const retryAt = new Date(
    state.lastFailedLoginAt.getTime() + backoffDelayMs(state.failedLoginCount),
  );
  return retryAt.getTime() > now.getTime()
    ? { allowed: false, reason: "backoff", retryAt }
    : { allowed: true };
}

export function formatWait(retryAt: Date, now: Date): string {
  const seconds = Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 1000));
  if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/** The sentence a person sees when the throttle stops a log-in attempt. */
export function throttleMessage(reason: "locked" | "backoff", retryAt: Date, now: Date): string {
  const wait = formatWait(retryAt, now);
  return reason === "locked"
    ? `Too many failed attempts: this account is locked. Try again in ${wait}.`
    : `Too many failed attempts. Wait ${wait} before trying again.`;
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
