import { createId } from "@paralleldrive/cuid2";
import { and, desc, eq, isNotNull, isNull, like, or, sql } from "drizzle-orm";
import type { Database } from "#db/client";
import { auditLogs, emailOutbox, users } from "#db/schema";
import { sameMailbox } from "~/domain/auth/email-rules";
import { formatWait } from "~/domain/auth/login-policy";
import { ConsentTokenSchema } from "~/domain/auth/forms";
import { refuse, type Refusal, type Result } from "~/domain/refusal";
import {
  guardianConsentGrantedEmail,
  guardianConsentReminderEmail,
  guardianConsentRequestEmail,
} from "~/domain/email/templates";
import type { AppEnv } from "~/lib/env.server";
import { sha256Hex } from "~/lib/hmac.server";
import { signToken } from "~/lib/signed-token.server";
import { insertWhen } from "../conditional-insert.server";
import { auditStatement, type AuditActor, type AuditRequestInfo } from "../audit.server";
import { queueEmail } from "../email-outbox.server";
import { consumeRateLimit } from "../rate-limit.server";
import {
  GUARDIAN_CONSENT_PURPOSE,
  GUARDIAN_CONSENT_TTL_MS,
  checkGuardianConsentToken,
} from "./signup.server";

/**
 * A guardian's consent for a minor's account (docs/architecture.md §5), given through the signed link
 * mailed at sign-up, and the minor's "send it again".
 *
 * Each change is one batch whose audit row and email are guarded by the same condition as the
 * UPDATE, so a request that loses a race (a double click on "I agree", a link replaced while it
 * is being used) writes nothing at all.
 */

export interface GuardianConsentDeps {
  db: Database;
  env: AppEnv;
}

/** A minor may ask for a new consent email at most this often. */
export const CONSENT_RESEND_INTERVAL_MS = 10 * 60 * 1000;

/**
 * Why a consent link can't be used: tampered or replaced, too old, consent already given, or
 * the minor trying to agree for themselves.
 */
export type ConsentLinkRefusal = "invalid" | "expired" | "used" | "self-consent";

const CONSENT_LINK_REFUSALS: Record<ConsentLinkRefusal, Refusal<ConsentLinkRefusal>> = {
  invalid: refuse("not-found", "invalid", "This consent link doesn't work."),
  expired: refuse("gone", "expired", "This consent link has expired."),
  used: refuse("conflict", "used", "This account already has a guardian's consent."),
  "self-consent": refuse(
    "forbidden",
    "self-consent",
    "Only a parent or guardian can give this consent, from their own email address and not while logged in as the person asking.",
  ),
};

/**
 * Is this consent link (the raw text from the URL) genuine, unexpired and still the current
 * one for its account, and is the person opening it someone other than the minor? Then it
 * names the minor who asked. `viewerId` is the logged-in user opening the link, if any.
 */
export async function checkGuardianConsent(
  deps: GuardianConsentDeps,
  token: string | undefined,
  now: Date,
  viewerId: string | null = null,
): Promise<
  Result<{ token: string; user: { id: string; name: string; email: string } }, ConsentLinkRefusal>
> {
  const parsed = ConsentTokenSchema.safeParse(token);
  if (!parsed.success) return CONSENT_LINK_REFUSALS.invalid;
  const check = await checkGuardianConsentToken(deps, parsed.data, now);
  if (!check.ok) return CONSENT_LINK_REFUSALS[check.reason];
  const { user } = check;
  // The minor's own session, or a "guardian" address that is the minor's own mailbox (accounts
  // from before sign-up compared mailboxes): consent has to come from someone else.
  if (
    viewerId === user.id ||
    (user.guardianEmail !== null && sameMailbox(user.guardianEmail, user.email))
  ) {
    return CONSENT_LINK_REFUSALS["self-consent"];
  }
  return { ok: true, token: parsed.data, user };
}

/**
 * The guardian clicked "I agree": consent is recorded once, the link is spent, the minor is
 * told. A reused, expired, tampered or replaced link is refused with its reason.
 */
