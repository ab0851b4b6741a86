import { createId } from "@paralleldrive/cuid2";
import { eq } from "drizzle-orm";
import { z } from "~/lib/zod";
import type { Database } from "#db/client";
import { users, type User } from "#db/schema";
import { ageBracket } from "~/domain/auth/age";
import { SIGNUPS_PER_CLIENT, formatWait } from "~/domain/auth/login-policy";
import type { SignupForm } from "~/domain/auth/forms";
import { refuse, type Result } from "~/domain/refusal";
import { guardianConsentRequestEmail } from "~/domain/email/templates";
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

export type SignupResult = Result<{ user: User }, "email-taken" | "throttled">;

const EMAIL_TAKEN = refuse(
  "conflict",
  "email-taken",
  "An account with this email already exists. Log in instead?",
  { field: "email" },
);

/**
 * Create an account, unverified: one batch writes the user row, its audit row and the email
 * verification link (mailed to the account's address). A minor's account also gets a signed,
 * expiring consent link mailed to the guardian.
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
  if (existing) return EMAIL_TAKEN;

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
      passwordHash: await hashPassword(form.password),
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
      const [[user]] = await db.batch([
        insert,
        audit,
        ...verification,
        queueEmail(db, {
          to: form.guardianEmail!,
          ...guardianConsentRequestEmail({ minorName: form.name, minorEmail: form.email, link }),
          dedupeKey: `guardian-consent:${id}`,
        }),
      ]);
      return { ok: true, user: user! };
    }
    const [[user]] = await db.batch([insert, audit, ...verification]);
    return { ok: true, user: user! };
  } catch (error) {
    // Two sign-ups with the same email in parallel: the unique index decides.
    if (
      String((error as Error & { cause?: unknown }).cause ?? error).includes(
        "UNIQUE constraint failed: users.email",
      )
    ) {
      return EMAIL_TAKEN;
    }
    throw error;
  }
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
