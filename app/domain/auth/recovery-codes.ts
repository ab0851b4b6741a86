/**
 * Recovery codes: the way back in when the authenticator is lost. Each is single use and
 * stored only as a keyed hash; the plain codes are shown once, at enrollment.
 *
 * Shape: `xxxx-xxxx-xxxx` in Crockford's base32 alphabet (no i, l, o, u), lowercase:
 * 12 characters × 5 bits = 60 bits of randomness, easy to read aloud and to type.
 */

export const RECOVERY_CODE_COUNT = 10;
export const RECOVERY_CODE_LENGTH = 12;
export const RECOVERY_CODE_BITS = RECOVERY_CODE_LENGTH * 5;

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const GROUP_LENGTH = 4;
const NORMALIZED_PATTERN = new RegExp(`^[${ALPHABET}]{${RECOVERY_CODE_LENGTH}}$`);

/** Characters people confuse, read the way Crockford's base32 reads them. */
const LOOKALIKES: Record<string, string> = { i: "1", l: "1", o: "0" };

/** `abcd1234wxyz` → `abcd-1234-wxyz`. */
export function formatRecoveryCode(normalized: string): string {
  const groups: string[] = [];
  for (let i = 0; i < normalized.length; i += GROUP_LENGTH) {
    groups.push(normalized.slice(i, i + GROUP_LENGTH));
  }
  return groups.join("-");
}

/** One code, formatted. 256 is a multiple of 32, so `byte & 31` is unbiased. */
export function generateRecoveryCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(RECOVERY_CODE_LENGTH));
  let code = "";
  for (const byte of bytes) code += ALPHABET[byte & 31]!;
  return formatRecoveryCode(code);
}

/** A fresh set of distinct, formatted codes. */
export function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  const codes = new Set<string>();
  while (codes.size < count) codes.add(generateRecoveryCode());
  return [...codes];
}

/**
 * The canonical form of what a user typed (lowercase, no spaces or dashes, look-alike letters
 * read as digits), or null when it cannot be a recovery code. Hash this form, never the input.
 */
export function normalizeRecoveryCode(input: string): string | null {
  const compact = input
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s\-_.]+/g, "")
    .replace(/[ilo]/g, (char) => LOOKALIKES[char]!);
  return NORMALIZED_PATTERN.test(compact) ? compact : null;
}
