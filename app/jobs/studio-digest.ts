import { queueStudioDigest } from "~/services/projects/digest.server";
import type { Job } from "./types";

/** Daily: staff get one email listing overdue projects and add-ons waiting over two days. */
export const studioDigestJob: Job = {
  name: "studio-digest",
  async run({ db, now }) {
    return queueStudioDigest(db, now);
  },
};
