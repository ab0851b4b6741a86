import { createGuardrails, generateSecret } from "@otplib/core";
import { ScureBase32Plugin } from "@otplib/plugin-base32-scure";
import { WebCryptoPlugin } from "@otplib/plugin-crypto-web";
import { TOTP, generate, verify } from "@otplib/totp";

/**
 * TOTP rules (RFC 6238) on top of @otplib: what a code is, which codes are accepted, and the
 * otpauth:// URI an authenticator app scans. No I/O; time is a parameter.
 *
 * The app uses {@link TOTP_PARAMETERS} (SHA-1, 6 digits, 30 s). The parameters stay
 * overridable so the RFC 6238 Appendix B vectors (8 digits, raw ASCII seed) run through
 * exactly the functions the app calls.
 */

export const TOTP_ISSUER = "Studio Store";
/** 160 bits, the secret length RFC 4226 recommends. */
export const TOTP_SECRET_BYTES = 20;

export interface TotpParameters {
  algorithm: "sha1" | "sha256" | "sha512";
  digits: 6 | 7 | 8;
  periodSeconds: number;
}

export const TOTP_PARAMETERS: Readonly<TotpParameters> = Object.freeze({
  algorithm: "sha1",
  digits: 6,
  periodSeconds: 30,
});

/** Base32 text (as stored and as shown to the user), or raw key bytes (RFC test vectors). */
export type TotpSecret = string | Uint8Array;

/**
 * Wrong codes allowed per account before verification pauses: a 6-digit code with two
 * accepted steps is guessed with probability 2/10^6 per try, so the budget must be small.
 */
export const TOTP_REJECTION_LIMIT = 5;
export const TOTP_REJECTION_WINDOW_MS = 15 * 60 * 1000;

/**
 * Secrets we generate are 20 bytes. Verification also accepts the 10-byte secrets many
 * authenticator set-ups (and the demo accounts' published `JBSWY3DPEHPK3PXP`) use; otplib's
 * default refuses anything under 16 bytes.
 */
export const MIN_ACCEPTED_SECRET_BYTES = 10;
const guardrails = createGuardrails({ MIN_SECRET_BYTES: MIN_ACCEPTED_SECRET_BYTES });

const otpCrypto = new WebCryptoPlugin();
const otpBase32 = new ScureBase32Plugin();

function parameters(overrides?: Partial<TotpParameters>): TotpParameters {
  return { ...TOTP_PARAMETERS, ...overrides };
}

/** Unix seconds, as otplib counts them. */
const toEpochSeconds = (ms: number) => Math.floor(ms / 1000);

/** A fresh random secret, base32 without padding (what authenticator apps expect). */
export function generateTotpSecret(): string {
  return generateSecret({ crypto: otpCrypto, base32: otpBase32, length: TOTP_SECRET_BYTES });
}

/** The RFC 6238 time step `T = floor(unixSeconds / period)` that contains `atMs`. */
export function totpStep(atMs: number, overrides?: Partial<TotpParameters>): number {
  return Math.floor(toEpochSeconds(atMs) / parameters(overrides).periodSeconds);
}

/** What a user types may contain spaces ("123 456"); nothing else is forgiven. */
export function normalizeTotpCode(input: string): string {
  return input.replace(/\s+/g, "");
}

/** True when `input` has the shape of a code (digits only, right length), valid or not. */
export function looksLikeTotpCode(input: string, overrides?: Partial<TotpParameters>): boolean {
  const { digits } = parameters(overrides);
  const code = normalizeTotpCode(input);
  return code.length === digits && /^[0-9]+$/.test(code);
}

/** The code for the time step containing `atMs`. */
export function totpCode(
  secret: TotpSecret,
  atMs: number,
  overrides?: Partial<TotpParameters>,
): Promise<string> {
  const { algorithm, digits, periodSeconds } = parameters(overrides);
  return generate({
    secret,
    epoch: toEpochSeconds(atMs),
    period: periodSeconds,
    algorithm,
    digits,
    crypto: otpCrypto,
    base32: otpBase32,
    guardrails,
  });
}

/**
 * The time step `code` belongs to, when it is acceptable now: the code of the current step or
 * of the one before it (a code typed just as it rolled over), never a future step, and only a
 * step after `lastUsedStep`, so a code is accepted once. Otherwise null.
 *
 * The caller still has to claim the step atomically (stored last step < step); this function
 * only says which step the code proves.
 */
export async function matchTotpStep(
  secret: TotpSecret,
  code: string,
  nowMs: number,
  lastUsedStep: number | null,
  overrides?: Partial<TotpParameters>,
): Promise<number | null> {
  const { algorithm, digits, periodSeconds } = parameters(overrides);
  if (!looksLikeTotpCode(code, { digits })) return null;

  const epoch = toEpochSeconds(nowMs);
  const currentStep = Math.floor(epoch / periodSeconds);
  // Nothing in [current - 1, current] can be newer than a step at or past the current one
  // (otplib also refuses an afterTimeStep beyond its window).
  if (lastUsedStep !== null && lastUsedStep >= currentStep) return null;

  const result = await verify({
    secret,
    token: normalizeTotpCode(code),
    epoch,
    period: periodSeconds,
    algorithm,
    digits,
    // [past, future] in seconds: exactly one step back, none ahead.
    epochTolerance: [periodSeconds, 0],
    guardrails,
    afterTimeStep: lastUsedStep !== null && lastUsedStep >= 0 ? lastUsedStep : undefined,
    crypto: otpCrypto,
    base32: otpBase32,
  });
  return result.valid ? result.timeStep : null;
}

/**
 * The `otpauth://totp/Issuer:label?secret=…&issuer=…` URI for the enrollment QR code
 * (Google Authenticator key URI format; default algorithm, digits and period are implied).
 */
export function otpauthUri(input: { secret: string; label: string; issuer?: string }): string {
  const { algorithm, digits, periodSeconds } = TOTP_PARAMETERS;
  return new TOTP({
    algorithm,
    digits,
    period: periodSeconds,
    crypto: otpCrypto,
    base32: otpBase32,
  }).toURI({
    secret: input.secret,
    label: input.label,
    issuer: input.issuer ?? TOTP_ISSUER,
  });
}
