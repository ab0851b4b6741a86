import { scrypt } from "node:crypto";
import { timingSafeEqual } from "./constant-time";
import { base64ToBytes, bytesToBase64, utf8Encode } from "./encoding";

/**
 * Password hashing with scrypt (docs/architecture.md §5). Workers cap PBKDF2 at 100,000 iterations, so the
 * memory-hard scrypt from `node:crypto` (nodejs_compat) is used instead; the same code runs in
 * Node for the seed script.
 *
 * Stored form is a PHC string: `$scrypt$ln=15,r=8,p=3$<salt>$<hash>` (base64 without padding).
 */

export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  ln: number;
  /** Block size. */
  r: number;
  /** Parallelisation. */
  p: number;
}

export const CURRENT_SCRYPT_PARAMS: Readonly<ScryptParams> = Object.freeze({ ln: 15, r: 8, p: 3 });

/**
 * Older parameter sets that may still be verified; a match asks the caller to rehash. Nothing
 * outside this list and the current set is ever run, so a stored string cannot pick its cost.
 */
const LEGACY_SCRYPT_PARAMS: readonly Readonly<ScryptParams>[] = [
  Object.freeze({ ln: 14, r: 8, p: 1 }),
];

export const SALT_BYTES = 16;
export const KEY_BYTES = 32;

/** scrypt needs 128·N·r bytes plus a little; 64 MiB leaves headroom for N=2^15, r=8. */
const MAX_MEMORY = 64 * 1024 * 1024;

/** Upper bound for {@link scryptRaw} so no caller can ask for an unbounded computation. */
const MAX_LN = 20;

export type PasswordVerification = { valid: boolean; needsRehash: boolean };

const INVALID: PasswordVerification = Object.freeze({ valid: false, needsRehash: false });

/**
 * Raw scrypt (RFC 7914). `password` and `salt` strings are taken as UTF-8. Exported for
 * known-answer tests and for callers that need a KDF; use {@link hashPassword} for passwords.
 */
export function scryptRaw(
  password: string | Uint8Array,
  salt: string | Uint8Array,
  params: ScryptParams,
  keyLength: number = KEY_BYTES,
): Promise<Uint8Array> {
  const { ln, r, p } = params;
  if (!Number.isInteger(ln) || ln < 1 || ln > MAX_LN) {
    return Promise.reject(new RangeError(`scrypt ln must be an integer in 1..${MAX_LN}`));
  }
  const passwordBytes = typeof password === "string" ? utf8Encode(password) : password;
  const saltBytes = typeof salt === "string" ? utf8Encode(salt) : salt;
  return new Promise((resolve, reject) => {
    scrypt(
      passwordBytes,
      saltBytes,
      keyLength,
      { N: 2 ** ln, r, p, maxmem: MAX_MEMORY },
      (error, derived) => {
        if (error) reject(error);
        else resolve(new Uint8Array(derived));
      },
    );
  });
}

/**
 * Unicode normalisation so the same password typed on two keyboards (composed vs decomposed
 * accents) gives the same bytes. Applied identically when hashing and verifying.
 */
function passwordBytes(password: string): Uint8Array {
  return utf8Encode(password.normalize("NFC"));
}

function formatPhc(params: ScryptParams, salt: Uint8Array, hash: Uint8Array): string {
  const encodedSalt = bytesToBase64(salt, { pad: false });
  const encodedHash = bytesToBase64(hash, { pad: false });
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${encodedSalt}$${encodedHash}`;
}

/** Hash a new password with the current parameters and a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await scryptRaw(passwordBytes(password), salt, CURRENT_SCRYPT_PARAMS);
  return formatPhc(CURRENT_SCRYPT_PARAMS, salt, hash);
}

// Exact shape: small decimal parameters, 16-byte salt (22 chars), 32-byte hash (43 chars).
const PHC_PATTERN =
  /^\$scrypt\$ln=([1-9][0-9]?),r=([1-9][0-9]?),p=([1-9][0-9]?)\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$/;

interface ParsedHash {
  params: Readonly<ScryptParams>;
  isCurrent: boolean;
  salt: Uint8Array;
  hash: Uint8Array;
}

function sameParams(a: ScryptParams, b: ScryptParams): boolean {
  return a.ln === b.ln && a.r === b.r && a.p === b.p;
}

/** Returns null for anything that is not an allow-listed scrypt PHC string. */
function parseStoredHash(stored: unknown): ParsedHash | null {
  if (typeof stored !== "string") return null;
  const match = PHC_PATTERN.exec(stored);
  if (!match) return null;
  const [, ln, r, p, encodedSalt, encodedHash] = match;
  const requested = { ln: Number(ln), r: Number(r), p: Number(p) };

  const isCurrent = sameParams(requested, CURRENT_SCRYPT_PARAMS);
  const params = isCurrent
    ? CURRENT_SCRYPT_PARAMS
    : LEGACY_SCRYPT_PARAMS.find((legacy) => sameParams(requested, legacy));
  if (!params) return null;

  try {
    const salt = base64ToBytes(encodedSalt!);
    const hash = base64ToBytes(encodedHash!);
    if (salt.length !== SALT_BYTES || hash.length !== KEY_BYTES) return null;
    return { params, isCurrent, salt, hash };
  } catch {
    return null;
  }
}

/**
 * Check a password against a stored PHC string. Malformed strings, other algorithms and
 * parameter sets off the allow-list are refused before any scrypt work is done; this never
 * throws on what a user or the database hands it. `needsRehash` is true when the password is
 * right but was hashed with older parameters: store `hashPassword(password)` then.
 */
export async function verifyPassword(
  password: string,
  stored: string,
): Promise<PasswordVerification> {
  if (typeof password !== "string") return INVALID;
  const parsed = parseStoredHash(stored);
  if (!parsed) return INVALID;

  const candidate = await scryptRaw(passwordBytes(password), parsed.salt, parsed.params);
  if (!timingSafeEqual(parsed.hash, candidate)) return INVALID;
  return { valid: true, needsRehash: !parsed.isCurrent };
}
