/**
 * The one way the app imports zod. Workers (and our CSP in browsers) forbid `eval` and
 * `new Function`; zod v4 probes for them to JIT-compile parsers, which a CSP reports as a
 * violation on every page. Jitless mode is set here, before any schema exists.
 */
import { z } from "zod";

z.config({ jitless: true });

export { z };
