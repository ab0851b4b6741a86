import { and, desc, eq, inArray, lt, lte, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "#db/client";
import { emailOutbox, type EmailOutboxRow } from "#db/schema";
import type { EmailStatus } from "#db/schema/enums";
import { clampPageSize, decodeCursor, paginate } from "~/domain/catalog/cursor";
import type { Environment, WorkerBindings } from "~/lib/env.server";

/**
 * Delivery of the email outbox (docs/architecture.md §5): rows written in the same batch as the change
 * that causes them are sent later by a cron job, through a {@link Mailer}.
 *
 * A row is claimed before it is sent: one conditional UPDATE adds an attempt and moves
 * `send_after` past the claim lease, so a second run (a parallel cron, a manual trigger) finds
 * nothing to claim and an email is never sent twice by two runs. A run that dies after its
 * claim leaves the row PENDING; it is claimed again once the lease is over, and the lost try
 * counts as an attempt, so a poison email cannot loop forever.
 */

/** After this many failed tries an email is FAILED and stays visible in /admin/outbox. */
export const MAX_EMAIL_ATTEMPTS = 5;
/** How long a claimed row is reserved for the run that claimed it. */
export const CLAIM_LEASE_MS = 15 * 60 * 1000;
export const DEFAULT_DELIVERY_BATCH = 50;

/** The wait before try `attempts + 1`: 5 min, 15 min, 45 min, 2 h 15 min. */
export function retryDelayMs(attempts: number): number {
  return 5 * 60 * 1000 * 3 ** Math.max(0, attempts - 1);
}

export interface OutgoingMessage {
  to: string;
  subject: string;
  text: string;
}

/** Where email goes: Cloudflare's `send_email` binding, or the log in development. */
export interface Mailer {
  send(message: OutgoingMessage): Promise<void>;
}

/** Production: the `send_email` binding with its structured message (no MIME to build). */
export function cloudflareMailer(binding: SendEmail, from: string): Mailer {
  return {
    async send(message) {
      await binding.send({ from, to: message.to, subject: message.subject, text: message.text });
    },
  };
}

/**
 * Development and tests: one JSON log line per email, without the body (it can hold live
 * links); staff read the full text at /admin/outbox.
 */
export function loggingMailer(logger: Pick<Console, "log"> = console): Mailer {
  return {
    async send(message) {
      logger.log(
        JSON.stringify({
          level: "info",
          event: "email.logged",
          to: message.to,
          subject: message.subject,
        }),
      );
    },
  };
}

export class MailerUnavailableError extends Error {
  override name = "MailerUnavailableError";
}

/**
 * The mailer for this environment. Without a `send_email` binding only development and test
 * fall back to logging; staging and production fail loudly rather than dropping real mail into
 * the log (the job then leaves every email PENDING).
 */
export function createMailer(
  bindings: Pick<WorkerBindings, "EMAIL" | "EMAIL_FROM">,
  environment: Environment,
): Mailer {
  if (bindings.EMAIL) {
    const from = bindings.EMAIL_FROM?.trim();
    if (!from)
      throw new MailerUnavailableError(
        "EMAIL_FROM must be set when the EMAIL binding is configured",
      );
    return cloudflareMailer(bindings.EMAIL, from);
  }
  if (environment === "development" || environment === "test") return loggingMailer();
  throw new MailerUnavailableError(
    `No EMAIL send_email binding in ${environment}: emails stay PENDING until one is configured`,
  );
}

export type DeliveryReport = { claimed: number; sent: number; retrying: number; failed: number };

/**
 * Send up to `limit` due emails. Claimed rows are sent one by one and each outcome is written
 * at once, so a run cut short never resends what it already sent.
 */
export async function deliverPendingEmails(
  deps: { db: Database; mailer: Mailer; logger?: Pick<Console, "error"> },
  input: { now: Date; limit?: number },
): Promise<DeliveryReport> {
  const { db, mailer, logger = console } = deps;
  const { now } = input;
  const limit = Math.min(Math.max(1, Math.trunc(input.limit ?? DEFAULT_DELIVERY_BATCH)), 100);
  const claimed = await claimDueEmails(db, now, limit);
  const report: DeliveryReport = { claimed: claimed.length, sent: 0, retrying: 0, failed: 0 };

  for (const email of claimed) {
    // Only the run holding this claim may settle the row.
    const stillClaimed = and(
      eq(emailOutbox.id, email.id),
      eq(emailOutbox.status, "PENDING"),
      eq(emailOutbox.attempts, email.attempts),
    );
    try {
      await mailer.send({ to: email.toEmail, subject: email.subject, text: email.bodyText });
    } catch (error) {
      const lastError = (error instanceof Error ? error.message : String(error)).slice(0, 500);
      const giveUp = email.attempts >= MAX_EMAIL_ATTEMPTS;
      await db
        .update(emailOutbox)
        .set(
          giveUp
            ? { status: "FAILED", lastError, updatedAt: now }
            : {
                lastError,
                sendAfter: new Date(now.getTime() + retryDelayMs(email.attempts)),
                updatedAt: now,
              },
        )
        .where(stillClaimed);
      logger.error(
        JSON.stringify({
          level: giveUp ? "error" : "warn",
          event: giveUp ? "email.failed" : "email.retry",
          emailId: email.id,
          template: email.template,
          attempts: email.attempts,
          error: lastError,
        }),
      );
      if (giveUp) report.failed++;
      else report.retrying++;
      continue;
    }
    await db
      .update(emailOutbox)
      .set({ status: "SENT", sentAt: now, lastError: null, updatedAt: now })
      .where(stillClaimed);
    report.sent++;
  }
  return report;
}

/** One statement: due PENDING rows get an attempt and a lease; the rows claimed come back. */
async function claimDueEmails(db: Database, now: Date, limit: number): Promise<EmailOutboxRow[]> {
  const due = and(eq(emailOutbox.status, "PENDING"), lte(emailOutbox.sendAfter, now));
  const oldestDue = db
    .select({ id: emailOutbox.id })
    .from(emailOutbox)
    .where(due)
    .orderBy(emailOutbox.sendAfter, emailOutbox.id)
    .limit(limit);
  return db
    .update(emailOutbox)
    .set({
      attempts: sql`${emailOutbox.attempts} + 1`,
      sendAfter: new Date(now.getTime() + CLAIM_LEASE_MS),
      updatedAt: now,
    })
    .where(and(inArray(emailOutbox.id, oldestDue), due))
    .returning();
}

// ---- The staff view of the outbox (/admin/outbox) ----

export interface OutboxListItem {
  id: string;
  toEmail: string;
  template: string;
  subject: string;
  status: EmailStatus;
  attempts: number;
  sendAfter: Date;
  sentAt: Date | null;
  createdAt: Date;
}

/** The outbox, newest first, optionally one status, keyset-paginated on (created_at, id). */
export async function listOutboxEmails(
  db: Database,
  query: { status?: EmailStatus | null; cursor?: string | null },
  pageSize?: number,
): Promise<{ items: OutboxListItem[]; nextCursor: string | null }> {
  const limit = clampPageSize(pageSize);
  const conditions: SQL[] = [];
  if (query.status) conditions.push(eq(emailOutbox.status, query.status));
  const cursor = decodeCursor(query.cursor);
  if (cursor) {
    const at = new Date(cursor.sortKey);
    conditions.push(
      or(
        lt(emailOutbox.createdAt, at),
        and(eq(emailOutbox.createdAt, at), lt(emailOutbox.id, cursor.id)),
      )!,
    );
  }
  const rows = await db
    .select({
      id: emailOutbox.id,
      toEmail: emailOutbox.toEmail,
      template: emailOutbox.template,
      subject: emailOutbox.subject,
      status: emailOutbox.status,
      attempts: emailOutbox.attempts,
      sendAfter: emailOutbox.sendAfter,
      sentAt: emailOutbox.sentAt,
      createdAt: emailOutbox.createdAt,
    })
    .from(emailOutbox)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(emailOutbox.createdAt), desc(emailOutbox.id))
    .limit(limit + 1);
  return paginate(rows, limit, (row) => ({ sortKey: row.createdAt.getTime(), id: row.id }));
}

/** One email with its full text, or null. */
export async function getOutboxEmail(db: Database, id: string): Promise<EmailOutboxRow | null> {
  const [row] = await db.select().from(emailOutbox).where(eq(emailOutbox.id, id)).limit(1);
  return row ?? null;
}
