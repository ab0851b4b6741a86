/**
 * The one way the app imports zod. Workers (and our CSP in browsers) forbid `eval` and
 * `new Function`; zod v4 probes for them to JIT-compile parsers, which a CSP reports as a
 * violation on every page. Jitless mode is set here, before any schema exists.
 * `./zod-api` is zod without its translations (258 KiB of the worker bundle).
 */
import * as z from "./zod-api";

z.config({ jitless: true });

export { z };

/**
 * A whole number typed into a form: an optional sign and decimal digits, nothing else.
 * `z.coerce.number()` goes through `Number()`, which reads "1e3" as 1000, "0x10" as 16 and
 * "" as 0; a form value is a person's typing, so anything but digits is an error instead.
 * Chain limits with `.pipe(z.number().min(…).max(…))`.
 */
export function wholeNumber(message: string) {
  return z
    .string({ error: message })
    .trim()
    .regex(/^[+-]?\d{1,15}$/, message)
    .transform(Number);
}
