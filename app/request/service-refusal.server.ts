import { REFUSAL_KINDS, refuse, type Refusal, type RefusalKind } from "~/domain/refusal";

const isRefusalKind = (value: unknown): value is RefusalKind =>
  (REFUSAL_KINDS as readonly unknown[]).includes(value);

/**
 * A service's "no" as a `Refusal`, for services whose failures don't say their `kind` yet
 * (ADR 0006 moves them onto `Result` one by one): the kind is taken from a `reason` that
 * names one, else `fallback`. A real `Refusal` passes through unchanged.
 */
export function asRefusal(
  failure: { message: string; kind?: RefusalKind; reason?: string; field?: string },
  fallback: RefusalKind,
): Refusal {
  const kind = failure.kind ?? (isRefusalKind(failure.reason) ? failure.reason : fallback);
  return refuse(kind, failure.reason ?? kind, failure.message, { field: failure.field });
}
