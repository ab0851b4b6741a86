/**
 * Where to send someone after logging in: a path on this site, or the default page.
 *
 * Browsers strip tabs and newlines from a `Location` and read `\` as `/`, so "/\t/evil.example"
 * lands on "//evil.example", another origin. A value is accepted only when it has no control
 * characters, whitespace or backslashes, starts with one "/" and parses as same-origin.
 */
const PROBE_ORIGIN = "https://same-origin.invalid";
// Controls (C0, DEL, C1), every Unicode space and line/paragraph separator, the BOM, "\".
const FORBIDDEN =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f\u3000\ufeff\\]/;

export const DEFAULT_AFTER_LOGIN = "/account";

export function safeRedirectPath(
  value: string | null | undefined,
  fallback: string = DEFAULT_AFTER_LOGIN,
): string {
  if (!value || value.length > 2000 || FORBIDDEN.test(value)) return fallback;
  if (!value.startsWith("/") || value.startsWith("//")) return fallback;
  try {
    return new URL(value, PROBE_ORIGIN).origin === PROBE_ORIGIN ? value : fallback;
  } catch {
    return fallback;
  }
}
