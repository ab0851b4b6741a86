/**
 * Byte/text encodings shared by the crypto helpers. Written by hand (no Buffer, no atob) so the
 * same code runs in workerd and in Node, and so decoding is strict: `atob` silently skips
 * whitespace and accepts sloppy input, which is the wrong default for data we authenticate.
 */

export class EncodingError extends Error {
  override name = "EncodingError";
}

const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function reverseTable(alphabet: string): Int16Array {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}

const BASE64_LOOKUP = reverseTable(BASE64_ALPHABET);
const BASE64URL_LOOKUP = reverseTable(BASE64URL_ALPHABET);

function encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out +=
      alphabet[(n >> 18) & 63]! +
      alphabet[(n >> 12) & 63]! +
      alphabet[(n >> 6) & 63]! +
      alphabet[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += alphabet[(n >> 18) & 63]! + alphabet[(n >> 12) & 63]! + (pad ? "==" : "");
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out +=
      alphabet[(n >> 18) & 63]! +
      alphabet[(n >> 12) & 63]! +
      alphabet[(n >> 6) & 63]! +
      (pad ? "=" : "");
  }
  return out;
}

/**
 * Decode with or without `=` padding. Throws {@link EncodingError} on any character outside the
 * alphabet, an impossible length, wrong padding, or non-zero leftover bits (so every byte string
 * has exactly one accepted encoding).
 */
function decode(value: string, lookup: Int16Array, name: string): Uint8Array<ArrayBuffer> {
  let end = value.length;
  if (end % 4 === 0 && end > 0) {
    if (value.charCodeAt(end - 1) === 61 /* = */) end--;
    if (value.charCodeAt(end - 1) === 61) end--;
  }
  const rest = end % 4;
  if (rest === 1) throw new EncodingError(`Invalid ${name}: impossible length`);

  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const code = value.charCodeAt(i);
    const digit = code < 128 ? lookup[code]! : -1;
    if (digit < 0) throw new EncodingError(`Invalid ${name}: unexpected character`);
    buffer = ((buffer << 6) | digit) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) {
    throw new EncodingError(`Invalid ${name}: non-canonical trailing bits`);
  }
  return out;
}

/** Standard base64 (RFC 4648 §4). `pad: false` gives the PHC-string form. */
export function bytesToBase64(bytes: Uint8Array, { pad = true }: { pad?: boolean } = {}): string {
  return encode(bytes, BASE64_ALPHABET, pad);
}

/** Standard base64, padded or not. */
export function base64ToBytes(value: string): Uint8Array<ArrayBuffer> {
  return decode(value, BASE64_LOOKUP, "base64");
}

/** URL- and cookie-safe base64 (RFC 4648 §5), never padded. */
export function bytesToBase64Url(bytes: Uint8Array): string {
  return encode(bytes, BASE64URL_ALPHABET, false);
}

/** URL-safe base64, padded or not. */
export function base64UrlToBytes(value: string): Uint8Array<ArrayBuffer> {
  return decode(value, BASE64URL_LOOKUP, "base64url");
}

/** Lowercase hex. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += bytes[i]!.toString(16).padStart(2, "0");
  return out;
}

/** Hex in either case; throws {@link EncodingError} on odd length or a non-hex character. */
export function hexToBytes(value: string): Uint8Array<ArrayBuffer> {
  if (value.length % 2 !== 0) throw new EncodingError("Invalid hex: odd length");
  if (!/^[0-9a-fA-F]*$/.test(value)) throw new EncodingError("Invalid hex: unexpected character");
  const out = new Uint8Array(value.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(value.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function utf8Encode(text: string): Uint8Array<ArrayBuffer> {
  // TextEncoder always allocates a fresh ArrayBuffer; workers-types just types it loosely.
  return encoder.encode(text) as Uint8Array<ArrayBuffer>;
}

/** Throws {@link EncodingError} on invalid UTF-8 instead of inserting U+FFFD. */
export function utf8Decode(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new EncodingError("Invalid UTF-8");
  }
}
