import { and, eq, inArray, type SQL } from "drizzle-orm";
import type { Database } from "#db/client";
import { emailOutbox, users } from "#db/schema";
import { studioEmails, type DigestItems, type StudioEmail } from "~/domain/email/templates";
import { queueEmail } from "../email-outbox.server";

export { studioEmails, type DigestItems, type StudioEmail };

/**
 * Every email the studio sends, in one place (docs/architecture.md §10): the words, and the
 * outbox statement that queues them in the same batch as the change they describe, guarded by
 * `when` so a change that lost a race (or was refused) queues nothing.
 */

export interface Recipient {
  email: string;
  name: string;
}

const hello = (to: Recipient) => `Hello ${to.name},\n\n`;

/** The outbox row, written only if `when` holds at this point of the batch. */
export function emailStatement(
  db: Database,
  input: { to: Recipient; email: StudioEmail; now: Date; when: SQL },
) {
  return queueEmail(
    db,
    {
      to: input.to.email,
      template: input.email.template,
      subject: input.email.subject,
      bodyText: `${hello(input.to)}${input.email.body}`,
      at: input.now,
    },
    { when: input.when },
  );
}

/** One email per staff member who can act on studio work (ADMIN and OWNER). */
export async function staffRecipients(db: Database): Promise<Recipient[]> {
  return db
    .select({ email: users.email, name: users.name })
    .from(users)
    .where(and(inArray(users.role, ["ADMIN", "OWNER"]), eq(users.accountStatus, "ACTIVE")));
}

export function staffEmailStatements(
  db: Database,
  input: { staff: readonly Recipient[]; email: StudioEmail; now: Date; when: SQL },
) {
  return input.staff.map((to) => emailStatement(db, { ...input, to }));
}

/** The daily digest: one email per staff member, queued once per day (the dedupe key). */
export function digestStatements(
  db: Database,
  input: { staff: readonly Recipient[]; items: DigestItems; now: Date },
) {
  const email = studioEmails.digest(input.items, input.now);
  const day = input.now.toISOString().slice(0, 10);
  return input.staff.map((to) =>
    queueEmail(db, {
      to: to.email,
      template: email.template,
      subject: email.subject,
      bodyText: `${hello(to)}${email.body}`,
      dedupeKey: `studio-digest:${day}:${to.email}`,
      at: input.now,
    }).returning({ id: emailOutbox.id }),
  );
}
