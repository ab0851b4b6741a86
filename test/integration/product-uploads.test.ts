import { env } from "cloudflare:test";
import { SELF } from "../helpers/worker";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { auditLogs, digitalProducts, type UserRole } from "#db/schema";
import { MAX_PREVIEWS } from "~/domain/catalog/upload-rules";
import { bytesToHex } from "~/lib/encoding";
import { parseEnv } from "~/lib/env.server";
import { storeProductUpload } from "~/services/product-uploads.server";
import { createProduct, createUser } from "../factories";
import { ORIGIN, postForm, sessionCookieFor } from "../helpers/session";

/**
 * Streamed product uploads (issue 4, item 1): through the built Worker, into the test R2
 * bucket, with the D1 row and audit trail checked after every answer.
 */

const db = createDb(env.DB);
const appEnv = parseEnv(env);
const request = { ipHash: null, userAgent: "Vitest", requestId: "req-uploads" };

const PNG_HEAD = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Bytes that start like a PNG (the sniffer reads only the header). */
function pngBytes(size = 2048): Uint8Array<ArrayBuffer> {
  const bytes = randomBytes(size);
  bytes.set(PNG_HEAD, 0);
  return bytes;
}

function randomBytes(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += 65_536) {
    crypto.getRandomValues(bytes.subarray(offset, Math.min(size, offset + 65_536)));
  }
  return bytes;
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return bytesToHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}

async function staffCookie(role: UserRole): Promise<{ id: string; cookie: string }> {
  const user = await createUser(
    db,
    { role, twoFactorSecret: "JBSWY3DPEHPK3PXP" },
    { encryptionKeys: appEnv.encryptionKeys },
  );
  return { id: user.id, cookie: await sessionCookieFor(user.id, { twoFactorVerified: true }) };
}

let editor: { id: string; cookie: string };
beforeAll(async () => {
  editor = await staffCookie("EDITOR");
});

/** A draft product without a file (the factory's file is removed from the row). */
async function draftProduct() {
  const product = await createProduct(
    { db, files: env.FILES },
    { status: "DRAFT", publishedAt: null },
  );
  await env.FILES.delete(product.fileKey!);
  await db
    .update(digitalProducts)
    .set({
      fileKey: null,
      fileName: null,
      fileSizeBytes: null,
      fileContentType: null,
      fileSha256: null,
    })
    .where(eq(digitalProducts.id, product.id));
  return product;
}

function upload(
  productId: string,
  kind: string,
  body: Uint8Array<ArrayBuffer>,
  options: {
    name: string;
    type: string;
    cookie?: string;
    origin?: string;
    headers?: Record<string, string>;
  },
) {
  return SELF.fetch(
    `${ORIGIN}/admin/products/${productId}/uploads/${kind}?${new URLSearchParams({ name: options.name })}`,
    {
      method: "POST",
      body,
      redirect: "manual",
      headers: {
        Origin: options.origin ?? ORIGIN,
        "X-Forwarded-Host": new URL(ORIGIN).host,
        "Content-Type": options.type,
        ...(options.cookie === undefined
          ? { Cookie: editor.cookie }
          : options.cookie
            ? { Cookie: options.cookie }
            : {}),
        ...options.headers,
      },
    },
  );
}

async function productRow(id: string) {
  const [row] = await db.select().from(digitalProducts).where(eq(digitalProducts.id, id));
  return row!;
}

async function objectsUnder(prefix: string): Promise<string[]> {
  const listed = await env.FILES.list({ prefix });
  return listed.objects.map((object) => object.key);
}

async function productAudit(id: string) {
  return db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.entityType, "product"), eq(auditLogs.entityId, id)));
}

interface UploadAnswer {
  ok: boolean;
  error?: string;
  sha256?: string;
  size?: number;
  fileName?: string;
  url?: string | null;
}

