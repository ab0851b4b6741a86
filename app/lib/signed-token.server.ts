import { z } from "~/lib/zod";
import { timingSafeEqual } from "./constant-time";
import { base64UrlToBytes, bytesToBase64Url, utf8Decode, utf8Encode } from "./encoding";
import { hmacSha256 } from "./hmac.server";

/**
 * Compact HMAC-signed, expiring tokens: `<base64url(JSON payload)>.<base64url(HMAC)>`.
 * The `purpose` is signed too, so a token made for one use can't be replayed for another.
 */
export type TokenVerification<T> =
  | { ok: true; payload: T }
  | { ok: false; reason: "malformed" | "tampered" | "expired" | "wrong-purpose" };

const EnvelopeSchema = z.object({ p: z.string(), exp: z.number().int(), d: z.unknown() });

export async function signToken(
  secret: string,
  purpose: string,
  data: unknown,
  expiresAt: Date,
): Promise<string> {
  const body = bytesToBase64Url(
    utf8Encode(JSON.stringify({ p: purpose, exp: expiresAt.getTime(), d: data })),
  );
  const signature = bytesToBase64Url(await hmacSha256(secret, `${purpose}.${body}`));
  return `${body}.${signature}`;
}

export async function verifyToken<T>(
  secret: string,
  purpose: string,
  token: string,
  schema: z.ZodType<T>,
  now: Date,
): Promise<TokenVerification<T>> {
  const parts = token.split(".");
  if (parts.length !== 2 || token.length > 4096) return { ok: false, reason: "malformed" };
  const [body, signature] = parts as [string, string];
  const expected = bytesToBase64Url(await hmacSha256(secret, `${purpose}.${body}`));
  if (!timingSafeEqual(signature, expected)) return { ok: false, reason: "tampered" };
  let envelope: z.infer<typeof EnvelopeSchema>;
  try {
    envelope = EnvelopeSchema.parse(JSON.parse(utf8Decode(base64UrlToBytes(body))));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (envelope.p !== purpose) return { ok: false, reason: "wrong-purpose" };
  if (envelope.exp <= now.getTime()) return { ok: false, reason: "expired" };
  const data = schema.safeParse(envelope.d);
  return data.success ? { ok: true, payload: data.data } : { ok: false, reason: "malformed" };
}
