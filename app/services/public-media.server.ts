import { isPublicImageType, isPublicMediaKey } from "~/domain/catalog/media";
import { refuse, type Result } from "~/domain/refusal";
import { etagMatches } from "~/lib/etag";

export type PublicImage = Result<
  | { unchanged: true; etag: string }
  | { unchanged: false; body: ReadableStream; contentType: string; etag: string; size: number },
  "no-such-image"
>;

const NO_SUCH_IMAGE = refuse("not-found", "no-such-image", "Not found");

/**
 * A thumbnail or preview from R2, streamed. Anything outside the public prefixes, and any
 * object that is not a raster image, is "not found": the answer never reveals that a
 * private object exists.
 *
 * The metadata is read first (`head`), so a refused type or an unchanged copy never opens the
 * object's body; only an image that will be sent is fetched. Public images sit behind a
 * day-long edge cache, so the second R2 read is rare.
 */
export async function getPublicImage(
  files: R2Bucket,
  key: string,
  ifNoneMatch: string | null,
): Promise<PublicImage> {
  if (!isPublicMediaKey(key)) return NO_SUCH_IMAGE;
  const head = await files.head(key);
  const contentType = head?.httpMetadata?.contentType;
  if (!head || !contentType || !isPublicImageType(contentType)) return NO_SUCH_IMAGE;
  if (etagMatches(ifNoneMatch, head.httpEtag)) {
    return { ok: true, unchanged: true, etag: head.httpEtag };
  }
  const object = await files.get(key);
  if (!object) return NO_SUCH_IMAGE;
  return {
    ok: true,
    unchanged: false,
    body: object.body,
    contentType,
    etag: object.httpEtag,
    size: object.size,
  };
}
