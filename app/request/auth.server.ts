import {
  createCookie,
  redirect,
  type AppLoadContext,
  type Cookie,
  type TypedResponse,
} from "@remix-run/cloudflare";
import { z } from "~/lib/zod";
import { needsGuardianConsent } from "~/domain/auth/age";
import { can, isStaffRole, type Capability } from "~/domain/auth/permissions";
import type { AuditActor, AuditRequestInfo } from "~/services/audit.server";
import {
  SESSION_TTL_MS,
  sessionFromLookup,
  sessionLookup,
  type CurrentSession,
} from "~/services/sessions.server";
import { runReads, type PreparedReads } from "#db/client";
import { sha256TokenHash } from "~/lib/hmac.server";
import { hashIp } from "~/lib/hmac.server";
import { signToken, verifyToken } from "~/lib/signed-token.server";

/**
 * Request-level authentication (docs/architecture.md §5): the session cookie, the current user read
 * from D1 on every request, and the `get*` / `require*` guards every loader and action uses.
 */

export type CurrentUser = CurrentSession["user"] & {
  sessionId: string;
  deviceSessionId: string | null;
  twoFactorVerified: boolean;
  twoFactorVerifiedAt: Date | null;
};

const secureEnvironment = (context: AppLoadContext) =>
  context.env.environment === "production" || context.env.environment === "staging";

/** `__Host-` prefixed and Secure wherever the site is served over HTTPS. */
export function sessionCookie(context: AppLoadContext): Cookie {
  const secure = secureEnvironment(context);
  return createCookie(secure ? "__Host-session" : "session", {
    httpOnly: true,
    secure,
    sameSite: "lax",
    path: "/",
    maxAge: SESSION_TTL_MS / 1000,
    secrets: [context.env.sessionSecret],
  });
}

/**
 * A cookie's value, or null when it is missing, unsigned, wrongly signed or not even
 * decodable (Remix throws on bad base64): a garbage cookie means "anonymous", never a 500.
 */
export async function readSignedCookie(cookie: Cookie, header: string | null): Promise<unknown> {
  try {
    const value: unknown = await cookie.parse(header);
    return value === false ? null : value;
  } catch {
    return null;
  }
}

const SESSION_COOKIE_NAME = /(?:^|;\s*)(?:__Host-)?session=/;

/** Whether the request carries a session cookie at all (signed or not). */
export function hasSessionCookie(request: Request): boolean {
  return SESSION_COOKIE_NAME.test(request.headers.get("Cookie") ?? "");
}

/**
 * Reads a page wants to send with the request's session lookup: `reads` gets the session
 * token's hash and the time, and must select the user's rows through `sessionUserId`
 * (services/sessions.server.ts), so they find nothing for a token without a live session.
 */
export type SessionRideAlong<T> = (tokenHash: string, now: Date) => PreparedReads<T>;

interface Rider {
  reads: SessionRideAlong<unknown>;
  settle(value: unknown): void;
  fail(error: unknown): void;
}

/** One request's session lookup: the riders waiting for it, and what it was sent with. */
interface SessionRead {
  user: Promise<CurrentUser | null>;
  riders: Rider[];
  /** Set when the lookup took its riders: a later rider runs its reads on its own. */
  closed: boolean;
  /** What the lookup was sent with (null: no usable token, nothing was sent). */
  sent: { tokenHash: string; now: Date } | null;
}

const sessionReads = new WeakMap<AppLoadContext, SessionRead>();

function sessionRead(request: Request, context: AppLoadContext): SessionRead {
  const read = sessionReads.get(context);
  if (read) return read;
  const state: SessionRead = {
    user: Promise.resolve(null),
    riders: [],
    closed: false,
    sent: null,
  };
  // No session cookie, no session: skip the signature check (and D1) for anonymous visitors.
  if (hasSessionCookie(request)) state.user = lookUpSession(request, context, state);
  sessionReads.set(context, state);
  return state;
}

