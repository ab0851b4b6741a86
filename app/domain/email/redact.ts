/**
 * Outbox emails can carry single-use links (a guardian's consent link, an address
 * verification or email change link, a password reset link). Staff reading the
 * outbox must not be able to use them in the recipient's place, so outside development the
 * token part of such links is hidden. Development keeps them: there is no real mail there,
 * and the outbox is how a developer follows the link.
 */
const TOKEN_LINK = /(\/(?:consent|verify-email|reset-password)\/)[A-Za-z0-9_.-]+/g;

export function redactEmailLinks(text: string, environment: string): string {
  if (environment === "development") return text;
  return text.replace(TOKEN_LINK, "$1[hidden: only the recipient's copy works]");
}
