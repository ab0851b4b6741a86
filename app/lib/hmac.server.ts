import { bytesToBase64Url, bytesToHex, utf8Encode } from "./encoding";

/**
 * Keyed hashes for values we must recognise but never store in the clear: IP addresses
 * (docs/architecture.md §3: a plain hash of an IPv4 address is reversed by trying all 2^32), blind indexes
 * for encrypted columns, and hashed session tokens.
 */

/** Imported HMAC keys by secret; derived values only, so sharing across requests is safe. */
const keyCache = new Map<string, Promise<CryptoKey>>();

function importHmacKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (!key) {
    if (secret.length === 0) throw new TypeError("HMAC secret must not be empty");
    key = crypto.subtle.importKey(
      "raw",
      utf8Encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    keyCache.set(secret, key);
    key.catch(() => keyCache.delete(secret));
  }
  return key;
}

export async function hmacSha256(secret: string, message: string): Promise<Uint8Array> {
  const signature = await crypto.subtle.sign(
    "HMAC",
    await importHmacKey(secret),
    utf8Encode(message),
  );
  return new Uint8Array(signature);
}

export async function hmacSha256Hex(secret: string, message: string): Promise<string> {
  return bytesToHex(await hmacSha256(secret, message));
}

/** SHA-256 as lowercase hex; strings are hashed as UTF-8. */
export async function sha256Hex(data: string | Uint8Array | ArrayBuffer): Promise<string> {
  // Copy a view: it may sit on a larger or shared buffer.
  const bytes = typeof data === "string" ? utf8Encode(data) : new Uint8Array(data);
  return bytesToHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}

const IPV4_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseIpv4(value: string): number[] | null {
  const match = IPV4_PATTERN.exec(value);
  if (!match) return null;
  const octets = match.slice(1).map(Number);
  return octets.every((octet) => octet <= 255) ? octets : null;
}

/** Eight 16-bit groups, or null when `value` is not an IPv6 address. */
function parseIpv6(value: string): number[] | null {
  let text = value;
  const tail: number[] = [];
  // Embedded IPv4 in the last 32 bits (`::ffff:192.0.2.1`).
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".", lastColon)) {
    const ipv4 = parseIpv4(text.slice(lastColon + 1));
    if (!ipv4) return null;
    tail.push((ipv4[0]! << 8) | ipv4[1]!, (ipv4[2]! << 8) | ipv4[3]!);
    const prefix = text.slice(0, lastColon + 1);
    // Keep a `::` that ends right before the IPv4 part; otherwise drop the separating colon.
    text = prefix.endsWith("::") ? prefix : prefix.slice(0, -1);
  }

  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parseGroups = (part: string) => (part === "" ? [] : part.split(":"));
  const head = parseGroups(halves[0]!);
  const rest = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (![...head, ...rest].every((group) => /^[0-9a-f]{1,4}$/.test(group))) return null;

  const explicit = head.length + rest.length + tail.length;
  if (halves.length === 2 ? explicit > 7 : explicit !== 8) return null;
  const zeros = new Array<number>(8 - explicit).fill(0);
  return [
    ...head.map((group) => parseInt(group, 16)),
    ...(halves.length === 2 ? zeros : []),
    ...rest.map((group) => parseInt(group, 16)),
    ...tail,
  ];
}

/** RFC 5952 text form: lowercase, no leading zeros, the longest run of ≥2 zero groups as `::`. */
function formatIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/**
 * One text form per address, so the same client always gets the same hash: trimmed,
 * lowercase, IPv4 without leading zeros, IPv6 in RFC 5952 form, IPv4-mapped IPv6 as IPv4.
 * Anything unparseable is only trimmed and lowercased (it is still hashed, never stored raw).
 */
export function normalizeIp(ip: string): string {
  const value = ip
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  const ipv4 = parseIpv4(value);
  if (ipv4) return ipv4.join(".");
  if (!value.includes(":")) return value;
  const groups = parseIpv6(value);
  if (!groups) return value;
  const isIpv4Mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (isIpv4Mapped) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join(".");
  }
  return formatIpv6(groups);
}

/** The only form in which an IP address is stored: HMAC-SHA-256 hex of its normalised text. */
export function hashIp(ip: string, secret: string): Promise<string> {
  return hmacSha256Hex(secret, `ip:${normalizeIp(ip)}`);
}

/**
 * Deterministic keyed index for looking up an encrypted column without decrypting it
 * (e.g. `blindIndex(key, secret, "licenses.key")`). The context keeps indexes of different
 * columns unrelated; it may not contain ":" so `context:value` is unambiguous.
 */
export async function blindIndex(value: string, secret: string, context: string): Promise<string> {
  if (context.length === 0 || context.includes(":")) {
    throw new TypeError('A blind index context must be non-empty and must not contain ":"');
  }
  return hmacSha256Hex(secret, `${context}:${value}`);
}

/** A random URL-safe token (base64url); 16 bytes = 128 bits by default. */
export function randomToken(bytes = 16): string {
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > 1024) {
    throw new RangeError("A token needs an integer number of bytes between 16 and 1024");
  }
  return bytesToBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/**
 * How a bearer token (session, download grant) is stored: SHA-256 hex. Tokens come from
 * {@link randomToken} with ≥128 bits of entropy, so an unkeyed hash cannot be brute-forced and a
 * database leak does not hand out live sessions.
 */
export function sha256TokenHash(token: string): Promise<string> {
  return sha256Hex(token);
}
