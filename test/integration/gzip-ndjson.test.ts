import { env } from "cloudflare:test";
import { createId } from "@paralleldrive/cuid2";
import { describe, expect, it } from "vitest";
import { bytesToBase64 } from "~/lib/encoding";
import {
  digestObject,
  GzipNdjsonWriter,
  MIN_PART_SIZE,
  readGzipNdjson,
} from "~/services/gzip-ndjson.server";

/** The streamed gzip NDJSON objects backups (and the audit archive) write to R2. */

const files = env.FILES;
const key = () => `backups/test-${createId()}/table.ndjson.gz`;

/** Lines that do not compress: random bytes, base64. */
function randomLines(count: number, bytes: number) {
  return Array.from({ length: count }, (_, n) => {
    const noise = crypto.getRandomValues(new Uint8Array(bytes));
    return { n, noise: bytesToBase64(noise), text: 'ünïcode "quoted"\nnew line' };
  });
}

async function readAll(objectKey: string) {
  const object = await files.get(objectKey);
  const lines: unknown[] = [];
  for await (const line of readGzipNdjson(object!.body)) lines.push(line);
  return lines;
}

describe("GzipNdjsonWriter", () => {
  it("streams an object larger than a part as a multipart upload, hashed on the way", async () => {
    const objectKey = key();
    const lines = randomLines(4_000, 2_000);
    const writer = new GzipNdjsonWriter(files, objectKey);
    for (let start = 0; start < lines.length; start += 500) {
      await writer.write(lines.slice(start, start + 500));
    }
    const written = await writer.close();
    expect(written.rows).toBe(lines.length);
    expect(written.bytes).toBeGreaterThan(MIN_PART_SIZE);
    const digest = await digestObject(files, objectKey);
    expect(digest).toMatchObject({ bytes: written.bytes, sha256: written.sha256 });
    // A multipart object's ETag ends in the number of parts.
    expect(digest!.etag).toMatch(/-2$/);
    expect(await readAll(objectKey)).toEqual(lines);
  });

  it("puts a small object in one request that R2 verifies against its SHA-256", async () => {
    const objectKey = key();
    const writer = new GzipNdjsonWriter(files, objectKey);
    await writer.write([{ a: 1 }, { b: null }, "text", 42]);
    await writer.write([]);
    const written = await writer.close();
    expect(written.rows).toBe(4);
    const head = await files.head(objectKey);
    const sha256 = head!.checksums.toJSON().sha256;
    expect(sha256).toBe(written.sha256);
    expect(head!.httpMetadata).toMatchObject({
      contentType: "application/x-ndjson",
      contentEncoding: "gzip",
    });
    expect(await readAll(objectKey)).toEqual([{ a: 1 }, { b: null }, "text", 42]);
  });

  it("writes nothing when aborted midway", async () => {
    const objectKey = key();
    const writer = new GzipNdjsonWriter(files, objectKey);
    await writer.write(randomLines(3_000, 2_000));
    await writer.abort(new Error("stop"));
    expect(await files.head(objectKey)).toBeNull();
    await expect(writer.write([{ late: true }])).rejects.toThrow("stop");
  });

  it("an empty object still reads back as no lines", async () => {
    const objectKey = key();
    const written = await new GzipNdjsonWriter(files, objectKey).close();
    expect(written).toMatchObject({ rows: 0 });
    expect(await readAll(objectKey)).toEqual([]);
  });
});