export async function grantGuardianConsent(
  deps: GuardianConsentDeps,
  input: {
    token: string | undefined;
    now: Date;
    request: AuditRequestInfo;
    /** The logged-in user sending the form, if any: never the minor themselves. */
    viewerId?: string | null;
  },
): Promise<Result<{ minorName: string }, ConsentLinkRefusal>> {
  const { db } = deps;
  const { now } = input;
  const check = await checkGuardianConsent(deps, input.token, now, input.viewerId ?? null);
  if (!check.ok) return check;
  const { user, token } = check;

  const stillPending = and(
    eq(users.id, user.id),
    isNull(users.guardianConsentAt),
    eq(users.guardianConsentTokenHash, await sha256Hex(token)),
  )!;
  const whenPending = sql`exists (select 1 from ${users} where ${stillPending})`;

  const [, , granted] = await db.batch([
    insertWhen(
      db,
      auditLogs,
      auditStatement(db, {
        actor: null,
        action: "GUARDIAN_CONSENT_GRANTED",
        entityType: "user",
        entityId: user.id,
        metadata: { via: "guardian-email-link" },
        request: input.request,
        at: now,
      }),
      whenPending,
    ),
    queueEmail(
      db,
      {
        to: user.email,
        ...guardianConsentGrantedEmail({ minorName: user.name }),
        dedupeKey: `guardian-consent-granted:${user.id}`,
        at: now,
      },
      { when: whenPending },
    ),
    db
      .update(users)
      .set({ guardianConsentAt: now, guardianConsentTokenHash: null, updatedAt: now })
      .where(stillPending)
      .returning({ id: users.id }),
  ]);
  if (granted.length > 0) return { ok: true, minorName: user.name };

  // Lost a race: consent was given in parallel, or the minor asked for a new link meanwhile.
  const recheck = await checkGuardianConsent(deps, token, now);
  return recheck.ok ? CONSENT_LINK_REFUSALS.used : recheck;
}

/** A refused "send it again": consent isn't needed, or the last email is too recent. */
export type ResendRefusal =
  Refusal<"not-needed"> | (Refusal<"rate-limited"> & { readonly retryAt: Date });

const notNeeded: ResendRefusal = refuse(
  "conflict",
  "not-needed",
  "Your account doesn't need a guardian's consent.",
);

function rateLimited(retryAt: Date, now: Date): ResendRefusal {
  return {
    ...refuse(
      "limit",
      "rate-limited",
      `We sent the email less than 10 minutes ago. You can ask again in ${formatWait(retryAt, now)}.`,
    ),
    retryAt,
  };
}

/** Every consent email of one account: the sign-up one and each one sent again. */
const consentEmailsOf = (userId: string) =>
  and(
    eq(emailOutbox.template, "guardian-consent"),
    or(
      eq(emailOutbox.dedupeKey, `guardian-consent:${userId}`),
      like(emailOutbox.dedupeKey, `guardian-consent:${userId}:%`),
    ),
  )!;

const needsConsent = (userId: string) =>
  and(
    eq(users.id, userId),
    eq(users.isMinor, true),
    isNull(users.guardianConsentAt),
    isNotNull(users.guardianEmail),
  )!;

/** Why a new consent email can't go out now, or null when it can. */
async function resendBlocker(
  db: Database,
  userId: string,
  now: Date,
): Promise<ResendRefusal | null> {
  const [user] = await db.select({ id: users.id }).from(users).where(needsConsent(userId)).limit(1);
  if (!user) return notNeeded;
  const [latest] = await db
    .select({ createdAt: emailOutbox.createdAt })
    .from(emailOutbox)
    .where(consentEmailsOf(userId))
    .orderBy(desc(emailOutbox.createdAt))
    .limit(1);
  if (latest && now.getTime() - latest.createdAt.getTime() < CONSENT_RESEND_INTERVAL_MS) {
    return rateLimited(new Date(latest.createdAt.getTime() + CONSENT_RESEND_INTERVAL_MS), now);
  }
  return null;
}

/**
 * A minor asks for the consent email again: a new link (the old one stops working) goes to the
 * guardian, at most once per {@link CONSENT_RESEND_INTERVAL_MS}. The limit holds under parallel
 * clicks: the email is only queued when no consent email is younger than the interval, its
 * dedupe key names the interval, and the new token is only stored when that email was queued.
 */
export async function resendGuardianConsent(
  deps: GuardianConsentDeps,
  input: {
    userId: string;
    actor: AuditActor;
    origin: string;
    now: Date;
    request: AuditRequestInfo;
  },
): Promise<{ ok: true } | ResendRefusal> {
  const { db, env } = deps;
  const { userId, now } = input;
  const blocked = await resendBlocker(db, userId, now);
  if (blocked) return blocked;

  const [user] = await db
    .select({ name: users.name, email: users.email, guardianEmail: users.guardianEmail })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  if (!user?.guardianEmail) return notNeeded;

  const token = await signToken(
    env.sessionSecret,
    GUARDIAN_CONSENT_PURPOSE,
    { userId, nonce: createId() },
    new Date(now.getTime() + GUARDIAN_CONSENT_TTL_MS),
  );
  const outboxId = createId();
  const mayQueue = sql`exists (select 1 from ${users} where ${needsConsent(userId)}) and not exists (select 1 from ${emailOutbox} where ${consentEmailsOf(userId)} and ${emailOutbox.createdAt} > ${now.getTime() - CONSENT_RESEND_INTERVAL_MS})`;

  let stored: { id: string }[];
  try {
    [, , stored] = await db.batch([
      insertWhen(
        db,
        auditLogs,
        auditStatement(db, {
          actor: input.actor,
          action: "GUARDIAN_CONSENT_REQUESTED",
          entityType: "user",
          entityId: userId,
          metadata: { resent: true },
          request: input.request,
          at: now,
        }),
        mayQueue,
      ),
      queueEmail(
        db,
        {
          id: outboxId,
          to: user.guardianEmail,
          ...guardianConsentReminderEmail({
            minorName: user.name,
            minorEmail: user.email,
            link: `${input.origin}/consent/${token}`,
          }),
          dedupeKey: `guardian-consent:${userId}:${Math.floor(now.getTime() / CONSENT_RESEND_INTERVAL_MS)}`,
          at: now,
        },
        { when: mayQueue },
      ),
      db
        .update(users)
        .set({ guardianConsentTokenHash: await sha256Hex(token), updatedAt: now })
        .where(
          and(
            needsConsent(userId),
            sql`exists (select 1 from ${emailOutbox} where ${emailOutbox.id} = ${outboxId})`,
          ),
        )
        .returning({ id: users.id }),
    ]);
  } catch (error) {
    // The interval's dedupe key is taken: a parallel request queued the email first.
    if (!isDedupeConflict(error)) throw error;
    stored = [];
  }
  if (stored.length > 0) return { ok: true };
  return (
    (await resendBlocker(db, userId, now)) ??
    rateLimited(new Date(now.getTime() + CONSENT_RESEND_INTERVAL_MS), now)
  );
}

