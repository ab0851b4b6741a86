import { createId } from "@paralleldrive/cuid2";
import { describe, expect, it } from "vitest";
import {
  parseUploadKey,
  safeFileName,
  UPLOAD_KINDS,
  UPLOAD_PREFIXES,
  uploadKey,
} from "~/domain/catalog/upload-rules";

describe("parseUploadKey", () => {
  it("reads back every key uploadKey writes", () => {
    const productId = createId();
    for (const kind of UPLOAD_KINDS) {
      for (const name of ["kit.zip", "a.tar.gz", "_notes.md", "x".repeat(96) + ".png"]) {
        const key = uploadKey(kind, productId, createId(), safeFileName(name)!);
        expect(parseUploadKey(key)).toEqual({ kind, productId });
      }
    }
  });

  it("knows the three upload prefixes", () => {
    expect(UPLOAD_PREFIXES).toEqual(["products/", "thumbnails/", "previews/"]);
  });

  it("refuses every other shape", () => {
    const id = createId();
    const random = createId();
    for (const key of [
      `products/${id}/kit.zip`,
      `products/bench/bench-asset.txt`,
      `products/${id}/${random}`,
      `products/${id}/${random}-`,
      `products/${id}/${random}-.hidden`,
      `products/${id}/nested/${random}-kit.zip`,
      `products/${id}/${random.toUpperCase()}-kit.zip`,
      `products/${id}/${random}x-kit.zip`,
      `products//${random}-kit.zip`,
      `backups/${id}/${random}-dump.json`,
      `Products/${id}/${random}-kit.zip`,
      `products/${id}/${random}-kit zip`,
      `products/${id}/${random}-${"x".repeat(101)}`,
    ]) {
      expect(parseUploadKey(key), key).toBeNull();
    }
  });
});
