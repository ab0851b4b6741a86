/**
 * The server functions the membership pages' loaders and actions use, re-exported from one
 * `.server` module: the browser build replaces it with one empty module inlined into the page's
 * chunk, instead of loading a shared stub file for each server module (issue 17, ./root.server).
 */
export { data, redirect } from "@remix-run/cloudflare";
export { parseForm } from "~/lib/forms.server";
export { redirectWithToast } from "~/lib/toast.server";
export { pageCursor, requireAccountAction } from "~/request/account.server";
export { requireUser } from "~/request/auth.server";
export { refusedForm } from "~/request/refusals.server";
export { readForm } from "~/request/read-form.server";
export {
  cancelDowngrade,
  changeTier,
  getMembershipPlan,
  pauseMembership,
  resumeMembership,
} from "~/services/membership-lifecycle.server";
export {
  getCreditHistory,
  getMembershipOverview,
  setAutoRenew,
} from "~/services/memberships.server";
export { findMembershipOfUser, getTeamOverview } from "~/services/membership-team.server";
export { teamAction } from "~/request/membership-team.server";
