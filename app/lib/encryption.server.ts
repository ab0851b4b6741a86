import type { EncryptionKeyConfig } from "~/lib/env.server";
import {
  base64ToBytes,
  base64UrlToBytes,
  bytesToBase64Url,
  utf8Decode,
  utf8Encode,
} from "./encoding";

/**
 * Field encryption for secrets kept in D1 (2FA secrets, license keys): AES-256-GCM with a random
 * 96-bit IV and the key version written into the value, so keys can be rotated while old rows
 * are still readable.
 *
 * Format: `v<version>.<iv base64url>.<ciphertext+tag base64url>`.
 *
 * The additional authenticated data is `v<version>|<context>`: a value copied into another column
 * (another context) or relabelled with another key version fails authentication.
 */

export interface EncryptionKeys {
  current: EncryptionKeyConfig;
  previous?: EncryptionKeyConfig;
}

export type DecryptionFailure = "malformed" | "unknown-key-version" | "authentication-failed";

/** Thrown by {@link decryptField} for anything that cannot be decrypted and authenticated. */
export class DecryptionError extends Error {
  override name = "DecryptionError";
  constructor(
    readonly reason: DecryptionFailure,
    message: string,
  ) {
    super(message);
  }
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

// Version as env.server.ts allows it; the IV is exactly 16 base64url characters (12 bytes).
const CIPHERTEXT_PATTERN = /^v([1-9][0-9]{0,5})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22,})$/;

/** Imported keys by base64 key string; derived values only, so sharing across requests is safe. */
const keyCache = new Map<string, Promise<CryptoKey>>();

function importAesKey(encodedKey: string): Promise<CryptoKey> {
  let key = keyCache.get(encodedKey);
  if (!key) {
    key = (async () => {
      let raw: Uint8Array<ArrayBuffer>;
      try {
        raw = base64ToBytes(encodedKey);
      } catch {
        raw = new Uint8Array(0);
      }
      if (raw.length !== KEY_BYTES) {
        throw new Error("Encryption key must be the base64 encoding of 32 bytes");
      }
      return crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, [
        "encrypt",
        "decrypt",
      ]);
    })();
    keyCache.set(encodedKey, key);
    key.catch(() => keyCache.delete(encodedKey));
  }
  return key;
}

function additionalData(version: number, context: string): Uint8Array<ArrayBuffer> {
  return utf8Encode(`v${version}|${context}`);
}

function assertContext(context: string): void {
  if (typeof context !== "string" || context.length === 0) {
    throw new TypeError('An encryption context (e.g. "licenses.key") is required');
  }
}

interface ParsedCiphertext {
  version: number;
  iv: Uint8Array<ArrayBuffer>;
  data: Uint8Array<ArrayBuffer>;
}

function parseCiphertext(value: unknown): ParsedCiphertext | null {
  if (typeof value !== "string") return null;
  const match = CIPHERTEXT_PATTERN.exec(value);
  if (!match) return null;
  try {
    const iv = base64UrlToBytes(match[2]!);
    const data = base64UrlToBytes(match[3]!);
    if (iv.length !== IV_BYTES || data.length < TAG_BYTES) return null;
    return { version: Number(match[1]), iv, data };
  } catch {
    return null;
  }
}

function keyForVersion(version: number, keys: EncryptionKeys): EncryptionKeyConfig | undefined {
  if (keys.current.version === version) return keys.current;
  if (keys.previous?.version === version) return keys.previous;
  return undefined;
}

/** Encrypt `plaintext` with the current key, bound to `context` (e.g. "licenses.key"). */
export async function encryptField(
  plaintext: string,
  keys: EncryptionKeys,
  context: string,
): Promise<string> {
  assertContext(context);
  const { version, key } = keys.current;
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: additionalData(version, context), tagLength: 128 },
    await importAesKey(key),
    utf8Encode(plaintext),
  );
  return `v${version}.${bytesToBase64Url(iv)}.${bytesToBase64Url(new Uint8Array(sealed))}`;
}

/**
 * Decrypt a value written by {@link encryptField} with the current or previous key. Throws
 * {@link DecryptionError} when it is malformed, names a key version that is not configured, was
 * altered, or belongs to another context.
 */
export async function decryptField(
  ciphertext: string,
  keys: EncryptionKeys,
  context: string,
): Promise<string> {
  assertContext(context);
  const parsed = parseCiphertext(ciphertext);
  if (!parsed) throw new DecryptionError("malformed", "Encrypted value is malformed");

  const keyConfig = keyForVersion(parsed.version, keys);
  if (!keyConfig) {
    throw new DecryptionError(
      "unknown-key-version",
      `Encrypted value uses key version ${parsed.version}, which is not configured`,
    );
  }

  // A key that cannot be imported is a configuration error, not a bad ciphertext: let it throw.
  const key = await importAesKey(keyConfig.key);
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt(
      {
        name: "AES-GCM",
        iv: parsed.iv,
        additionalData: additionalData(parsed.version, context),
        tagLength: 128,
      },
      key,
      parsed.data,
    );
  } catch {
    throw new DecryptionError(
      "authentication-failed",
      "Encrypted value failed authentication (altered, wrong key or wrong context)",
    );
  }
  try {
    return utf8Decode(new Uint8Array(plain));
  } catch {
    throw new DecryptionError("malformed", "Decrypted value is not valid UTF-8");
  }
}

/**
 * True unless `ciphertext` is a well-formed value under the current key version. Malformed
 * values count as needing work so a rotation job surfaces them instead of skipping them.
 */
export function needsReencryption(ciphertext: string, keys: EncryptionKeys): boolean {
  const parsed = parseCiphertext(ciphertext);
  return !parsed || parsed.version !== keys.current.version;
}

/** Decrypt with whichever configured key matches and encrypt again with the current key. */
export async function reencryptField(
  ciphertext: string,
  keys: EncryptionKeys,
  context: string,
): Promise<string> {
  return encryptField(await decryptField(ciphertext, keys, context), keys, context);
}
