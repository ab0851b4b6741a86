import { env } from "cloudflare:test";
import { createId } from "@paralleldrive/cuid2";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { auditLogs, digitalProducts } from "#db/schema";
import { uploadKey } from "~/domain/catalog/upload-rules";
import { sweepOrphanedMediaJob } from "~/jobs/sweep-orphaned-media";
import { parseEnv } from "~/lib/env.server";
import {
  MAX_AUDITED_KEYS,
  MediaSweepScopeError,
  ORPHAN_GRACE_MS,
  sweepOrphanedMedia,
} from "~/services/media-sweep.server";
import { buildProduct } from "../factories";

/**
 * The daily orphaned-media sweep against the test R2 bucket and D1. R2's `uploaded` date
 * can't be set, so "old" objects are made by sweeping at a `now` in the future. Storage is
 * shared with other test files (whose uploads may be in flight), so every sweep here that
 * could delete something is narrowed to this file's own product prefixes.
 */

const db = createDb(env.DB);
const files = env.FILES;
const DAY = 24 * 60 * 60 * 1000;

/** Sweep time at which everything this test just wrote is past the grace period. */
const later = () => new Date(Date.now() + ORPHAN_GRACE_MS + DAY);

const scopeOf = (...productIds: string[]) =>
  productIds.flatMap((id) => [`products/${id}/`, `thumbnails/${id}/`, `previews/${id}/`]);

async function put(key: string) {
  await files.put(key, `object ${key}`);
  return key;
}

async function exists(key: string) {
  return (await files.head(key)) !== null;
}

const fileKey = (productId: string, name = "kit.zip") =>
  uploadKey("file", productId, createId(), name);
const thumbnailKey = (productId: string) =>
  uploadKey("thumbnail", productId, createId(), "thumb.png");
const previewKey = (productId: string) => uploadKey("preview", productId, createId(), "shot.png");

/** A product row pointing at real objects under all three prefixes. */
async function productWithMedia() {
  const values = buildProduct();
  const media = {
    fileKey: await put(fileKey(values.id)),
    thumbnailKey: await put(thumbnailKey(values.id)),
    previewKeys: [await put(previewKey(values.id)), await put(previewKey(values.id))],
  };
  await db.insert(digitalProducts).values({ ...values, ...media });
  return { id: values.id, ...media };
}

async function sweepAuditRows(at: Date) {
  return db
    .select({ metadata: auditLogs.metadata, actorId: auditLogs.actorId })
    .from(auditLogs)
    .where(
      and(
        eq(auditLogs.action, "MEDIA_ORPHANS_REMOVED"),
        sql`${auditLogs.createdAt} = ${at.getTime()}`,
      ),
    );
}

