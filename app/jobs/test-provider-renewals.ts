import { payDueTestRenewals } from "~/services/membership-lifecycle.server";
import type { Job } from "./types";

/**
 * Hourly, before renew-memberships: the test provider pays the next period of its memberships
 * whose period ends within the hour, so a local membership lives through several periods (the
 * member can make one fail from /account/membership). Never in production.
 */
export const testProviderRenewalsJob: Job = {
  name: "test-provider-renewals",
  async run({ db, env, now }) {
    if (env.isProduction) return { due: 0, paid: 0 };
    const run = await payDueTestRenewals(db, { now });
    return { due: run.due, paid: run.paid };
  },
};
