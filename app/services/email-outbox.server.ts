import { and, eq, lt, sql, type SQL } from "drizzle-orm";
import type { Database } from "#db/client";
import { emailOutbox, type UserRole } from "#db/schema";
import type { EmailContent } from "~/domain/email/templates";
import { insertWhen, selectInTableOrder } from "./conditional-insert.server";

export const SENT_EMAIL_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** One address, or every active account with one of these roles (one email each). */
export type Recipient = string | { readonly activeRoles: readonly UserRole[] };

/** An email to queue: its words come from ~/domain/email/templates. */
export interface OutgoingEmail extends EmailContent {
  to: Recipient;
  /** The row's id, when a later statement of the batch checks that the email went in. */
  id?: string;
  /**
   * Same key → queued once, even when the causing operation is retried. For a role, each
   * member's id is appended (`<key>:<userId>`).
   */
  dedupeKey?: string;
  /** When the causing change happened: the row is created then and may be sent from then on. */
  at?: Date;
}

/**
 * The one way email is queued: the outbox INSERT, to put in the same batch as the change that
 * causes the email. With `when`, the email is queued only if that condition holds at its
 * point of the batch (the UPDATE before it changed something; see conditional-insert.server).
 * An email whose dedupe key is already queued is skipped, never an error.
 */
export function queueEmail(db: Database, email: OutgoingEmail, options: { when?: SQL } = {}) {
  if (typeof email.to !== "string") {
    if (email.id) throw new Error("queueEmail: an email to several recipients has no one id");
    return queueForRoles(db, email, email.to, options.when);
  }
  const insert = db.insert(emailOutbox).values({
    ...(email.id ? { id: email.id } : {}),
    toEmail: email.to,
    template: email.template,
    subject: email.subject,
    bodyText: email.bodyText,
    dedupeKey: email.dedupeKey ?? null,
    sendAfter: email.at ?? new Date(),
    ...(email.at ? { createdAt: email.at, updatedAt: email.at } : {}),
  });
  const onDuplicate = { target: emailOutbox.dedupeKey };
  return options.when
    ? insertWhen(db, emailOutbox, insert, options.when).onConflictDoNothing(onDuplicate)
    : insert.onConflictDoNothing(onDuplicate);
}

/** One row per active account with one of `roles`, written in one INSERT … SELECT. */
function queueForRoles(
  db: Database,
  email: OutgoingEmail,
  recipients: { readonly activeRoles: readonly UserRole[] },
  when: SQL | undefined,
) {
  const at = (email.at ?? new Date()).getTime();
  const roles = sql.join(
    recipients.activeRoles.map((role) => sql`${role}`),
    sql`, `,
  );
  return db
    .insert(emailOutbox)
    .select(
      selectInTableOrder(
        emailOutbox,
        {
          id: sql`lower(hex(randomblob(12)))`,
          to_email: sql`u."email"`,
          template: sql`${email.template}`,
          subject: sql`${email.subject}`,
          body_text: sql`${email.bodyText}`,
          status: sql`'PENDING'`,
          attempts: sql`0`,
          last_error: sql`null`,
          send_after: sql`${at}`,
          sent_at: sql`null`,
          dedupe_key: email.dedupeKey ? sql`${`${email.dedupeKey}:`} || u."id"` : sql`null`,
          created_at: sql`${at}`,
          updated_at: sql`${at}`,
        },
        sql`from "users" u where u."role" in (${roles}) and u."account_status" = 'ACTIVE'${
          when ? sql` and ${when}` : sql``
        }`,
      ),
    )
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