describe("sweepOrphanedMedia", () => {
  it("deletes old unreferenced uploads under each prefix, keeps referenced ones, audits once", async () => {
    const product = await productWithMedia();
    const ghostId = createId(); // a product whose row is gone
    const orphans = [
      await put(fileKey(product.id, "old-version.zip")), // a replaced file never deleted
      await put(thumbnailKey(product.id)),
      await put(previewKey(ghostId)),
    ];
    const now = later();

    const result = await sweepOrphanedMedia(
      { db, files },
      { now, prefixes: scopeOf(product.id, ghostId) },
    );

    expect(result).toMatchObject({ listed: 7, ignored: 0, recent: 0, referenced: 4, deleted: 3 });
    expect(result.deletedByPrefix).toEqual({ products: 1, thumbnails: 1, previews: 1 });
    expect(result.deletedKeys.sort()).toEqual([...orphans].sort());
    for (const key of orphans) expect(await exists(key)).toBe(false);
    for (const key of [product.fileKey, product.thumbnailKey, ...product.previewKeys]) {
      expect(await exists(key)).toBe(true);
    }

    const audits = await sweepAuditRows(now);
    expect(audits).toHaveLength(1);
    expect(audits[0]!.actorId).toBeNull();
    expect(audits[0]!.metadata).toMatchObject({
      listed: 7,
      referenced: 4,
      deleted: 3,
      deletedByPrefix: { products: 1, thumbnails: 1, previews: 1 },
      deletedKeysTruncated: false,
      graceHours: 24,
    });
    expect((audits[0]!.metadata!.deletedKeys as string[]).sort()).toEqual([...orphans].sort());

    // Idempotent: nothing left to delete, so no second audit row either.
    const again = new Date(now.getTime() + 1000);
    const second = await sweepOrphanedMedia(
      { db, files },
      { now: again, prefixes: scopeOf(product.id, ghostId) },
    );
    expect(second).toMatchObject({ listed: 4, referenced: 4, deleted: 0, deletedKeys: [] });
    expect(await sweepAuditRows(again)).toHaveLength(0);
  });

  it("keeps an unreferenced upload until the grace period has passed", async () => {
    const productId = createId();
    const orphan = await put(fileKey(productId));
    const prefixes = scopeOf(productId);

    const inFlight = await sweepOrphanedMedia({ db, files }, { now: new Date(), prefixes });
    expect(inFlight).toMatchObject({ recent: 1, deleted: 0 });
    const almost = new Date(Date.now() + ORPHAN_GRACE_MS - 60_000);
    expect(await sweepOrphanedMedia({ db, files }, { now: almost, prefixes })).toMatchObject({
      recent: 1,
      deleted: 0,
    });
    expect(await exists(orphan)).toBe(true);

    const past = await sweepOrphanedMedia({ db, files }, { now: later(), prefixes });
    expect(past).toMatchObject({ recent: 0, deleted: 1 });
    expect(await exists(orphan)).toBe(false);
  });

  it("never deletes a key that isn't exactly an upload key", async () => {
    const productId = createId();
    const strangers = [
      `products/${productId}/kit.zip`, // the factories' and seed's shape
      `products/${productId}/nested/${createId()}-kit.zip`,
      `products/${productId}/${createId()}`,
      `products/${productId}/${createId()}-`,
      `products/${productId}/${createId().toUpperCase()}-kit.zip`,
      `previews/${productId}/short-shot.png`,
    ];
    for (const key of strangers) await put(key);

    const result = await sweepOrphanedMedia(
      { db, files },
      { now: later(), prefixes: scopeOf(productId) },
    );
    expect(result).toMatchObject({ listed: strangers.length, ignored: strangers.length });
    expect(result.deleted).toBe(0);
    for (const key of strangers) expect(await exists(key)).toBe(true);
  });

  it("refuses to look outside the upload prefixes", async () => {
    const outside = await put(`backups/${createId()}/${createId()}-dump.json`);
    for (const prefix of ["backups/", "", "product", "downloads/x/"]) {
      await expect(
        sweepOrphanedMedia({ db, files }, { now: later(), prefixes: [prefix] }),
      ).rejects.toBeInstanceOf(MediaSweepScopeError);
    }
    expect(await exists(outside)).toBe(true);
  });

  it("walks every list page when there are more keys than one page holds", async () => {
    const product = await productWithMedia();
    const orphans: string[] = [];
    for (let i = 0; i < 5; i += 1) orphans.push(await put(fileKey(product.id, `v${i}.zip`)));
    for (let i = 0; i < 3; i += 1) orphans.push(await put(previewKey(product.id)));
    const now = later();

    const result = await sweepOrphanedMedia(
      { db, files },
      { now, pageSize: 2, prefixes: scopeOf(product.id) },
    );

    expect(result).toMatchObject({ listed: 12, referenced: 4, deleted: 8 });
    for (const key of orphans) expect(await exists(key)).toBe(false);
    for (const key of [product.fileKey, product.thumbnailKey, ...product.previewKeys]) {
      expect(await exists(key)).toBe(true);
    }
    const [audit] = await sweepAuditRows(now);
    expect(audit?.metadata).toMatchObject({
      deleted: 8,
      deletedByPrefix: { products: 5, previews: 3 },
    });
  });

  it("lists at most the first 50 deleted keys in the audit row, with the full count", async () => {
    const productId = createId();
    const orphans = await Promise.all(
      Array.from({ length: 60 }, (_, i) => put(fileKey(productId, `v${i}.zip`))),
    );
    const now = later();

    const result = await sweepOrphanedMedia(
      { db, files },
      { now, pageSize: 25, prefixes: scopeOf(productId) },
    );

    expect(result.deleted).toBe(60);
    for (const key of orphans) expect(await exists(key)).toBe(false);
    const [audit] = await sweepAuditRows(now);
    expect(audit?.metadata).toMatchObject({ deleted: 60, deletedKeysTruncated: true });
    const listed = audit?.metadata?.deletedKeys as string[];
    expect(listed).toHaveLength(MAX_AUDITED_KEYS);
    for (const key of listed) expect(orphans).toContain(key);
  });

  it("rejects a page size R2 can't list", async () => {
    for (const pageSize of [0, 1001, 1.5]) {
      await expect(
        sweepOrphanedMedia({ db, files }, { now: new Date(), pageSize, prefixes: ["products/x/"] }),
      ).rejects.toBeInstanceOf(RangeError);
    }
  });
});

describe("sweep-orphaned-media job", () => {
  it("sweeps all upload prefixes at the scheduled time and leaves an upload in flight alone", async () => {
    const productId = createId();
    const inFlight = await put(fileKey(productId));
    const context = { db, env: parseEnv(env), bindings: env, now: new Date() };

    const result = await sweepOrphanedMediaJob.run(context);

    expect(result.listed).toBeGreaterThanOrEqual(1);
    expect(result.recent).toBeGreaterThanOrEqual(1);
    expect(await exists(inFlight)).toBe(true);
  });
});
