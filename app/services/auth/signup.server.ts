import { createId } from "@paralleldrive/cuid2";
import { eq } from "drizzle-orm";
import { z } from "~/lib/zod";
import type { Database } from "#db/client";
import { users, type User } from "#db/schema";
import { ageBracket } from "~/domain/auth/age";
import { SIGNUPS_PER_CLIENT, formatWait } from "~/domain/auth/login-policy";
import type { SignupForm } from "~/domain/auth/forms";
import { refuse, type Result } from "~/domain/refusal";
import { guardianConsentRequestEmail, signupAttemptOnTakenEmail } from "~/domain/email/templates";
import type { AppEnv } from "~/lib/env.server";
import { sha256Hex } from "~/lib/hmac.server";
import { hashPassword } from "~/lib/password.server";
import { signToken, verifyToken } from "~/lib/signed-token.server";
import { auditStatement, type AuditRequestInfo } from "../audit.server";
import { queueEmail } from "../email-outbox.server";
import { consumeRateLimit } from "../rate-limit.server";
import { verificationLinkStatements } from "./email-verification.server";

export const GUARDIAN_CONSENT_PURPOSE = "guardian-consent";
export const GUARDIAN_CONSENT_TTL_MS = 14 * 24 * 60 * 60 * 1000;
const ConsentPayloadSchema = z.object({ userId: z.string(), nonce: z.string() });

/**
 * The same answer for a new and a taken address (issue 14.6): the caller learns only which
 * address was written to, never whether it already had an account.
 */
export type SignupResult = Result<{ email: string }, "throttled">;

/** At most one "someone tried to sign up with your address" email per account in this window. */
export const SIGNUP_TAKEN_NOTICE_LIMIT = { limit: 1, windowMs: 60 * 60 * 1000 } as const;

/**
 * Create an account, unverified and not logged in: one batch writes the user row, its audit
 * row and the email verification link (mailed to the account's address; using it logs the
 * account in). A minor's account also gets a signed, expiring consent link mailed to the
 * guardian. A taken address changes nothing and answers the same: the password is hashed
 * anyway (same cost), and the holder is told by email, at most once an hour, that someone
 * tried, with links to log in or reset the password.
 */
export async function createAccount(
  deps: { db: Database; env: AppEnv },
  input: { form: SignupForm; origin: string; request: AuditRequestInfo; now: Date },
): Promise<SignupResult> {
  const { db, env } = deps;
  const { form, now } = input;
  // Each sign-up costs a password hash: a few per client (IP hash) in a window, checked first.
  const decision = await consumeRateLimit(db, {
    scope: "signup-ip",
    subject: input.request.ipHash ?? "unknown",
    ...SIGNUPS_PER_CLIENT,
    now,
  });
  if (!decision.allowed) {
    const retryAt = new Date(now.getTime() + decision.retryAfterSeconds * 1000);
    return refuse(
      "limit",
      "throttled",
      `Too many accounts were created from your network. Try again in ${formatWait(retryAt, now)}.`,
    );
  }
  const [existing] = await db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.email, form.email))
    .limit(1);
  // Hashed before anything else is decided, so a taken address costs the same scrypt.
  const passwordHash = await hashPassword(form.password);
  if (existing) {
    await noticeToHolder(db, { userId: existing.id, email: form.email, origin: input.origin, now });
    return { ok: true, email: form.email };
  }

  const id = createId();
  const isMinor = ageBracket(form.birthDate, now) === "minor";
  let consentToken: string | null = null;
  if (isMinor) {
    consentToken = await signToken(
      env.sessionSecret,
      GUARDIAN_CONSENT_PURPOSE,
      { userId: id, nonce: createId() },
      new Date(now.getTime() + GUARDIAN_CONSENT_TTL_MS),
    );
  }

  const insert = db
    .insert(users)
    .values({
      id,
      email: form.email,
      name: form.name,
      passwordHash,
      role: "USER",
      birthDate: form.birthDate,
      isMinor,
      guardianEmail: isMinor ? form.guardianEmail! : null,
      guardianConsentTokenHash: consentToken ? await sha256Hex(consentToken) : null,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  const audit = auditStatement(db, {
    actor: { id, role: "USER" },
    action: "USER_SIGNED_UP",
    entityType: "user",
    entityId: id,
    metadata: { isMinor },
    request: input.request,
    at: now,
  });

  // Every new account starts unverified: it proves its address through this link first.
  const verification = await verificationLinkStatements(db, {
    user: { id, email: form.email, name: form.name },
    origin: input.origin,
    now,
  });

  try {
    if (consentToken) {
      // The consent link goes to the guardian's address only, never the minor's.
      const link = `${input.origin}/consent/${consentToken}`;
      await db.batch([
        insert,
        audit,
        ...verification,
        queueEmail(db, {
          to: form.guardianEmail!,
          ...guardianConsentRequestEmail({ minorName: form.name, minorEmail: form.email, link }),
          dedupeKey: `guardian-consent:${id}`,
        }),
      ]);
    } else {
      await db.batch([insert, audit, ...verification]);
    }
    return { ok: true, email: form.email };
  } catch (error) {
    // Two sign-ups with the same email in parallel: the unique index decides, and the loser
    // gets the same answer as any taken address (the winner's verification email is on its way).
    if (
      String((error as Error & { cause?: unknown }).cause ?? error).includes(
        "UNIQUE constraint failed: users.email",
      )
    ) {
      return { ok: true, email: form.email };
    }
    throw error;
  }
}

/**
 * Tell the holder of a taken address that someone tried to sign up with it, at most
 * {@link SIGNUP_TAKEN_NOTICE_LIMIT} per account, so sign-up can't be used to flood a mailbox.
 * Nothing about the account changes.
 */
async function noticeToHolder(
  db: Database,
  input: { userId: string; email: string; origin: string; now: Date },
): Promise<void> {
  const decision = await consumeRateLimit(db, {
    scope: "signup-taken-notice",
    subject: input.userId,
    ...SIGNUP_TAKEN_NOTICE_LIMIT,
    now: input.now,
  });
  if (!decision.allowed) return;
  await queueEmail(db, {
    to: input.email,
    ...signupAttemptOnTakenEmail({
      loginLink: `${input.origin}/login`,
      resetLink: `${input.origin}/forgot-password`,
    }),
    at: input.now,
  });
}

export type ConsentCheck =
  | { ok: true; user: Pick<User, "id" | "name" | "email" | "guardianEmail" | "guardianConsentAt"> }
  | { ok: false; reason: "invalid" | "expired" | "used" };

/** Is this consent link genuine, unexpired and still the current one for its account? */
export async function checkGuardianConsentToken(
  deps: { db: Database; env: AppEnv },
  token: string,
  now: Date,
): Promise<ConsentCheck> {
  const verified = await verifyToken(
    deps.env.sessionSecret,
    GUARDIAN_CONSENT_PURPOSE,
    token,
    ConsentPayloadSchema,
    now,
  );
  if (!verified.ok)
    return { ok: false, reason: verified.reason === "expired" ? "expired" : "invalid" };
  const [user] = await deps.db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      guardianEmail: users.guardianEmail,
      guardianConsentAt: users.guardianConsentAt,
      guardianConsentTokenHash: users.guardianConsentTokenHash,
    })
    .from(users)
    .where(eq(users.id, verified.payload.userId))
    .limit(1);
  if (!user) return { ok: false, reason: "invalid" };
  if (user.guardianConsentAt) return { ok: false, reason: "used" };
  if (user.guardianConsentTokenHash !== (await sha256Hex(token)))
    return { ok: false, reason: "invalid" };
  return { ok: true, user };
}