describe("POST /admin/products/:id/uploads/file", () => {
  it("stores the exact bytes in R2 and records their SHA-256 with an audit row", async () => {
    const product = await draftProduct();
    const bytes = randomBytes(1_500_000);
    const response = await upload(product.id, "file", bytes, {
      name: "Starter Kit v1.zip",
      type: "application/zip",
    });
    expect(response.status).toBe(200);
    const answer = await response.json<UploadAnswer>();
    const expected = await sha256(bytes);
    expect(answer).toMatchObject({
      ok: true,
      sha256: expected,
      size: bytes.byteLength,
      fileName: "Starter-Kit-v1.zip",
      url: null,
    });

    const row = await productRow(product.id);
    expect(row.fileKey).toMatch(
      new RegExp(`^products/${product.id}/[a-z0-9]+-Starter-Kit-v1\\.zip$`),
    );
    expect(row).toMatchObject({
      fileName: "Starter-Kit-v1.zip",
      fileSizeBytes: bytes.byteLength,
      fileContentType: "application/zip",
      fileSha256: expected,
    });
    const stored = await env.FILES.get(row.fileKey!);
    expect(stored).not.toBeNull();
    const storedBytes = new Uint8Array(await stored!.arrayBuffer());
    expect(storedBytes.byteLength).toBe(bytes.byteLength);
    expect(await sha256(storedBytes)).toBe(expected);
    // Byte by byte (a deep toEqual over 1.5 MB is needlessly slow).
    expect(storedBytes.every((byte, i) => byte === bytes[i])).toBe(true);
    expect(stored!.httpMetadata?.contentType).toBe("application/zip");

    const audit = await productAudit(product.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: "PRODUCT_FILE_UPLOADED",
      actorId: editor.id,
      metadata: expect.objectContaining({ sha256: expected, size: bytes.byteLength }),
    });
  });

  it("lets R2 verify a SHA-256 the browser declares, and keeps it as the object's metadata", async () => {
    const product = await draftProduct();
    const bytes = randomBytes(200_000);
    const digest = await sha256(bytes);
    const response = await upload(product.id, "file", bytes, {
      name: "kit.zip",
      type: "application/zip",
      headers: { "X-Content-SHA256": digest },
    });
    expect(response.status).toBe(200);
    const row = await productRow(product.id);
    const head = await env.FILES.head(row.fileKey!);
    expect(head?.customMetadata?.sha256).toBe(digest);
    expect(row.fileSha256).toBe(digest);
  });

  it("refuses bytes that don't match the declared SHA-256 and stores nothing", async () => {
    const product = await draftProduct();
    const response = await upload(product.id, "file", randomBytes(10_000), {
      name: "kit.zip",
      type: "application/zip",
      headers: { "X-Content-SHA256": "0".repeat(64) },
    });
    expect(response.status).toBe(400);
    expect((await response.json<UploadAnswer>()).error).toMatch(/SHA-256/);
    expect(await objectsUnder(`products/${product.id}/`)).toEqual([]);
    expect((await productRow(product.id)).fileKey).toBeNull();
    expect(await productAudit(product.id)).toEqual([]);
  });

  it("refuses a type that isn't on the allow-list with 415", async () => {
    const product = await draftProduct();
    const exe = await upload(product.id, "file", randomBytes(1000), {
      name: "setup.exe",
      type: "application/octet-stream",
    });
    expect(exe.status).toBe(415);
    const lying = await upload(product.id, "file", randomBytes(1000), {
      name: "kit.zip",
      type: "text/html",
    });
    expect(lying.status).toBe(415);
    expect((await lying.json<UploadAnswer>()).error).toMatch(/doesn't match/);
    expect(await objectsUnder(`products/${product.id}/`)).toEqual([]);
    expect((await productRow(product.id)).fileKey).toBeNull();
  });

  it("replaces the file: the old object stays until the new one is stored, then goes", async () => {
    const product = await draftProduct();
    const first = randomBytes(50_000);
    expect(
      (await upload(product.id, "file", first, { name: "v1.zip", type: "application/zip" })).status,
    ).toBe(200);
    const v1 = await productRow(product.id);

    // A failed replacement (the bytes don't match what the client declared): nothing moves.
    const failed = await upload(product.id, "file", randomBytes(60_000), {
      name: "v2.zip",
      type: "application/zip",
      headers: { "X-Content-SHA256": "f".repeat(64) },
    });
    expect(failed.status).toBe(400);
    expect(await productRow(product.id)).toEqual(v1);
    expect(await objectsUnder(`products/${product.id}/`)).toEqual([v1.fileKey]);
    expect(
      await sha256(new Uint8Array(await (await env.FILES.get(v1.fileKey!))!.arrayBuffer())),
    ).toBe(await sha256(first));

    // A stream that ends before its declared length: refused, nothing moves either.
    const short = await storeProductUpload(
      { db, files: env.FILES },
      {
        actor: { id: editor.id, role: "EDITOR" },
        productId: product.id,
        kind: "file",
        fileName: "v2.zip",
        contentType: "application/zip",
        contentLength: "100000",
        body: new Blob([randomBytes(40_000)]).stream(),
        now: new Date(),
        request,
      },
    );
    // The service says why; the route answers 400 for it (`invalid`).
    expect(short).toMatchObject({ ok: false, kind: "invalid", reason: "incomplete" });
    expect(await productRow(product.id)).toEqual(v1);
    expect(await objectsUnder(`products/${product.id}/`)).toEqual([v1.fileKey]);

    // A successful replacement: the row moves, then the old object is deleted.
    const second = randomBytes(70_000);
    const replaced = await upload(product.id, "file", second, {
      name: "v2.zip",
      type: "application/zip",
    });
    expect(replaced.status).toBe(200);
    const v2 = await productRow(product.id);
    expect(v2.fileKey).not.toBe(v1.fileKey);
    expect(v2.fileSha256).toBe(await sha256(second));
    expect(await objectsUnder(`products/${product.id}/`)).toEqual([v2.fileKey]);
    expect(await env.FILES.head(v1.fileKey!)).toBeNull();
    const audit = await productAudit(product.id);
    expect(audit.map((row) => row.action)).toEqual([
      "PRODUCT_FILE_UPLOADED",
      "PRODUCT_FILE_UPLOADED",
    ]);
    expect(
      audit.find((row) => (row.metadata as { replaced?: string }).replaced)?.metadata,
    ).toMatchObject({
      replaced: v1.fileKey,
      sha256: v2.fileSha256,
    });
  });

  it("refuses more bytes than the declared Content-Length (413) and stores nothing", async () => {
    const product = await draftProduct();
    const result = await storeProductUpload(
      { db, files: env.FILES },
      {
        actor: { id: editor.id, role: "EDITOR" },
        productId: product.id,
        kind: "file",
        fileName: "kit.zip",
        contentType: "application/zip",
        contentLength: "1000",
        body: new Blob([randomBytes(300_000)]).stream(),
        now: new Date(),
        request,
      },
    );
    // The service says why; the route answers 413 for `too-large`, as for a declared size.
    expect(result).toMatchObject({ ok: false, reason: "too-large" });
    expect(await objectsUnder(`products/${product.id}/`)).toEqual([]);
    expect((await productRow(product.id)).fileKey).toBeNull();
    expect(await productAudit(product.id)).toEqual([]);
  });
});

