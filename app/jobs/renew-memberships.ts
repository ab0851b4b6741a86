import { renewDueMemberships } from "~/services/ledger.server";
import type { Job } from "./types";

/**
 * Hourly: memberships whose period ended renew (rollover + renewal) or expire. Uses the
 * scheduled time as "now", so a retried invocation of the same tick changes nothing.
 */
export const renewMembershipsJob: Job = {
  name: "renew-memberships",
  async run({ db, now }) {
    const run = await renewDueMemberships(db, { now });
    return { renewed: run.renewed, expired: run.expired, batches: run.batches };
  },
};
