import { etagMatches } from "~/lib/etag";

/**
 * HTTP Range for file downloads (RFC 9110 §14). One byte range is served as 206; a range that
 * cannot be satisfied is 416. A multi-range request (`bytes=0-9,20-29`) is answered with the
 * whole file (200): the RFC allows ignoring Range, and multipart/byteranges would need the body
 * assembled from several R2 reads for no real client benefit (download managers ask for one).
 */
export type ByteRange = { offset: number; length: number };

export type RangeDecision =
  { kind: "full" } | { kind: "partial"; range: ByteRange } | { kind: "unsatisfiable" };

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/;

/**
 * A position from a Range header: digits only (the regex made sure), so a value too large for
 * a safe integer is simply "beyond any file" — not an error (RFC 9110 §14.1.1: a last-pos past
 * the end means "to the end").
 */
const position = (digits: string) => {
  const value = Number(digits);
  return Number.isSafeInteger(value) ? value : Number.POSITIVE_INFINITY;
};

export function parseRange(header: string | null, size: number): RangeDecision {
  if (header === null) return { kind: "full" };
  const value = header.trim().replace(/\s+/g, "");
  if (!value.startsWith("bytes=") || value.includes(",")) return { kind: "full" };
  const match = SINGLE_RANGE.exec(value);
  if (!match) return { kind: "full" };
  const [, first, last] = match as unknown as [string, string, string];
  if (first === "" && last === "") return { kind: "full" };

  if (first === "") {
    // Suffix range: the last N bytes.
    const suffix = position(last);
    if (suffix === 0 || size === 0) {
      return { kind: "unsatisfiable" };
    }
    const length = Math.min(suffix, size);
    return { kind: "partial", range: { offset: size - length, length } };
  }

  const start = position(first);
  if (start >= size) return { kind: "unsatisfiable" };
  let end = last === "" ? size - 1 : position(last);
  if (end < start) return { kind: "full" };
  end = Math.min(end, size - 1);
  return { kind: "partial", range: { offset: start, length: end - start + 1 } };
}

export const contentRange = (range: ByteRange, size: number) =>
  `bytes ${range.offset}-${range.offset + range.length - 1}/${size}`;

/**
 * `If-Range`: the Range applies only while the client's copy is current. A strong ETag must
 * match exactly; a date must not be older than the object's last change. Anything else (a weak
 * tag, garbage) means "send the whole file".
 */
export function ifRangeHolds(header: string | null, etag: string, uploaded: Date): boolean {
  if (header === null) return true;
  const value = header.trim();
  if (value.startsWith('"')) return value === etag;
  if (value.startsWith("W/")) return false;
  const date = Date.parse(value);
  return Number.isFinite(date) && Math.floor(uploaded.getTime() / 1000) * 1000 <= date;
}

/** The conditional headers of a GET or HEAD of a file. */
export interface FileRequestConditions {
  range: string | null;
  ifNoneMatch: string | null;
  ifRange: string | null;
}

/**
 * What a request for a file gets, from its conditional headers: nothing new (the client's copy
 * is current), nothing at all (a range past the end), or bytes, the whole file or one range.
 * Only "bytes" sends anything, so only "bytes" can count as a download.
 */
export type FileAnswer =
  | { kind: "not-modified" }
  | { kind: "unsatisfiable" }
  | { kind: "bytes"; range: ByteRange | null; length: number };

export function answerFileRequest(
  conditions: FileRequestConditions,
  file: { etag: string; uploaded: Date; size: number },
): FileAnswer {
  if (etagMatches(conditions.ifNoneMatch, file.etag)) return { kind: "not-modified" };
  const decision = ifRangeHolds(conditions.ifRange, file.etag, file.uploaded)
    ? parseRange(conditions.range, file.size)
    : ({ kind: "full" } as const);
  switch (decision.kind) {
    case "unsatisfiable":
      return { kind: "unsatisfiable" };
    case "partial":
      return { kind: "bytes", range: decision.range, length: decision.range.length };
    case "full":
      return { kind: "bytes", range: null, length: file.size };
  }
}
