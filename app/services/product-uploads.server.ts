import { createId } from "@paralleldrive/cuid2";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "#db/client";
import { auditLogs, digitalProducts } from "#db/schema";
import { can } from "~/domain/auth/permissions";
import { mediaUrl } from "~/domain/catalog/media";
import {
  checkDeclaredSize,
  checkUploadType,
  MAX_PREVIEWS,
  safeFileName,
  SNIFF_BYTES,
  sniffImageType,
  UPLOAD_RULES,
  uploadKey,
  type UploadKind,
  type UploadRefusalReason,
} from "~/domain/catalog/upload-rules";
import { isRefusalError, refuse, RefusalError, type Refusal } from "~/domain/refusal";
import { bytesToHex } from "~/lib/encoding";
import { auditStatement, type AuditActor, type AuditRequestInfo } from "./audit.server";
import { insertWhen } from "./conditional-insert.server";

/**
 * Product uploads, streamed into R2 (issue 4, item 1; docs/architecture.md §7). The request body goes
 * through one TransformStream that counts the bytes (never more than declared), checks an
 * image's first bytes and feeds a SHA-256 DigestStream, then through a FixedLengthStream into
 * `R2Bucket.put`: the Worker never holds more than a chunk of the file.
 *
 * Replacing is safe in every order of failure: the new object gets a new random key; the row
 * moves to it in one batch with its audit row, and only if it still points at the object we
 * replaced; only then is the old object deleted. A refused, aborted or oversized upload
 * deletes whatever it may have written and leaves the row and the old object alone.
 */

export interface UploadDeps {
  db: Database;
  files: R2Bucket;
}

export interface UploadInput {
  actor: AuditActor;
  productId: string;
  kind: UploadKind;
  /** The name the browser gave the file (sanitised here). */
  fileName: string;
  /** The request's `Content-Type`: what the browser says the file is. */
  contentType: string | null;
  /** The request's `Content-Length`, as sent. */
  contentLength: string | null;
  /**
   * Optional `X-Content-SHA256` (hex) computed by the client: R2 then verifies the stored
   * bytes against it and keeps it as the object's `sha256` metadata.
   */
  declaredSha256?: string | null;
  body: ReadableStream<Uint8Array> | null;
  now: Date;
  request: AuditRequestInfo;
}

/**
 * Why an upload was refused. The route turns them into statuses; the upload contract answers
 * 411, 413 and 415 for `length-required`, `too-large` and `unsupported-type`.
 */
export type UploadRefusal = Refusal<
  | UploadRefusalReason
  | "forbidden"
  | "unnamed"
  | "bad-checksum-header"
  | "no-body"
  | "not-found"
  | "previews-full"
  | "incomplete"
  | "interrupted"
  | "damaged"
  | "replaced-meanwhile"
>;

export type UploadResult =
  | {
      ok: true;
      kind: UploadKind;
      key: string;
      fileName: string;
      size: number;
      contentType: string;
      sha256: string;
      /** The public URL of a thumbnail or preview; null for the private product file. */
      url: string | null;
      /** The object this upload replaced (already deleted), if any. */
      replacedKey: string | null;
    }
  | UploadRefusal;

const previewsFull = () =>
  refuse(
    "conflict",
    "previews-full",
    `A product has at most ${MAX_PREVIEWS} previews. Remove one first.`,
  );
const damaged = () =>
  refuse("invalid", "damaged", "The file arrived damaged (its SHA-256 doesn't match).");

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.byteLength + b.byteLength);
  joined.set(a, 0);
  joined.set(b, a.byteLength);
  return joined;
}

/**
 * The inspecting stage of the pipe: counts bytes against the declared length, sniffs an
 * image's magic bytes (holding back at most SNIFF_BYTES until it can), and writes every chunk
 * to the digest. It errors the pipe with a `RefusalError`; the caller returns its refusal.
 */
function inspectingStream(options: {
  declaredSize: number;
  expectImage: string | null;
  label: string;
  digest: WritableStreamDefaultWriter<ArrayBuffer | ArrayBufferView>;
}) {
  let received = 0;
  let held: Uint8Array | null = options.expectImage ? new Uint8Array(0) : null;
  const checkImage = (head: Uint8Array) => {
    if (sniffImageType(head) !== options.expectImage) {
      throw new RefusalError(
        refuse(
          "invalid",
          "unsupported-type",
          `This file isn't really a ${options.expectImage?.replace("image/", "").toUpperCase()} image.`,
        ),
      );
    }
  };
  const pass = async (
    chunk: Uint8Array,
    controller: TransformStreamDefaultController<Uint8Array>,
  ) => {
    await options.digest.write(chunk);
    controller.enqueue(chunk);
  };
  return new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      received += chunk.byteLength;
      if (received > options.declaredSize) {
        throw new RefusalError(
          refuse(
            "invalid",
            "too-large",
            `The ${options.label} is larger than its declared size of ${options.declaredSize} bytes.`,
          ),
        );
      }
      if (held) {
        held = concat(held, chunk);
        if (held.byteLength < SNIFF_BYTES && received < options.declaredSize) return;
        checkImage(held);
        const first = held;
        held = null;
        await pass(first, controller);
        return;
      }
      await pass(chunk, controller);
    },
    async flush(controller) {
      if (held) {
        checkImage(held);
        await pass(held, controller);
        held = null;
      }
      if (received !== options.declaredSize) {
        throw new RefusalError(
          refuse(
            "invalid",
            "incomplete",
            `The upload ended after ${received} of ${options.declaredSize} bytes. Try again.`,
          ),
        );
      }
      await options.digest.close();
    },
  });
}

