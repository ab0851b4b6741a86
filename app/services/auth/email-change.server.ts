import { and, desc, eq, gt, isNull, ne } from "drizzle-orm";
import type { Database } from "#db/client";
import { accountTokens, auditLogs, users } from "#db/schema";
import { sameMailbox } from "~/domain/auth/email-rules";
import type { EmailChangeForm } from "~/domain/auth/email-forms";
import {
  emailChangeConfirmEmail,
  emailChangedEmail,
  emailChangeRequestedEmail,
} from "~/domain/email/templates";
import { refuse, type Result } from "~/domain/refusal";
import { verifyPassword } from "~/lib/password.server";
import { auditStatement, type AuditActor, type AuditRequestInfo } from "../audit.server";
import { insertWhen } from "../conditional-insert.server";
import { queueEmail } from "../email-outbox.server";
import { consumeRateLimit } from "../rate-limit.server";
import {
  accountTokenUsable,
  findAccountToken,
  issueAccountToken,
  spendAccountToken,
  type AccountTokenRefusal,
} from "./account-tokens.server";
import { lostRace, verifyEmailLink } from "./email-verification.server";

/**
 * Changing one's email address (docs/architecture.md §5): `/account/email` mails a link to the
 * NEW address and a notice to the old one; the address changes only when that link is used
 * (`/verify-email/<token>`, 24 hours, newest link only), which also counts as
 * verifying it. A stolen session alone can therefore never move the account to another inbox.
 */

/** Password attempts through this form, per account (a stolen session can't guess on). */
export const EMAIL_CHANGE_ATTEMPT_LIMIT = { limit: 5, windowMs: 60 * 60 * 1000 } as const;

export type EmailChangeRefusal =
  "rate-limited" | "wrong-password" | "same-email" | "guardian-email" | "email-taken";

// Signing up with a taken address already says it is taken, so saying it here hides nothing.
const EMAIL_TAKEN = refuse(
  "conflict",
  "email-taken",
  "That address belongs to another account. Use a different one.",
  { field: "email" },
);

const isEmailUniqueViolation = (error: unknown) =>
  String((error as Error & { cause?: unknown }).cause ?? error).includes(
    "UNIQUE constraint failed: users.email",
  );

async function addressTaken(db: Database, email: string, userId: string): Promise<boolean> {
  const [other] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.email, email), ne(users.id, userId)))
    .limit(1);
  return Boolean(other);
}

/**
 * Ask to change the address: the current password proves the owner is at the keyboard. One
 * batch stores the link (earlier change links stop working), queues both emails and writes
 * EMAIL_CHANGE_REQUESTED. Nothing about the account changes yet.
 */
export async function requestEmailChange(
  db: Database,
  input: {
    userId: string;
    actor: AuditActor;
    form: EmailChangeForm;
    origin: string;
    now: Date;
    request: AuditRequestInfo;
  },
): Promise<Result<{ newEmail: string }, EmailChangeRefusal>> {
  const { now, form, userId } = input;
  const decision = await consumeRateLimit(db, {
    scope: "email-change",
    subject: userId,
    ...EMAIL_CHANGE_ATTEMPT_LIMIT,
    now,
  });
  if (!decision.allowed) {
    return refuse(
      "limit",
      "rate-limited",
      `Too many attempts. Try again in ${Math.ceil(decision.retryAfterSeconds / 60)} minutes.`,
    );
  }
  const [user] = await db
    .select({
      email: users.email,
      name: users.name,
      passwordHash: users.passwordHash,
      isMinor: users.isMinor,
      guardianEmail: users.guardianEmail,
    })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  if (!user || !(await verifyPassword(form.password, user.passwordHash)).valid) {
    return refuse("invalid", "wrong-password", "That password isn't right.", {
      field: "password",
    });
  }
  if (form.email === user.email) {
    return refuse("invalid", "same-email", "That is already your email address.", {
      field: "email",
    });
  }
  // A minor who moved their account to the guardian's inbox could consent for themselves.
  if (user.isMinor && user.guardianEmail && sameMailbox(form.email, user.guardianEmail)) {
    return refuse(
      "invalid",
      "guardian-email",
      "That is your parent or guardian's address. Use an address of your own.",
      { field: "email" },
    );
  }
  if (await addressTaken(db, form.email, userId)) return EMAIL_TAKEN;

  const link = await issueAccountToken(db, {
    userId,
    purpose: "EMAIL_CHANGE",
    newEmail: form.email,
    now,
  });
  await db.batch([
    ...link.statements,
    queueEmail(db, {
      to: form.email,
      ...emailChangeConfirmEmail({
        name: user.name,
        newEmail: form.email,
        link: verifyEmailLink(input.origin, link.token),
      }),
      at: now,
    }),
    queueEmail(db, {
      to: user.email,
      ...emailChangeRequestedEmail({ name: user.name, newEmail: form.email }),
      at: now,
    }),
    auditStatement(db, {
      actor: input.actor,
      action: "EMAIL_CHANGE_REQUESTED",
      entityType: "user",
      entityId: userId,
      metadata: { newEmail: form.email },
      request: input.request,
      at: now,
    }),
  ]);
  return { ok: true, newEmail: form.email };
}

