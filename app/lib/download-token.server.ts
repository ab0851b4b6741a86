import { z } from "~/lib/zod";
import { timingSafeEqual } from "./constant-time";
import { base64UrlToBytes, bytesToBase64Url, utf8Decode, utf8Encode } from "./encoding";
import { hmacSha256 } from "./hmac.server";

/**
 * Download links (docs/architecture.md §8): `<base64url(JSON)>.<base64url(HMAC-SHA-256)>` signed with
 * `DOWNLOAD_SIGNING_SECRET`, carrying the grant, license, user and expiry.
 *
 * Unlike the generic signed tokens, an expired download token still names its grant: a grant
 * that was redeemed keeps serving resumes for 24 hours, and D1's record of the grant decides
 * that, not only the token's clock. A token whose signature does not match is never trusted;
 * its payload is only peeked at to file the refused attempt under the right grant.
 */
const PURPOSE = "download-grant";

const PayloadSchema = z.object({
  g: z.string().min(1).max(64),
  l: z.string().min(1).max(64),
  u: z.string().min(1).max(64),
  exp: z.number().int(),
});

export interface DownloadTokenPayload {
  grantId: string;
  licenseId: string;
  userId: string;
  expiresAt: Date;
}

export type DownloadTokenCheck =
  | { status: "valid" | "expired"; payload: DownloadTokenPayload }
  | { status: "tampered"; claimed: DownloadTokenPayload | null }
  | { status: "malformed" };

const signatureOf = async (secret: string, body: string) =>
  bytesToBase64Url(await hmacSha256(secret, `${PURPOSE}.${body}`));

export async function signDownloadToken(
  secret: string,
  payload: DownloadTokenPayload,
): Promise<string> {
  const body = bytesToBase64Url(
    utf8Encode(
      JSON.stringify({
        g: payload.grantId,
        l: payload.licenseId,
        u: payload.userId,
        exp: payload.expiresAt.getTime(),
      }),
    ),
  );
  return `${body}.${await signatureOf(secret, body)}`;
}

function decodeBody(body: string): DownloadTokenPayload | null {
  try {
    const parsed = PayloadSchema.safeParse(JSON.parse(utf8Decode(base64UrlToBytes(body))));
    if (!parsed.success) return null;
    const { g, l, u, exp } = parsed.data;
    return { grantId: g, licenseId: l, userId: u, expiresAt: new Date(exp) };
  } catch {
    return null;
  }
}

/** Checks the signature in constant time, then the expiry against `now`. */
export async function checkDownloadToken(
  secret: string,
  token: string,
  now: Date,
): Promise<DownloadTokenCheck> {
  const parts = token.split(".");
  if (parts.length !== 2 || token.length > 1024) return { status: "malformed" };
  const [body, signature] = parts as [string, string];
  const expected = await signatureOf(secret, body);
  if (!timingSafeEqual(expected, signature)) {
    return { status: "tampered", claimed: decodeBody(body) };
  }
  const payload = decodeBody(body);
  if (!payload) return { status: "malformed" };
  return { status: payload.expiresAt.getTime() > now.getTime() ? "valid" : "expired", payload };
}