interface CurrentMedia {
  fileKey: string | null;
  thumbnailKey: string | null;
  previewKeys: string[];
}

export async function storeProductUpload(
  deps: UploadDeps,
  input: UploadInput,
): Promise<UploadResult> {
  const { db, files } = deps;
  const { actor, productId, kind, now } = input;
  const rule = UPLOAD_RULES[kind];

  if (!can(actor.role, "products:manage")) {
    return refuse("forbidden", "forbidden", "Your role can't upload product files.");
  }
  const fileName = safeFileName(input.fileName);
  if (!fileName) {
    return refuse("invalid", "unnamed", "The file needs a name (for example starter-kit.zip).");
  }
  const type = checkUploadType(kind, fileName, input.contentType);
  if (!type.ok) return type;
  const size = checkDeclaredSize(kind, input.contentLength);
  if (!size.ok) return size;
  const declaredSha256 = input.declaredSha256?.trim().toLowerCase() || null;
  if (declaredSha256 !== null && !/^[0-9a-f]{64}$/.test(declaredSha256)) {
    return refuse(
      "invalid",
      "bad-checksum-header",
      "X-Content-SHA256 must be 64 hexadecimal characters.",
    );
  }
  if (!input.body) return refuse("invalid", "no-body", "The upload has no body.");

  const [product] = await db
    .select({
      fileKey: digitalProducts.fileKey,
      thumbnailKey: digitalProducts.thumbnailKey,
      previewKeys: digitalProducts.previewKeys,
    })
    .from(digitalProducts)
    .where(eq(digitalProducts.id, productId))
    .limit(1);
  if (!product) return refuse("not-found", "not-found", "There is no such product.");
  if (kind === "preview" && product.previewKeys.length >= MAX_PREVIEWS) return previewsFull();

  const key = uploadKey(kind, productId, createId(), fileName);
  let sha256: string;
  try {
    sha256 = await streamToR2(files, key, input.body, {
      size: size.size,
      contentType: type.contentType,
      fileName,
      expectImage: rule.sniffImage ? type.contentType : null,
      label: rule.label,
      declaredSha256,
      uploadedBy: actor.id,
      now,
    });
  } catch (error) {
    await files.delete(key).catch(() => undefined);
    if (isRefusalError(error)) return error.refusal as UploadRefusal;
    throw error;
  }

  const committed = await commitUpload(db, {
    ...input,
    product,
    key,
    fileName,
    size: size.size,
    contentType: type.contentType,
    sha256,
  });
  if (!committed.ok) {
    await files.delete(key);
    return committed;
  }
  // Only now, with the row pointing at the new object, may the old one go.
  if (committed.replacedKey) await files.delete(committed.replacedKey);

  return {
    ok: true,
    kind,
    key,
    fileName,
    size: size.size,
    contentType: type.contentType,
    sha256,
    url: kind === "file" ? null : mediaUrl(key),
    replacedKey: committed.replacedKey,
  };
}

