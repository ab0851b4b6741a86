/**
 * What the root loader needs from the server, re-exported from one `.server` module: the
 * browser build replaces each `.server` import with an empty module, and one that only the root
 * imports is inlined into its chunk instead of adding a shared file to every page (issue 17).
 */
export { data } from "@remix-run/cloudflare";
export { getCurrentUser } from "~/request/auth.server";
export { consumeToast } from "~/lib/toast.server";
