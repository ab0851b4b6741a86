import { isPublicImageType, isPublicMediaKey } from "~/domain/catalog/media";
import { etagMatches } from "~/lib/etag.server";

export type PublicImage =
  | { status: "found"; body: ReadableStream; contentType: string; etag: string; size: number }
  | { status: "not-modified"; etag: string }
  | { status: "not-found" };

/**
 * A thumbnail or preview from R2, streamed. Anything outside the public prefixes, and any
 * object that is not a raster image, is "not found": the answer never reveals that a
 * private object exists.
 *
 * The metadata is read first (`head`), so a refused type or a 304 never opens the object's
 * body; only an image that will be sent is fetched. Public images sit behind a day-long
 * edge cache, so the second R2 read is rare.
 */
export async function getPublicImage(
  files: R2Bucket,
  key: string,
  ifNoneMatch: string | null,
): Promise<PublicImage> {
  if (!isPublicMediaKey(key)) return { status: "not-found" };
  const head = await files.head(key);
  const contentType = head?.httpMetadata?.contentType;
  if (!head || !contentType || !isPublicImageType(contentType)) return { status: "not-found" };
  if (etagMatches(ifNoneMatch, head.httpEtag)) {
    return { status: "not-modified", etag: head.httpEtag };
  }
  const object = await files.get(key);
  if (!object) return { status: "not-found" };
  return {
    status: "found",
    body: object.body,
    contentType,
    etag: object.httpEtag,
    size: object.size,
  };
}
