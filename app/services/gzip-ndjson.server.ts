import { createHash } from "node:crypto";

/**
 * Gzip NDJSON objects in R2, written and read as streams (ADR 0008): backups write one per
 * table, the audit archive one per day. The writer never holds more than one multipart part
 * (plus the chunk being written): lines go through a `CompressionStream`, the compressed
 * bytes fill a part buffer that is uploaded when full, and a SHA-256 of the compressed bytes is
 * computed on the way (`node:crypto`, which workerd's nodejs_compat and Node both have, so the
 * same code runs in the Worker and in the CLIs).
 *
 * R2's multipart rules: every part but the last has the same size, at least 5 MiB; the last
 * is no larger. An object that never fills one part is a single `put` with its SHA-256, which
 * R2 verifies on arrival.
 */

/** R2's smallest multipart part, and the part size used unless a test asks for smaller. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;

export interface WrittenObject {
  key: string;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface GzipNdjsonWriterOptions {
  /** Bytes per multipart part (tests use less than R2's 5 MiB; local R2 allows it in tests). */
  partSize?: number;
}

const HTTP_METADATA = { contentType: "application/x-ndjson", contentEncoding: "gzip" };
const encoder = new TextEncoder();

export class GzipNdjsonWriter {
  private readonly compressor = new CompressionStream("gzip");
  private readonly input = this.compressor.writable.getWriter();
  private readonly hash = createHash("sha256");
  private readonly partSize: number;
  private part: Uint8Array;
  private filled = 0;
  private upload: R2MultipartUpload | null = null;
  private readonly uploaded: R2UploadedPart[] = [];
  private rows = 0;
  private bytes = 0;
  private failure: unknown = null;
  private readonly pumped: Promise<void>;

  constructor(
    private readonly bucket: R2Bucket,
    readonly key: string,
    options: GzipNdjsonWriterOptions = {},
  ) {
    this.partSize = options.partSize ?? MIN_PART_SIZE;
    this.part = new Uint8Array(this.partSize);
    this.pumped = this.pump();
  }

  /** Append one line per value. Resolves once the compressor has taken the bytes. */
  async write(values: readonly unknown[]): Promise<void> {
    this.throwIfFailed();
    if (values.length === 0) return;
    let text = "";
    for (const value of values) text += `${JSON.stringify(value)}\n`;
    await this.input.ready;
    await this.input.write(encoder.encode(text));
    this.rows += values.length;
  }

  /** Finish the object: flush the compressor, upload the last part, complete the upload. */
  async close(): Promise<WrittenObject> {
    this.throwIfFailed();
    await this.input.close();
    await this.pumped;
    this.throwIfFailed();
    const sha256 = this.hash.digest("hex");
    const rest = this.part.subarray(0, this.filled);
    if (this.upload) {
      if (rest.byteLength > 0) await this.uploadPart(rest);
      await this.upload.complete(this.uploaded);
    } else {
      await this.bucket.put(this.key, rest, { httpMetadata: HTTP_METADATA, sha256 });
    }
    return { key: this.key, rows: this.rows, bytes: this.bytes, sha256 };
  }

  /** Give up: the compressor is cancelled and an open multipart upload aborted. */
  async abort(reason?: unknown): Promise<void> {
    this.failure ??= reason ?? new Error("aborted");
    await this.input.abort(this.failure).catch(() => {});
    await this.pumped.catch(() => {});
    await this.upload?.abort().catch(() => {});
  }

  private throwIfFailed() {
    if (this.failure) throw this.failure;
  }

  /** Drain the compressor into part-sized buffers; runs for the writer's whole life. */
  private async pump(): Promise<void> {
    const reader = this.compressor.readable.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        this.hash.update(value);
        this.bytes += value.byteLength;
        let offset = 0;
        while (offset < value.byteLength) {
          const take = Math.min(this.partSize - this.filled, value.byteLength - offset);
          this.part.set(value.subarray(offset, offset + take), this.filled);
          this.filled += take;
          offset += take;
          if (this.filled === this.partSize) {
            await this.uploadPart(this.part);
            this.part = new Uint8Array(this.partSize);
            this.filled = 0;
          }
        }
      }
    } catch (error) {
      this.failure ??= error;
      // Unblock a writer waiting on backpressure: its write now rejects.
      await reader.cancel(error).catch(() => {});
    }
  }

  private async uploadPart(bytes: Uint8Array) {
    this.upload ??= await this.bucket.createMultipartUpload(this.key, {
      httpMetadata: HTTP_METADATA,
    });
    this.uploaded.push(await this.upload.uploadPart(this.uploaded.length + 1, bytes));
  }
}

/** Every line of a gzip NDJSON body, parsed, in order, without holding more than a chunk. */
export async function* readGzipNdjson(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  for await (const line of readGzipNdjsonLines(body)) yield JSON.parse(line);
}

/** Every non-empty line of a gzip NDJSON body as text (for callers that pass JSON on as is). */
export async function* readGzipNdjsonLines(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<string> {
  // The DOM and workers typings disagree on DecompressionStream's writable side.
  const gunzip = new DecompressionStream("gzip") as unknown as TransformStream<
    Uint8Array,
    Uint8Array
  >;
  const reader = body.pipeThrough(gunzip).getReader();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let pending = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      pending += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let start = 0;
      for (
        let newline = pending.indexOf("\n");
        newline >= 0;
        newline = pending.indexOf("\n", start)
      ) {
        const line = pending.slice(start, newline);
        if (line) yield line;
        start = newline + 1;
      }
      pending = pending.slice(start);
      if (done) break;
    }
    if (pending) yield pending;
  } finally {
    // A consumer that stops early (an error, a mismatch) must not leave the stream open.
    await reader.cancel().catch(() => {});
  }
}

export interface ObjectDigest {
  bytes: number;
  sha256: string;
  etag: string;
}

/** Size, SHA-256 and ETag of an object, streamed; null when there is no such object. */
export async function digestObject(bucket: R2Bucket, key: string): Promise<ObjectDigest | null> {
  const object = await bucket.get(key);
  if (!object) return null;
  const hash = createHash("sha256");
  let bytes = 0;
  const reader = object.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    hash.update(value);
    bytes += value.byteLength;
  }
  return { bytes, sha256: hash.digest("hex"), etag: object.etag };
}
