import { createMailer, deliverPendingEmails } from "~/services/email-sender.server";
import type { Job } from "./types";

/** Send due outbox emails; a second run in parallel finds nothing left to claim. */
export const deliverEmailsJob: Job = {
  name: "deliver-emails",
  async run({ db, env, bindings, now }) {
    const mailer = createMailer(bindings, env.environment);
    return deliverPendingEmails({ db, mailer }, { now });
  },
};