describe("POST /admin/products/:id/uploads/thumbnail and /preview", () => {
  it("refuses a thumbnail over the size limit with 413 before storing anything", async () => {
    const product = await draftProduct();
    const response = await upload(product.id, "thumbnail", pngBytes(5 * 1024 * 1024 + 1), {
      name: "huge.png",
      type: "image/png",
    });
    expect(response.status).toBe(413);
    expect((await response.json<UploadAnswer>()).error).toMatch(/limit is 5 MB/);
    expect(await objectsUnder(`thumbnails/${product.id}/`)).toEqual([]);
    expect((await productRow(product.id)).thumbnailKey).toBeNull();
    expect(await productAudit(product.id)).toEqual([]);
  });

  it("refuses an image whose first bytes aren't what its name and type say (415)", async () => {
    const product = await draftProduct();
    const gif = new TextEncoder().encode("GIF89a pretending to be a PNG, with more bytes after");
    const response = await upload(product.id, "thumbnail", gif, {
      name: "cover.png",
      type: "image/png",
    });
    expect(response.status).toBe(415);
    expect((await response.json<UploadAnswer>()).error).toMatch(/isn't really a PNG/);
    const html = new TextEncoder().encode("<html><script>alert(1)</script></html>");
    const asWebp = await upload(product.id, "preview", html, {
      name: "x.webp",
      type: "image/webp",
    });
    expect(asWebp.status).toBe(415);
    const svg = await upload(product.id, "preview", html, { name: "x.svg", type: "image/svg+xml" });
    expect(svg.status).toBe(415);
    expect(await objectsUnder(`thumbnails/${product.id}/`)).toEqual([]);
    expect(await objectsUnder(`previews/${product.id}/`)).toEqual([]);
    const row = await productRow(product.id);
    expect(row.thumbnailKey).toBeNull();
    expect(row.previewKeys).toEqual([]);
  });

  it("stores a thumbnail that the public media route then serves, replacing the old one", async () => {
    const product = await draftProduct();
    const first = pngBytes(4000);
    const response = await upload(product.id, "thumbnail", first, {
      name: "cover.png",
      type: "image/png",
    });
    expect(response.status).toBe(200);
    const answer = await response.json<UploadAnswer>();
    const row = await productRow(product.id);
    expect(row.thumbnailKey).toMatch(
      new RegExp(`^thumbnails/${product.id}/[a-z0-9]+-cover\\.png$`),
    );
    expect(answer.url).toBe(`/media/${row.thumbnailKey}`);
    const served = await SELF.fetch(`${ORIGIN}${answer.url}`);
    expect(served.status).toBe(200);
    expect(served.headers.get("Content-Type")).toBe("image/png");
    expect(await sha256(new Uint8Array(await served.arrayBuffer()))).toBe(await sha256(first));

    const jpeg = randomBytes(3000);
    jpeg.set([0xff, 0xd8, 0xff, 0xe0], 0);
    expect(
      (await upload(product.id, "thumbnail", jpeg, { name: "cover.jpg", type: "image/jpeg" }))
        .status,
    ).toBe(200);
    const after = await productRow(product.id);
    expect(after.thumbnailKey).toMatch(/-cover\.jpg$/);
    expect(await objectsUnder(`thumbnails/${product.id}/`)).toEqual([after.thumbnailKey]);
  });

  it(`adds up to ${MAX_PREVIEWS} previews and removes one (audited once, object deleted)`, async () => {
    const product = await draftProduct();
    const webp = () => {
      const bytes = randomBytes(1000);
      bytes.set([0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x45, 0x42, 0x50], 0);
      return bytes;
    };
    for (let i = 0; i < MAX_PREVIEWS; i++) {
      const response = await upload(product.id, "preview", webp(), {
        name: `shot-${i}.webp`,
        type: "image/webp",
      });
      expect(response.status).toBe(200);
    }
    const full = await upload(product.id, "preview", webp(), {
      name: "one-too-many.webp",
      type: "image/webp",
    });
    expect(full.status).toBe(409);
    const row = await productRow(product.id);
    expect(row.previewKeys).toHaveLength(MAX_PREVIEWS);
    expect(row.previewKeys[0]).toMatch(/-shot-0\.webp$/);

    const removed = row.previewKeys[2]!;
    const form = postForm(
      `/admin/products/${product.id}`,
      { intent: "remove-preview", key: removed },
      { cookie: editor.cookie },
    );
    const again = postForm(
      `/admin/products/${product.id}`,
      { intent: "remove-preview", key: removed },
      { cookie: editor.cookie },
    );
    const [first, second] = await Promise.all([
      SELF.fetch(`${ORIGIN}${form.path}`, form.init),
      SELF.fetch(`${ORIGIN}${again.path}`, again.init),
    ]);
    expect([first.status, second.status].sort()).toEqual([302, 404]);
    const after = await productRow(product.id);
    expect(after.previewKeys).toEqual(row.previewKeys.filter((key) => key !== removed));
    expect(await env.FILES.head(removed)).toBeNull();
    const audit = await productAudit(product.id);
    expect(
      audit.filter((entry) => (entry.metadata as { removed?: string }).removed === removed),
    ).toHaveLength(1);
  });
});

describe("who may upload", () => {
  it("refuses a cross-origin POST before it reaches the route", async () => {
    const product = await draftProduct();
    const response = await upload(product.id, "file", randomBytes(1000), {
      name: "kit.zip",
      type: "application/zip",
      origin: "https://evil.example",
    });
    expect(response.status).toBe(403);
    expect(await objectsUnder(`products/${product.id}/`)).toEqual([]);
    expect((await productRow(product.id)).fileKey).toBeNull();
  });

  for (const role of ["USER", "VIEWER", "MODERATOR"] as const) {
    it(`refuses a ${role} with 403 and stores nothing`, async () => {
      const product = await draftProduct();
      const who =
        role === "USER"
          ? { cookie: await sessionCookieFor((await createUser(db)).id) }
          : await staffCookie(role);
      const response = await upload(product.id, "file", randomBytes(1000), {
        name: "kit.zip",
        type: "application/zip",
        cookie: who.cookie,
      });
      expect(response.status).toBe(403);
      expect(await objectsUnder(`products/${product.id}/`)).toEqual([]);
      expect((await productRow(product.id)).fileKey).toBeNull();
    });
  }

  it("sends an anonymous visitor to log in", async () => {
    const product = await draftProduct();
    const response = await upload(product.id, "file", randomBytes(100), {
      name: "kit.zip",
      type: "application/zip",
      cookie: "",
    });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(/^\/login\?/);
  });
});
