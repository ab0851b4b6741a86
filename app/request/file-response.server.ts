import { contentRange } from "~/domain/downloads/range";
import type { DownloadDelivery } from "~/services/downloads/deliver.server";

/**
 * A delivered download as an HTTP response (RFC 9110): 304 for a current copy, 416 for a range
 * past the end, 206 for one range, 200 for the whole file. R2's stream goes into the Response
 * untouched, so the file is never held in memory. Private: never stored by any cache.
 */
export function fileResponse(delivery: Extract<DownloadDelivery, { ok: true }>): Response {
  const { file, answer } = delivery;
  const headers = new Headers({
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
    "Accept-Ranges": "bytes",
    ETag: file.etag,
    "Last-Modified": file.lastModified.toUTCString(),
  });
  switch (answer.kind) {
    case "not-modified":
      return new Response(null, { status: 304, headers });
    case "unsatisfiable":
      headers.set("Content-Range", `bytes */${file.size}`);
      return new Response(null, { status: 416, headers });
    case "bytes":
      headers.set("Content-Type", file.contentType);
      headers.set("Content-Disposition", attachmentDisposition(file.fileName));
      headers.set("Content-Length", String(answer.length));
      if (answer.range) headers.set("Content-Range", contentRange(answer.range, file.size));
      return new Response(delivery.body, { status: answer.range ? 206 : 200, headers });
  }
}

/** `attachment; filename="…"` with an ASCII fallback and the exact name in RFC 5987 form. */
export function attachmentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
