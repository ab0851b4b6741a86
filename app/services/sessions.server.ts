import { and, eq, gt, lte, ne, sql } from "drizzle-orm";
import { preparedReadsOnce, runReads, type Database, type PreparedReads } from "#db/client";
import { sessions, users, type AccountStatus, type UserRole } from "#db/schema";
import { randomToken, sha256TokenHash } from "~/lib/hmac.server";

export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** last_seen_at is refreshed at most this often, so reads don't turn into writes. */
const LAST_SEEN_GRANULARITY_MS = 5 * 60 * 1000;

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  accountStatus: AccountStatus;
  isMinor: boolean;
  guardianConsentAt: Date | null;
  /** Null until the address is confirmed (the banner; services check it themselves). */
  emailVerifiedAt: Date | null;
  twoFactorEnabled: boolean;
}

export interface CurrentSession {
  sessionId: string;
  deviceSessionId: string | null;
  twoFactorVerified: boolean;
  /** When this session last proved a two-factor code (staff step-up needs it recent). */
  twoFactorVerifiedAt: Date | null;
  user: SessionUser;
}

/** A fresh 128-bit token (for the cookie) and the statement that stores only its hash. */
export async function newSessionStatement(
  db: Database,
  input: { userId: string; deviceSessionId: string | null; twoFactorVerified: boolean; now: Date },
) {
  const token = randomToken(16);
  const statement = db.insert(sessions).values({
    tokenHash: await sha256TokenHash(token),
    userId: input.userId,
    deviceSessionId: input.deviceSessionId,
    twoFactorVerifiedAt: input.twoFactorVerified ? input.now : null,
    expiresAt: new Date(input.now.getTime() + SESSION_TTL_MS),
    lastSeenAt: input.now,
    createdAt: input.now,
  });
  return { token, statement };
}

type SessionRow = {
  sessionId: string;
  deviceSessionId: string | null;
  twoFactorVerifiedAt: Date | null;
  lastSeenAt: Date;
  user: SessionUser;
};

/**
 * The statement that reads a session and its user by the hash of the cookie's token, ready to
 * share a D1 batch with the page's own reads (`runReads`); `sessionFromLookup` makes the session
 * of its result.
 */
export function sessionLookup(
  db: Database,
  tokenHash: string,
  now: Date,
): PreparedReads<SessionRow | undefined> {
  const reads = preparedReadsOnce(db, "sessions.by-token", (handle) => [
    handle
      .select({
        sessionId: sessions.id,
        deviceSessionId: sessions.deviceSessionId,
        twoFactorVerifiedAt: sessions.twoFactorVerifiedAt,
        lastSeenAt: sessions.lastSeenAt,
        user: {
          // Aliased: a batch's rows come back as objects keyed by column name, and the session's
          // `id` would hide the user's.
          id: sql<string>`${users.id}`.as("user_id"),
          email: users.email,
          name: users.name,
          role: users.role,
          accountStatus: users.accountStatus,
          isMinor: users.isMinor,
          guardianConsentAt: users.guardianConsentAt,
          emailVerifiedAt: users.emailVerifiedAt,
          twoFactorEnabled: users.twoFactorEnabled,
        },
      })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      // Placeholders skip the column's encoder: expires_at is milliseconds (timestamp_ms).
      .where(
        and(
          eq(sessions.tokenHash, sql.placeholder("tokenHash")),
          gt(sessions.expiresAt, sql.placeholder("nowMs")),
        ),
      )
      .limit(1),
  ]);
  const { statements, map } = reads({ tokenHash, nowMs: now.getTime() });
  return { statements, map: (results) => map(results)[0][0] as SessionRow | undefined };
}

/**
 * The id of the user whose live session has the token hash `tokenHash` (placeholder names
 * `tokenHash` and `nowMs`), for reads that go to D1 in the same batch as `sessionLookup`: they
 * select the session's user's rows, so for a token without a live session they find none.
 */
export const sessionUserId = sql`(select ${sessions.userId} from ${sessions} where ${sessions.tokenHash} = ${sql.placeholder("tokenHash")} and ${sessions.expiresAt} > ${sql.placeholder("nowMs")})`;

/**
 * The session a lookup found, refreshing `last_seen_at` when it is old. Role and status come
 * from D1 on every request; a user who is not ACTIVE has no session, whatever the cookie says.
 */
export async function sessionFromLookup(
  db: Database,
  row: SessionRow | undefined,
  now: Date,
): Promise<CurrentSession | null> {
  if (!row || row.user.accountStatus !== "ACTIVE") return null;
  if (now.getTime() - row.lastSeenAt.getTime() > LAST_SEEN_GRANULARITY_MS) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, row.sessionId));
  }
  return {
    sessionId: row.sessionId,
    deviceSessionId: row.deviceSessionId,
    twoFactorVerified: row.twoFactorVerifiedAt !== null,
    twoFactorVerifiedAt: row.twoFactorVerifiedAt,
    user: row.user,
  };
}

/** The session and its user for a cookie token, in a round trip of its own. */
export async function findSession(
  db: Database,
  token: string,
  now: Date,
): Promise<CurrentSession | null> {
  const lookup = sessionLookup(db, await sha256TokenHash(token), now);
  const [row] = await runReads<[SessionRow | undefined]>(db, [lookup]);
  return sessionFromLookup(db, row, now);
}

export const deleteSessionStatement = (db: Database, sessionId: string) =>
  db.delete(sessions).where(eq(sessions.id, sessionId));

/** Ends every session of a user (status change, password change). */
export const deleteUserSessionsStatement = (db: Database, userId: string) =>
  db.delete(sessions).where(eq(sessions.userId, userId));

/** "Log out other devices": every session of the user but this one. */
export async function deleteOtherSessions(
  db: Database,
  userId: string,
  keepSessionId: string,
): Promise<number> {
  const deleted = await db
    .delete(sessions)
    .where(and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId)))
    .returning({ id: sessions.id });
  return deleted.length;
}

/** Remove every session whose expiry has passed. Idempotent: a second run finds nothing. */
export async function deleteExpiredSessions(db: Database, now: Date): Promise<number> {
  const deleted = await db
    .delete(sessions)
    .where(lte(sessions.expiresAt, now))
    .returning({ id: sessions.id });
  return deleted.length;
}