/** Stream `body` into R2 under `key`; resolves with the SHA-256 (hex) of what was stored. */
async function streamToR2(
  files: R2Bucket,
  key: string,
  body: ReadableStream<Uint8Array>,
  options: {
    size: number;
    contentType: string;
    fileName: string;
    expectImage: string | null;
    label: string;
    declaredSha256: string | null;
    uploadedBy: string;
    now: Date;
  },
): Promise<string> {
  // workerd's streaming digest; the Node typings on `crypto` don't know it.
  const { DigestStream: Digest } = crypto as unknown as { DigestStream: typeof DigestStream };
  const digest = new Digest("SHA-256");
  const digestWriter = digest.getWriter();
  const fixed = new FixedLengthStream(options.size);
  let refusal: RefusalError | null = null;
  const inspect = inspectingStream({
    declaredSize: options.size,
    expectImage: options.expectImage,
    label: options.label,
    digest: digestWriter,
  });

  const piping = body
    .pipeThrough(inspect)
    .pipeTo(fixed.writable)
    .catch((error: unknown) => {
      if (isRefusalError(error)) refusal = error;
      throw error;
    });
  const customMetadata: Record<string, string> = {
    uploadedBy: options.uploadedBy,
    uploadedAt: options.now.toISOString(),
    originalName: options.fileName,
  };
  if (options.declaredSha256) customMetadata.sha256 = options.declaredSha256;
  const putting = files.put(key, fixed.readable, {
    httpMetadata: {
      contentType: options.contentType,
      ...(options.expectImage
        ? {}
        : { contentDisposition: `attachment; filename="${options.fileName}"` }),
    },
    customMetadata,
    ...(options.declaredSha256 ? { sha256: options.declaredSha256 } : {}),
  });

  const [piped, put] = await Promise.allSettled([piping, putting]);
  if (refusal) throw refusal;
  if (piped.status === "rejected") {
    throw new RefusalError(
      refuse("invalid", "interrupted", "The upload was interrupted. Try again."),
    );
  }
  if (put.status === "rejected") {
    const message = String((put.reason as Error | undefined)?.message ?? put.reason);
    if (options.declaredSha256 && /checksum|sha-?256|digest/i.test(message)) {
      throw new RefusalError(damaged());
    }
    throw put.reason;
  }
  const sha256 = bytesToHex(new Uint8Array(await digest.digest));
  if (options.declaredSha256 && sha256 !== options.declaredSha256) {
    throw new RefusalError(damaged());
  }
  return sha256;
}

/**
 * Point the product at the stored object, with its audit row, in one batch, and only if the
 * row still points where it did when the upload began (two editors replacing the same file
 * at once: one wins, the other's object is deleted and they are told).
 */
async function commitUpload(
  db: Database,
  input: UploadInput & {
    product: CurrentMedia;
    key: string;
    fileName: string;
    size: number;
    contentType: string;
    sha256: string;
  },
): Promise<{ ok: true; replacedKey: string | null } | UploadRefusal> {
  const { productId, kind, key, product, now } = input;
  const samePointer = (
    column: typeof digitalProducts.fileKey | typeof digitalProducts.thumbnailKey,
    value: string | null,
  ) => (value === null ? isNull(column) : eq(column, value));

  let update;
  let replacedKey: string | null = null;
  let applied;
  if (kind === "file") {
    replacedKey = product.fileKey;
    update = db
      .update(digitalProducts)
      .set({
        fileKey: key,
        fileName: input.fileName,
        fileSizeBytes: input.size,
        fileContentType: input.contentType,
        fileSha256: input.sha256,
        updatedAt: now,
      })
      .where(
        and(
          eq(digitalProducts.id, productId),
          samePointer(digitalProducts.fileKey, product.fileKey),
        ),
      );
    applied = sql`exists (select 1 from "digital_products" where "id" = ${productId} and "file_key" = ${key})`;
  } else if (kind === "thumbnail") {
    replacedKey = product.thumbnailKey;
    update = db
      .update(digitalProducts)
      .set({ thumbnailKey: key, updatedAt: now })
      .where(
        and(
          eq(digitalProducts.id, productId),
          samePointer(digitalProducts.thumbnailKey, product.thumbnailKey),
        ),
      );
    applied = sql`exists (select 1 from "digital_products" where "id" = ${productId} and "thumbnail_key" = ${key})`;
  } else {
    update = db
      .update(digitalProducts)
      .set({
        previewKeys: sql`json_insert(${digitalProducts.previewKeys}, '$[#]', ${key})`,
        updatedAt: now,
      })
      .where(
        and(
          eq(digitalProducts.id, productId),
          sql`json_array_length(${digitalProducts.previewKeys}) < ${MAX_PREVIEWS}`,
        ),
      );
    applied = sql`exists (select 1 from "digital_products", json_each("digital_products"."preview_keys") as p where "digital_products"."id" = ${productId} and p.value = ${key})`;
  }

  const audit = auditStatement(db, {
    actor: input.actor,
    action: kind === "file" ? "PRODUCT_FILE_UPLOADED" : "PRODUCT_MEDIA_UPDATED",
    entityType: "product",
    entityId: productId,
    metadata: {
      kind,
      fileName: input.fileName,
      size: input.size,
      contentType: input.contentType,
      sha256: input.sha256,
      object: key,
      replaced: replacedKey,
    },
    request: input.request,
    at: now,
  });
  const [changed] = await db.batch([
    update.returning({ id: digitalProducts.id }),
    insertWhen(db, auditLogs, audit, applied),
  ]);
  if (changed.length === 0) {
    return kind === "preview"
      ? previewsFull()
      : refuse(
          "conflict",
          "replaced-meanwhile",
          "Someone else changed this file at the same time. Reload the page and try again.",
        );
  }
  return { ok: true, replacedKey };
}
