import { lte } from "drizzle-orm";
import type { Database } from "#db/client";
import { sessions } from "#db/schema";

/** Remove every session whose expiry has passed. Idempotent: a second run finds nothing. */
export async function deleteExpiredSessions(db: Database, now: Date): Promise<number> {
  const deleted = await db
    .delete(sessions)
    .where(lte(sessions.expiresAt, now))
    .returning({ id: sessions.id });
  return deleted.length;
}
