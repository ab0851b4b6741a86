import { eraseDueAccounts } from "~/services/privacy/erasure.server";
import type { Job } from "./types";

/** Accounts whose 7-day deletion grace period is over are erased (issue 13; ADR 0009). */
export const eraseDeletedAccountsJob: Job = {
  name: "erase-deleted-accounts",
  async run({ db, env, now }) {
    const run = await eraseDueAccounts({ db, env }, { now });
    return { ...run };
  },
};
