import { refuse, type Refusal } from "~/domain/refusal";

/**
 * Rules about a person's email address (docs/architecture.md §5): a new account proves it owns
 * its address before it may spend money or take files, and two spellings of one mailbox count
 * as the same address where it matters (a minor naming themselves as their own guardian).
 */

export type EmailUnverifiedReason = "email-unverified";

/**
 * The one refusal of everything an unverified account may not do yet (buying, downloads,
 * project and add-on requests). Browsing and the account pages never ask.
 */
export function emailUnverifiedRefusal(email: string): Refusal<EmailUnverifiedReason> {
  return refuse(
    "forbidden",
    "email-unverified",
    `Confirm your email address first: we sent a link to ${email}. Open it, or ask for a new one with "Send it again" at the top of the page.`,
  );
}

/** Why this account may not buy, download or request work yet, or null when it may. */
export function emailVerificationBlock(user: {
  email: string;
  emailVerifiedAt: Date | string | null;
}): Refusal<EmailUnverifiedReason> | null {
  return user.emailVerifiedAt ? null : emailUnverifiedRefusal(user.email);
}

/** Providers that ignore dots in the local part: `a.b@gmail.com` is `ab@gmail.com`. */
const DOTLESS_DOMAINS = new Set(["gmail.com", "googlemail.com"]);

/**
 * The mailbox an address delivers to, for comparing two addresses: lower-cased, trimmed,
 * without a `+tag` (sub-addressing: `me+parent@x` lands in `me@x`), and without dots where the
 * provider ignores them. Used for comparisons only; the address is stored as typed (lower-cased).
 */
export function mailboxKey(address: string): string {
  const trimmed = address.trim().toLowerCase();
  const at = trimmed.lastIndexOf("@");
  if (at <= 0) return trimmed;
  let local = trimmed.slice(0, at);
  let domain = trimmed.slice(at + 1);
  if (domain === "googlemail.com") domain = "gmail.com";
  local = local.split("+")[0] || local;
  if (DOTLESS_DOMAINS.has(domain)) local = local.replaceAll(".", "");
  return `${local}@${domain}`;
}

/** Do two addresses reach the same mailbox? */
export const sameMailbox = (a: string, b: string) => mailboxKey(a) === mailboxKey(b);
