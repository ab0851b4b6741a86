import type { Database } from "#db/client";
import { digestStatements, staffRecipients } from "./emails.server";
import { digestItems } from "./queries.server";

/**
 * The daily staff digest (docs/architecture.md §10): overdue projects and add-ons waiting more
 * than two days, in one email per staff member (never one per item). Idempotent per day: the
 * outbox's dedupe key names the day and the recipient, so a second run queues nothing new.
 */
export async function queueStudioDigest(
  db: Database,
  now: Date,
): Promise<{ overdue: number; idle: number; queued: number }> {
  const items = await digestItems(db, now);
  const counts = { overdue: items.overdue.length, idle: items.idle.length };
  const staff = await staffRecipients(db);
  const statements = digestStatements(db, { staff, items, now });
  if ((counts.overdue === 0 && counts.idle === 0) || statements.length === 0) {
    return { ...counts, queued: 0 };
  }
  const results = await db.batch(statements as [(typeof statements)[number]]);
  return { ...counts, queued: results.filter((rows) => rows.length > 0).length };
}
