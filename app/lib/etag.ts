/**
 * The one ETag matcher (RFC 9110 §13.1.2): `If-None-Match` matches when any listed tag equals
 * ours, compared weakly (`W/"x"` and `"x"` are the same tag), or when it is `*`. Used for the
 * public pages (lib/etag.server.ts), product images and file downloads alike.
 */
export function etagMatches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === "*") return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((tag) => opaque(tag) === opaque(etag));
}
