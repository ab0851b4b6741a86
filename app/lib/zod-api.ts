/**
 * zod's API without its translations. `import { z } from "zod"` is a namespace object that
 * holds `z.locales` and `z.core.locales`: every language's error messages (258 KiB of the
 * worker's 444 KiB of zod, issue 17), all kept because the namespace is used as a value. This
 * module re-exports everything and shadows those three names (a module's own export wins
 * over `export *`), so the bundler drops the locales. English messages stay: zod configures
 * them when its schemas load. Import it only through `~/lib/zod`.
 */
export * from "zod";

/** Not available here (zod's other locales); nothing in the app reads it. */
export const locales = undefined;
/** Not available here (it re-exports the locales); nothing in the app reads it. */
export const core = undefined;
/** zod's own namespace, translations included: use the `z` of `~/lib/zod`. */
export const z = undefined;
