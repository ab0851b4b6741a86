import { sql } from "drizzle-orm";
import type { Database } from "#db/client";

/** `select 1` against D1: true when the database answers. */
export async function pingDatabase(db: Database): Promise<boolean> {
  try {
    await db.run(sql`select 1`);
    return true;
  } catch (error) {
    console.error(
      JSON.stringify({ level: "error", event: "health.db_unreachable", message: String(error) }),
    );
    return false;
  }
}
