/**
 * What the account layout's loader needs from the server, re-exported from one `.server` module:
 * the browser build replaces it with one empty module inlined into the layout's chunk instead of
 * loading a shared stub file per server module (issue 17, see ./root.server).
 */
export { requireUser } from "~/request/auth.server";
export { privatePageHeaders } from "~/request/page-cache.server";
