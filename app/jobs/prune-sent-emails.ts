import { pruneSentEmails } from "~/services/email-outbox.server";
import type { Job } from "./types";

export const pruneSentEmailsJob: Job = {
  name: "prune-sent-emails",
  async run({ db, now }) {
    return { deleted: await pruneSentEmails(db, now) };
  },
};
