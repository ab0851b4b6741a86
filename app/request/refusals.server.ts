import { data } from "@remix-run/cloudflare";
import type { Refusal, RefusalKind } from "~/domain/refusal";
import { refusalReply } from "~/lib/forms.server";

/**
 * The one place a refusal becomes an HTTP status. Routes may override single reasons where
 * the public contract says otherwise (a download link that expired answers 410, say).
 */
const STATUS_FOR_KIND: Record<RefusalKind, number> = {
  invalid: 400,
  forbidden: 403,
  "not-found": 404,
  conflict: 409,
  gone: 410,
  limit: 429,
  upstream: 502,
  unavailable: 503,
};

export function refusalStatus(
  refusal: Pick<Refusal, "kind" | "reason">,
  overrides: Readonly<Record<string, number>> = {},
): number {
  return overrides[refusal.reason] ?? STATUS_FOR_KIND[refusal.kind];
}

/** A refusal as a plain-text response, for routes that answer with the sentence alone. */
export function refusalResponse(
  refusal: Refusal,
  init: { headers?: HeadersInit; overrides?: Readonly<Record<string, number>> } = {},
): Response {
  const headers = new Headers(init.headers);
  headers.set("Content-Type", "text/plain; charset=utf-8");
  return new Response(refusal.message, {
    status: refusalStatus(refusal, init.overrides),
    headers,
  });
}

/**
 * A refused form submission: the page shows the sentence inline (under `refusal.field`, or
 * above the form) with everything the user typed kept. A refusal that means "there is no
 * such record" is thrown instead, so the route's error boundary shows its 404 page.
 */
export function refusedForm(
  formData: FormData,
  refusal: Refusal,
  overrides: Readonly<Record<string, number>> = {},
) {
  if (refusal.kind === "not-found") throw refusalResponse(refusal, { overrides });
  return data(refusalReply(formData, refusal), { status: refusalStatus(refusal, overrides) });
}
