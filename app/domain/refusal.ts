/**
 * The one way services and domain rules say "no" to something a user asked for.
 *
 * A refusal carries *what sort* of no it is (`kind`), *which* no (`reason`, a stable code that
 * tests, audit rows and pages can compare) and a sentence a user understands (`message`).
 * It never carries an HTTP status: only routes speak HTTP, and they derive the status from
 * `kind` (app/request/refusals.server.ts). Errors a user cannot cause are thrown as ordinary
 * errors and end in a logged 500, never as refusals.
 */
export const REFUSAL_KINDS = [
  /** The input breaks a rule (a date in the past, an unknown tier). */
  "invalid",
  /** The actor may not do this (role, account state, someone else's record). */
  "forbidden",
  /** The record does not exist, or the actor may not know that it does. */
  "not-found",
  /** The record moved on: already in that state, changed by someone else, a duplicate. */
  "conflict",
  /** It existed but is over for good (an expired link). */
  "gone",
  /** A limit or quota is used up; often says when it frees up. */
  "limit",
  /** A service this depends on failed (the payment provider). */
  "upstream",
  /** Switched off for now (a feature flag, maintenance). */
  "unavailable",
] as const;
export type RefusalKind = (typeof REFUSAL_KINDS)[number];

export interface Refusal<Reason extends string = string> {
  readonly ok: false;
  readonly kind: RefusalKind;
  readonly reason: Reason;
  readonly message: string;
  /** The form field the refusal is about, when there is one (a slug already taken). */
  readonly field?: string;
}

/** What a service returns for an operation a user can be refused: the outcome or a refusal. */
export type Result<T extends object = object, Reason extends string = string> =
  ({ readonly ok: true } & T) | Refusal<Reason>;

export function refuse<Reason extends string>(
  kind: RefusalKind,
  reason: Reason,
  message: string,
  options: { field?: string } = {},
): Refusal<Reason> {
  return options.field
    ? { ok: false, kind, reason, message, field: options.field }
    : { ok: false, kind, reason, message };
}

/**
 * For code that must unwind through callers it does not own (a Stripe call inside a
 * checkout): the refusal travels as an exception and the route catches it with
 * `isRefusalError`. Prefer returning a `Refusal` everywhere else.
 */
export class RefusalError<Reason extends string = string> extends Error {
  override name = "RefusalError";
  constructor(readonly refusal: Refusal<Reason>) {
    super(refusal.message);
  }
}

export function isRefusalError(error: unknown): error is RefusalError {
  return error instanceof RefusalError;
}
