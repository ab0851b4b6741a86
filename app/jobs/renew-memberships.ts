import { renewDueMemberships, resumePausedMemberships } from "~/services/ledger.server";
import type { Job } from "./types";

/**
 * Hourly: paused memberships whose pause has ended resume, then memberships whose period ended
 * renew (rollover + renewal), wait for a late or failed payment, or expire. Uses the scheduled
 * time as "now", so a retried invocation of the same tick changes nothing.
 */
export const renewMembershipsJob: Job = {
  name: "renew-memberships",
  async run({ db, now }) {
    const resumed = await resumePausedMemberships(db, { now });
    const run = await renewDueMemberships(db, { now });
    return { resumed, renewed: run.renewed, expired: run.expired, batches: run.batches };
  },
};
