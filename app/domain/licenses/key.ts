/**
 * License keys (docs/architecture.md §7): five dash-separated groups of five symbols from A–Z and 0–9
 * (e.g. `7QK2M-…-B8CG6`).
 * 36^25 ≈ 2^129, so a key carries more than the 128 bits of entropy the design asks for.
 */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const GROUPS = 5;
const GROUP_LENGTH = 5;
export const LICENSE_KEY_PATTERN = /^[A-Z0-9]{5}(-[A-Z0-9]{5}){4}$/;
export const LICENSE_KEY_ENTROPY_BITS = GROUPS * GROUP_LENGTH * Math.log2(ALPHABET.length);

/** A fresh key. Rejection sampling keeps every symbol equally likely. */
export function generateLicenseKey(
  random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b),
): string {
  const symbols: string[] = [];
  const limit = 256 - (256 % ALPHABET.length); // 252: bytes at or above it would bias the result
  while (symbols.length < GROUPS * GROUP_LENGTH) {
    for (const byte of random(new Uint8Array(32))) {
      if (byte < limit && symbols.length < GROUPS * GROUP_LENGTH)
        symbols.push(ALPHABET[byte % ALPHABET.length]!);
    }
  }
  const groups = Array.from({ length: GROUPS }, (_, index) =>
    symbols.slice(index * GROUP_LENGTH, (index + 1) * GROUP_LENGTH).join(""),
  );
  return groups.join("-");
}

/**
 * The canonical form of what a person or program typed: upper case, no spaces, dashes
 * restored. Null when it cannot be a key (so it is never looked up).
 */
export function normalizeLicenseKey(input: string): string | null {
  const compact = input.toUpperCase().replace(/[\s-]/g, "");
  if (!/^[A-Z0-9]{25}$/.test(compact)) return null;
  return compact.match(/.{5}/g)!.join("-");
}

/** What the owner sees until they ask to reveal it: `•••••-•••••-•••••-•••••-AB12C`. */
export function maskLicenseKey(last5: string): string {
  return `${Array.from({ length: GROUPS - 1 }, () => "•••••").join("-")}-${last5}`;
}
