import { createId } from "@paralleldrive/cuid2";
import type { Database } from "#db/client";
import { digitalProducts, type DigitalProduct, type NewDigitalProduct } from "#db/schema";
import { sha256Hex } from "~/lib/hmac.server";
import type { ProductCard } from "~/services/catalog.server";

export interface ProductFile {
  name: string;
  contentType: string;
  body: string | Uint8Array;
}

export interface ProductInput extends Partial<NewDigitalProduct> {
  /** The deliverable; uploaded to R2 under `products/<id>/`. Defaults to a small text file. */
  file?: ProductFile;
}

function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80);
}

/** Values for a published product row (without its file); every field can be overridden. */
export function buildProduct(
  overrides: Partial<NewDigitalProduct> = {},
): NewDigitalProduct & { id: string } {
  const id = overrides.id ?? createId();
  const name = overrides.name ?? `Product ${id.slice(0, 8)}`;
  const now = new Date();
  return {
    slug: `${slugify(name)}-${id.slice(0, 6)}`,
    name,
    tagline: "A well-made thing for your next project.",
    description: "Everything you need to get started.",
    category: "TEMPLATE",
    tags: [],
    status: "PUBLISHED",
    pricePersonalCents: 2900,
    priceCommercialCents: 7900,
    priceTeamCents: 19900,
    currency: "USD",
    publishedAt: now,
    ...overrides,
    id,
  };
}

/**
 * Insert a product and put its file into R2 first, recording size and SHA-256, so a
 * published product always has a real deliverable.
 */
export async function createProduct(
  deps: { db: Database; files: R2Bucket },
  input: ProductInput = {},
): Promise<DigitalProduct> {
  const { file: fileInput, ...overrides } = input;
  const values = buildProduct(overrides);
  const file = fileInput ?? {
    name: `${values.slug}.txt`,
    contentType: "text/plain; charset=utf-8",
    body: `${values.name}\n\nThank you for your purchase. This file is your licensed download.\n`,
  };
  const bytes = typeof file.body === "string" ? new TextEncoder().encode(file.body) : file.body;
  const fileKey = `products/${values.id}/${file.name}`;
  await deps.files.put(fileKey, bytes, {
    httpMetadata: {
      contentType: file.contentType,
      contentDisposition: `attachment; filename="${file.name}"`,
    },
    sha256: await sha256Hex(bytes),
  });

  const [product] = await deps.db
    .insert(digitalProducts)
    .values({
      ...values,
      fileKey,
      fileName: file.name,
      fileSizeBytes: bytes.byteLength,
      fileContentType: file.contentType,
      fileSha256: await sha256Hex(bytes),
    })
    .returning();
  return product!;
}

/** A catalog card row as `listPublishedProducts` returns it, for tests of what loaders send. */
export function productCardRow(overrides: Partial<ProductCard> = {}): ProductCard {
  return {
    id: "p1",
    slug: "ledger-ui-kit",
    name: "Ledger UI Kit",
    tagline: "Tables and forms",
    category: "UI_KIT",
    tags: [],
    pricePersonalCents: 2900,
    currency: "USD",
    thumbnailKey: "thumbnails/p1/cover.png",
    publishedAt: new Date("2026-11-01T00:00:00Z"),
    ...overrides,
  };
}
