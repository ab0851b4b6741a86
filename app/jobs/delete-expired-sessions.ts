import { deleteExpiredSessions } from "~/services/sessions.server";
import type { Job } from "./types";

export const deleteExpiredSessionsJob: Job = {
  name: "delete-expired-sessions",
  async run({ db, now }) {
    return { deleted: await deleteExpiredSessions(db, now) };
  },
};