async function lookUpSession(
  request: Request,
  context: AppLoadContext,
  state: SessionRead,
): Promise<CurrentUser | null> {
  const riders = () => {
    state.closed = true;
    return state.riders.splice(0);
  };
  try {
    const token = await readSignedCookie(sessionCookie(context), request.headers.get("Cookie"));
    if (typeof token !== "string" || token.length < 16 || token.length > 64) {
      for (const rider of riders()) rider.settle(null);
      return null;
    }
    const now = new Date();
    const tokenHash = await sha256TokenHash(token);
    // The loaders of the page started together with this one: whatever reads they asked to
    // send with the session lookup go in the same D1 batch, one round trip for all.
    state.sent = { tokenHash, now };
    const waiting = riders();
    const lookup = sessionLookup(context.db, tokenHash, now);
    let results: unknown[];
    try {
      results = await runReads(context.db, [
        lookup,
        ...waiting.map((rider) => rider.reads(tokenHash, now)),
      ]);
    } catch (error) {
      for (const rider of waiting) rider.fail(error);
      throw error;
    }
    const session = await sessionFromLookup(
      context.db,
      results[0] as Parameters<typeof sessionFromLookup>[1],
      now,
    );
    // A rider's rows are only worth anything with a live session.
    waiting.forEach((rider, index) => rider.settle(session ? results[index + 1] : null));
    if (!session) return null;
    return {
      ...session.user,
      sessionId: session.sessionId,
      deviceSessionId: session.deviceSessionId,
      twoFactorVerified: session.twoFactorVerified,
      twoFactorVerifiedAt: session.twoFactorVerifiedAt,
    };
  } catch (error) {
    for (const rider of riders()) rider.fail(error);
    throw error;
  }
}

/** The logged-in user, or null. Read once per request, from D1, never from the cookie alone. */
export function getCurrentUser(
  request: Request,
  context: AppLoadContext,
): Promise<CurrentUser | null> {
  return sessionRead(request, context).user;
}

/**
 * The logged-in user and the page's own reads, sent in the same D1 batch as the session lookup
 * when the lookup has not gone yet (a page's loaders start together, so it has not), else in a
 * round trip of their own after it. Anonymous (or the session is not live): log in.
 */
export async function requireUserWith<T>(
  request: Request,
  context: AppLoadContext,
  reads: SessionRideAlong<T | null>,
): Promise<{ user: CurrentUser; data: T }> {
  const state = sessionRead(request, context);
  let rows: T | null;
  let user: CurrentUser;
  if (!state.closed && hasSessionCookie(request)) {
    const data = new Promise<T | null>((settle, fail) => {
      state.riders.push({ reads, settle: settle as (value: unknown) => void, fail });
    });
    [user, rows] = await Promise.all([requireUser(request, context), data]);
  } else {
    user = await requireUser(request, context);
    const { tokenHash, now } = state.sent!;
    [rows] = await runReads<[T | null]>(context.db, [reads(tokenHash, now)]);
  }
  // Rows of no one: the session ended between the lookup and these reads.
  if (rows === null) loginRedirect(request);
  return { user, data: rows };
}

function loginRedirect(request: Request): never {
  const url = new URL(request.url);
  const redirectTo = `${url.pathname}${url.search}`;
  throw redirect(`/login?${new URLSearchParams({ redirectTo })}`);
}

export async function requireUser(request: Request, context: AppLoadContext): Promise<CurrentUser> {
  const user = await getCurrentUser(request, context);
  if (!user) loginRedirect(request);
  return user;
}

export async function requireAnonymous(request: Request, context: AppLoadContext): Promise<void> {
  if (await getCurrentUser(request, context)) throw redirect("/account");
}

/**
 * The user, if the policy table grants them `capability`. Anonymous → log in; a role
 * without it → 403. Staff capabilities also need 2FA on the account and on this session.
 */
