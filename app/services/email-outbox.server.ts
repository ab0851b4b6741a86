import { and, eq, lt } from "drizzle-orm";
import type { Database } from "#db/client";
import { emailOutbox } from "#db/schema";

export const SENT_EMAIL_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** Sent mail is kept for a month for support questions, then removed. */
export async function pruneSentEmails(db: Database, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - SENT_EMAIL_RETENTION_MS);
  const deleted = await db
    .delete(emailOutbox)
    .where(and(eq(emailOutbox.status, "SENT"), lt(emailOutbox.sentAt, cutoff)))
    .returning({ id: emailOutbox.id });
  return deleted.length;
}
