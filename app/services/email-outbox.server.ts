import { and, eq, lt } from "drizzle-orm";
import type { Database } from "#db/client";
import { emailOutbox } from "#db/schema";

export const SENT_EMAIL_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

export interface OutgoingEmail {
  to: string;
  template: string;
  subject: string;
  bodyText: string;
  /** Same key → queued once, even when the causing operation is retried. */
  dedupeKey?: string;
  sendAfter?: Date;
}

/** The outbox insert, to put in the same batch as the change that causes the email. */
export function queueEmailStatement(db: Database, email: OutgoingEmail) {
  return db
    .insert(emailOutbox)
    .values({
      toEmail: email.to,
      template: email.template,
      subject: email.subject,
      bodyText: email.bodyText,
      dedupeKey: email.dedupeKey ?? null,
      sendAfter: email.sendAfter ?? new Date(),
    })
    .onConflictDoNothing({ target: emailOutbox.dedupeKey });
}

/** Sent mail is kept for a month for support questions, then removed. */
export async function pruneSentEmails(db: Database, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - SENT_EMAIL_RETENTION_MS);
  const deleted = await db
    .delete(emailOutbox)
    .where(and(eq(emailOutbox.status, "SENT"), lt(emailOutbox.sentAt, cutoff)))
    .returning({ id: emailOutbox.id });
  return deleted.length;
}