/** The new address a change link would set, for the page that asks "confirm?". */
export async function checkEmailChangeLink(
  db: Database,
  input: { token: string | undefined; now: Date },
): Promise<Result<{ newEmail: string }, AccountTokenRefusal>> {
  const found = await findAccountToken(db, { ...input, purpose: "EMAIL_CHANGE" });
  if (!found.ok) return found;
  if (!found.newEmail) return refuse("not-found", "invalid", "This link doesn't work.");
  return { ok: true, newEmail: found.newEmail };
}

/**
 * The new address's link was used: one batch, every statement guarded by the link still
 * being usable, sets the address (lower-cased by the form) and `email_verified_at`, writes
 * EMAIL_CHANGED with both addresses, tells the old address and spends the link. If another
 * account took the address meanwhile, the unique index refuses it and nothing is written.
 */
export async function confirmEmailChange(
  db: Database,
  input: { token: string | undefined; now: Date; request: AuditRequestInfo },
): Promise<Result<{ userId: string; newEmail: string }, AccountTokenRefusal | "email-taken">> {
  const { now } = input;
  const found = await findAccountToken(db, { token: input.token, purpose: "EMAIL_CHANGE", now });
  if (!found.ok) return found;
  const newEmail = found.newEmail?.toLowerCase();
  if (!newEmail) return refuse("not-found", "invalid", "This link doesn't work.");
  const [user] = await db
    .select({ email: users.email, name: users.name })
    .from(users)
    .where(eq(users.id, found.userId))
    .limit(1);
  if (!user) return refuse("not-found", "invalid", "This link doesn't work.");
  if (await addressTaken(db, newEmail, found.userId)) return EMAIL_TAKEN;

  const usable = accountTokenUsable(found.tokenId, now);
  let spent: { id: string }[];
  try {
    [, , , spent] = await db.batch([
      db
        .update(users)
        .set({ email: newEmail, emailVerifiedAt: now, updatedAt: now })
        .where(and(eq(users.id, found.userId), usable)),
      insertWhen(
        db,
        auditLogs,
        auditStatement(db, {
          actor: null,
          action: "EMAIL_CHANGED",
          entityType: "user",
          entityId: found.userId,
          metadata: { from: user.email, to: newEmail, via: "email-link" },
          request: input.request,
          at: now,
        }),
        usable,
      ),
      queueEmail(
        db,
        {
          to: user.email,
          ...emailChangedEmail({ name: user.name, oldEmail: user.email, newEmail }),
          at: now,
        },
        { when: usable },
      ),
      spendAccountToken(db, found.tokenId, now),
    ]);
  } catch (error) {
    // Another account took the address between our check and this batch.
    if (isEmailUniqueViolation(error)) return EMAIL_TAKEN;
    throw error;
  }
  if (spent.length === 0) return lostRace(db, input.token, "EMAIL_CHANGE", now);
  return { ok: true, userId: found.userId, newEmail };
}

/** The address a change waits to be confirmed for, if a change link is still out. */
export async function pendingEmailChange(
  db: Database,
  input: { userId: string; now: Date },
): Promise<{ newEmail: string; expiresAt: Date } | null> {
  const [row] = await db
    .select({ newEmail: accountTokens.newEmail, expiresAt: accountTokens.expiresAt })
    .from(accountTokens)
    .where(
      and(
        eq(accountTokens.userId, input.userId),
        eq(accountTokens.purpose, "EMAIL_CHANGE"),
        isNull(accountTokens.usedAt),
        gt(accountTokens.expiresAt, input.now),
      ),
    )
    .orderBy(desc(accountTokens.createdAt))
    .limit(1);
  return row?.newEmail ? { newEmail: row.newEmail, expiresAt: row.expiresAt } : null;
}
