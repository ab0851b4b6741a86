import { pruneExpiredRateLimits } from "~/services/rate-limit.server";
import type { Job } from "./types";

/** Rate-limit windows that have ended are only clutter; idempotent. */
export const pruneRateLimitsJob: Job = {
  name: "prune-rate-limits",
  async run({ db, now }) {
    return { deleted: await pruneExpiredRateLimits(db, now) };
  },
};
