import { and, eq, gt, isNull, sql, type SQL } from "drizzle-orm";
import type { Database } from "#db/client";
import { accountTokens, users, type AccountTokenPurpose } from "#db/schema";
import { refuse, type Refusal, type Result } from "~/domain/refusal";
import { randomToken, sha256TokenHash } from "~/lib/hmac.server";

/**
 * Single-use links mailed to a user (password reset, email verification, email change),
 * stored as `account_tokens` rows holding only the SHA-256 of the token.
 *
 * A link is spent inside the batch that does its work: every statement of that batch is
 * guarded by {@link accountTokenUsable}, and the batch ends with {@link spendAccountToken}.
 * A D1 batch is one serialized transaction, so of ten parallel uses of one link exactly one
 * finds it usable and the others write nothing.
 */

/** How long each kind of link works. */
export const ACCOUNT_TOKEN_TTL_MS: Readonly<Record<AccountTokenPurpose, number>> = {
  PASSWORD_RESET: 30 * 60 * 1000,
  EMAIL_VERIFICATION: 48 * 60 * 60 * 1000,
  EMAIL_CHANGE: 24 * 60 * 60 * 1000,
};

/** The shape of a token in a URL: base64url of 32 random bytes. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface IssuedAccountToken {
  /** The raw token, for the emailed link only; never stored. */
  token: string;
  expiresAt: Date;
  /**
   * Retire the user's unused links of the same purpose (the newest link is the only one that
   * works), then store this one. Put both in the caller's batch, before its email.
   */
  statements: readonly [ReturnType<typeof retireStatement>, ReturnType<typeof insertStatement>];
}

/** A fresh link for `purpose`; nothing is written until the caller runs `statements`. */
export async function issueAccountToken(
  db: Database,
  input: { userId: string; purpose: AccountTokenPurpose; newEmail?: string; now: Date },
): Promise<IssuedAccountToken> {
  const token = randomToken(32);
  const expiresAt = new Date(input.now.getTime() + ACCOUNT_TOKEN_TTL_MS[input.purpose]);
  const tokenHash = await sha256TokenHash(token);
  return {
    token,
    expiresAt,
    statements: [
      retireStatement(db, input.userId, input.purpose, input.now),
      insertStatement(db, {
        userId: input.userId,
        purpose: input.purpose,
        tokenHash,
        newEmail: input.purpose === "EMAIL_CHANGE" ? (input.newEmail ?? null) : null,
        expiresAt,
        createdAt: input.now,
      }),
    ],
  };
}

function retireStatement(db: Database, userId: string, purpose: AccountTokenPurpose, now: Date) {
  return db
    .update(accountTokens)
    .set({ expiresAt: now })
    .where(
      and(
        eq(accountTokens.userId, userId),
        eq(accountTokens.purpose, purpose),
        isNull(accountTokens.usedAt),
        gt(accountTokens.expiresAt, now),
      ),
    );
}

function insertStatement(db: Database, values: typeof accountTokens.$inferInsert) {
  return db.insert(accountTokens).values(values);
}

export type AccountTokenRefusal = "invalid" | "expired" | "used";

const LINK_REFUSALS: Record<AccountTokenRefusal, Refusal<AccountTokenRefusal>> = {
  invalid: refuse("not-found", "invalid", "This link doesn't work. Ask for a new one."),
  expired: refuse("gone", "expired", "This link has expired. Ask for a new one."),
  used: refuse("gone", "used", "This link has already been used. Ask for a new one."),
};

export interface FoundAccountToken {
  tokenId: string;
  userId: string;
  newEmail: string | null;
  expiresAt: Date;
}

/**
 * The link behind a raw token from a URL, if it is genuine, of this purpose, unexpired and
 * unused. A reset link issued before the account's last password change counts as used.
 * Reading it spends nothing: the caller's batch does, guarded by {@link accountTokenUsable}.
 */
export async function findAccountToken(
  db: Database,
  input: { token: string | undefined; purpose: AccountTokenPurpose; now: Date },
): Promise<Result<FoundAccountToken, AccountTokenRefusal>> {
  if (!input.token || !TOKEN_SHAPE.test(input.token)) return LINK_REFUSALS.invalid;
  const tokenHash = await sha256TokenHash(input.token);
  const [row] = await db
    .select({
      tokenId: accountTokens.id,
      userId: accountTokens.userId,
      purpose: accountTokens.purpose,
      newEmail: accountTokens.newEmail,
      expiresAt: accountTokens.expiresAt,
      usedAt: accountTokens.usedAt,
      createdAt: accountTokens.createdAt,
      passwordChangedAt: users.passwordChangedAt,
      deletedAt: users.deletedAt,
    })
    .from(accountTokens)
    .innerJoin(users, eq(users.id, accountTokens.userId))
    .where(eq(accountTokens.tokenHash, tokenHash))
    .limit(1);
  if (!row || row.purpose !== input.purpose || row.deletedAt) return LINK_REFUSALS.invalid;
  if (row.usedAt || voidedByPasswordChange(row)) return LINK_REFUSALS.used;
  if (row.expiresAt.getTime() <= input.now.getTime()) return LINK_REFUSALS.expired;
  return {
    ok: true,
    tokenId: row.tokenId,
    userId: row.userId,
    newEmail: row.newEmail,
    expiresAt: row.expiresAt,
  };
}

function voidedByPasswordChange(row: {
  purpose: AccountTokenPurpose;
  createdAt: Date;
  passwordChangedAt: Date | null;
}): boolean {
  return (
    row.purpose === "PASSWORD_RESET" &&
    row.passwordChangedAt !== null &&
    row.createdAt.getTime() < row.passwordChangedAt.getTime()
  );
}

/**
 * SQL that holds while the link can still be used at its point of a batch: unused,
 * unexpired, and (for a reset) not older than the account's last password change. Guard every
 * statement of the batch that uses the link with it, and end the batch with
 * {@link spendAccountToken}.
 */
export function accountTokenUsable(tokenId: string, now: Date): SQL {
  return sql`exists (
    select 1 from ${accountTokens}
    join ${users} on ${users.id} = ${accountTokens.userId}
    where ${accountTokens.id} = ${tokenId}
      and ${accountTokens.usedAt} is null
      and ${accountTokens.expiresAt} > ${now.getTime()}
      and ${users.deletedAt} is null
      and (${accountTokens.purpose} <> 'PASSWORD_RESET'
        or ${users.passwordChangedAt} is null
        or ${accountTokens.createdAt} >= ${users.passwordChangedAt})
  )`;
}

/**
 * Marks the link used; `returning` tells the caller whether this batch was the one that used
 * it. Must be the LAST statement of the batch (the guards before it see the link unused).
 */
export function spendAccountToken(db: Database, tokenId: string, now: Date) {
  return db
    .update(accountTokens)
    .set({ usedAt: now })
    .where(and(eq(accountTokens.id, tokenId), accountTokenUsable(tokenId, now)))
    .returning({ id: accountTokens.id });
}