const isDedupeConflict = (error: unknown) =>
  String((error as Error & { cause?: unknown }).cause ?? error).includes(
    "UNIQUE constraint failed: email_outbox.dedupe_key",
  );

export type GuardianChangeRefusal =
  "not-a-minor" | "own-mailbox" | "same-guardian" | "rate-limited";

/** A minor may name a different guardian at most this often. */
export const GUARDIAN_CHANGE_LIMIT = { limit: 3, windowMs: 24 * 60 * 60 * 1000 } as const;

/**
 * A minor names a different parent or guardian. Consent belongs to the person who gave it, so
 * it is reset: one batch stores the new address with a new consent link (earlier links stop
 * working), clears any consent given, mails the new guardian and writes GUARDIAN_EMAIL_CHANGED.
 */
export async function changeGuardianEmail(
  deps: GuardianConsentDeps,
  input: {
    userId: string;
    guardianEmail: string;
    actor: AuditActor;
    origin: string;
    now: Date;
    request: AuditRequestInfo;
  },
): Promise<Result<{ consentReset: boolean }, GuardianChangeRefusal>> {
  const { db, env } = deps;
  const { userId, guardianEmail, now } = input;
  const [user] = await db
    .select({
      name: users.name,
      email: users.email,
      isMinor: users.isMinor,
      guardianEmail: users.guardianEmail,
      guardianConsentAt: users.guardianConsentAt,
    })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  if (!user?.isMinor) {
    return refuse("conflict", "not-a-minor", "Your account doesn't need a guardian's consent.");
  }
  if (sameMailbox(guardianEmail, user.email)) {
    return refuse("invalid", "own-mailbox", "Your guardian's email must be different from yours.", {
      field: "guardianEmail",
    });
  }
  if (user.guardianEmail && guardianEmail === user.guardianEmail.toLowerCase()) {
    return refuse("invalid", "same-guardian", "That is already your guardian's address.", {
      field: "guardianEmail",
    });
  }
  const decision = await consumeRateLimit(db, {
    scope: "guardian-change",
    subject: userId,
    ...GUARDIAN_CHANGE_LIMIT,
    now,
  });
  if (!decision.allowed) {
    return refuse(
      "limit",
      "rate-limited",
      "You have changed your guardian's address too often today. Try again tomorrow.",
    );
  }

  const nonce = createId();
  const token = await signToken(
    env.sessionSecret,
    GUARDIAN_CONSENT_PURPOSE,
    { userId, nonce },
    new Date(now.getTime() + GUARDIAN_CONSENT_TTL_MS),
  );
  const consentReset = user.guardianConsentAt !== null;
  await db.batch([
    db
      .update(users)
      .set({
        guardianEmail,
        guardianConsentAt: null,
        guardianConsentTokenHash: await sha256Hex(token),
        updatedAt: now,
      })
      .where(eq(users.id, userId)),
    auditStatement(db, {
      actor: input.actor,
      action: "GUARDIAN_EMAIL_CHANGED",
      entityType: "user",
      entityId: userId,
      metadata: { consentReset },
      request: input.request,
      at: now,
    }),
    queueEmail(db, {
      to: guardianEmail,
      ...guardianConsentRequestEmail({
        minorName: user.name,
        minorEmail: user.email,
        link: `${input.origin}/consent/${token}`,
      }),
      // Counts towards the "send it again" interval like every consent email.
      dedupeKey: `guardian-consent:${userId}:guardian-${nonce}`,
      at: now,
    }),
  ]);
  return { ok: true, consentReset };
}