export async function requirePermission(
  request: Request,
  context: AppLoadContext,
  capability: Capability,
): Promise<CurrentUser> {
  const user = await requireUser(request, context);
  if (!can(user.role, capability)) {
    throw new Response("Your account doesn't have access to this page.", { status: 403 });
  }
  if (capability !== "account:own" && isStaffRole(user.role)) {
    if (!user.twoFactorEnabled) throw redirect("/account/security?required=2fa");
    if (!user.twoFactorVerified) {
      const url = new URL(request.url);
      throw redirect(
        `/login/2fa?${new URLSearchParams({ redirectTo: `${url.pathname}${url.search}` })}`,
      );
    }
  }
  return user;
}

/** Minors can browse, but buying and starting projects wait for their guardian's consent. */
export function requireGuardianConsent(user: CurrentUser): void {
  if (needsGuardianConsent(user)) {
    throw new Response(
      "Your parent or guardian needs to agree before you can buy or start a project. We've emailed them a link.",
      { status: 403 },
    );
  }
}

export const auditActor = (user: Pick<CurrentUser, "id" | "role">): AuditActor => ({
  id: user.id,
  role: user.role,
});

export function clientIp(request: Request): string | null {
  return request.headers.get("CF-Connecting-IP") ?? request.headers.get("X-Real-IP") ?? null;
}

/** Who and from where, for audit rows: the IP only as an HMAC. */
export async function auditRequestInfo(
  request: Request,
  context: AppLoadContext,
): Promise<AuditRequestInfo> {
  const ip = clientIp(request);
  return {
    ipHash: ip ? await hashIp(ip, context.env.hmacSecret) : null,
    userAgent: request.headers.get("User-Agent"),
    requestId: context.requestId,
  };
}

/** Set the new session's cookie and go on. A new token every time (no fixation). */
export async function redirectWithSession(
  context: AppLoadContext,
  token: string,
  to: string,
): Promise<TypedResponse<never>> {
  return redirect(to, { headers: { "Set-Cookie": await sessionCookie(context).serialize(token) } });
}

export async function clearSessionCookie(context: AppLoadContext): Promise<string> {
  return sessionCookie(context).serialize("", { maxAge: 0 });
}

// ---- The second log-in step: a short-lived signed challenge between password and code ----

const CHALLENGE_PURPOSE = "login-2fa-challenge";
const CHALLENGE_TTL_MS = 5 * 60 * 1000;
const ChallengeSchema = z.object({
  userId: z.string(),
  deviceSessionId: z.string(),
  newDevice: z.boolean(),
  redirectTo: z.string(),
});
export type LoginChallenge = z.infer<typeof ChallengeSchema>;

function challengeCookie(context: AppLoadContext): Cookie {
  const secure = secureEnvironment(context);
  return createCookie(secure ? "__Host-login-challenge" : "login-challenge", {
    httpOnly: true,
    secure,
    sameSite: "lax",
    path: "/",
    maxAge: CHALLENGE_TTL_MS / 1000,
  });
}

export async function challengeSetCookie(
  context: AppLoadContext,
  challenge: LoginChallenge,
  now: Date,
) {
  const token = await signToken(
    context.env.sessionSecret,
    CHALLENGE_PURPOSE,
    challenge,
    new Date(now.getTime() + CHALLENGE_TTL_MS),
  );
  return challengeCookie(context).serialize(token);
}

export async function readLoginChallenge(request: Request, context: AppLoadContext, now: Date) {
  const token = await readSignedCookie(challengeCookie(context), request.headers.get("Cookie"));
  if (typeof token !== "string") return null;
  const verified = await verifyToken(
    context.env.sessionSecret,
    CHALLENGE_PURPOSE,
    token,
    ChallengeSchema,
    now,
  );
  return verified.ok ? verified.payload : null;
}

export async function clearChallengeCookie(context: AppLoadContext): Promise<string> {
  return challengeCookie(context).serialize("", { maxAge: 0 });
}
