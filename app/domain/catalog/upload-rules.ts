/**
 * What staff may upload for a product (docs/architecture.md §7), per kind: the deliverable (`file`,
 * private), the thumbnail and the preview images (public, served by `/media/<key>`). Pure
 * rules; the streaming lives in `app/services/product-uploads.server.ts`, and the browser
 * widget reads the same limits to refuse an obviously wrong file before sending it.
 */

import { refuse, type Result } from "~/domain/refusal";

export const UPLOAD_KINDS = ["file", "thumbnail", "preview"] as const;
export type UploadKind = (typeof UPLOAD_KINDS)[number];

export const isUploadKind = (value: unknown): value is UploadKind =>
  typeof value === "string" && (UPLOAD_KINDS as readonly string[]).includes(value);

/** A product shows at most this many preview images. */
export const MAX_PREVIEWS = 8;

const MB = 1024 * 1024;

interface FileType {
  /** What the object is stored as, whatever the browser claimed. */
  contentType: string;
  /** What a browser may send for it (besides `contentType`). */
  alsoAccepted: readonly string[];
}

/** Browsers send this (or nothing) for extensions they don't know, e.g. `.fig` or `.sketch`. */
const UNKNOWN_TYPE = "application/octet-stream";

const IMAGE_TYPES: Record<string, FileType> = {
  png: { contentType: "image/png", alsoAccepted: [] },
  jpg: { contentType: "image/jpeg", alsoAccepted: [] },
  jpeg: { contentType: "image/jpeg", alsoAccepted: [] },
  webp: { contentType: "image/webp", alsoAccepted: [] },
};

const PRODUCT_FILE_TYPES: Record<string, FileType> = {
  zip: {
    contentType: "application/zip",
    alsoAccepted: ["application/x-zip-compressed", "application/x-zip", UNKNOWN_TYPE],
  },
  "tar.gz": {
    contentType: "application/gzip",
    alsoAccepted: ["application/x-gzip", "application/x-compressed-tar", UNKNOWN_TYPE],
  },
  tgz: {
    contentType: "application/gzip",
    alsoAccepted: ["application/x-gzip", "application/x-compressed-tar", UNKNOWN_TYPE],
  },
  pdf: { contentType: "application/pdf", alsoAccepted: [] },
  epub: { contentType: "application/epub+zip", alsoAccepted: [UNKNOWN_TYPE] },
  txt: { contentType: "text/plain; charset=utf-8", alsoAccepted: ["text/plain"] },
  md: {
    contentType: "text/markdown; charset=utf-8",
    alsoAccepted: ["text/markdown", "text/x-markdown", "text/plain", UNKNOWN_TYPE],
  },
  fig: { contentType: UNKNOWN_TYPE, alsoAccepted: [] },
  sketch: { contentType: UNKNOWN_TYPE, alsoAccepted: ["application/zip"] },
  psd: { contentType: "image/vnd.adobe.photoshop", alsoAccepted: [UNKNOWN_TYPE] },
};

export interface UploadRule {
  kind: UploadKind;
  label: string;
  /** Bytes; the Workers request body limit (100 MB on Free/Pro) caps the deliverable. */
  maxBytes: number;
  types: Record<string, FileType>;
  /** Images are also checked by their first bytes: the extension and header must agree. */
  sniffImage: boolean;
  /** R2 prefix; `thumbnails/` and `previews/` are the public ones `/media/*` serves. */
  prefix: "products" | "thumbnails" | "previews";
}

export const UPLOAD_RULES: Record<UploadKind, UploadRule> = {
  file: {
    kind: "file",
    label: "product file",
    maxBytes: 100 * MB,
    types: PRODUCT_FILE_TYPES,
    sniffImage: false,
    prefix: "products",
  },
  thumbnail: {
    kind: "thumbnail",
    label: "thumbnail",
    maxBytes: 5 * MB,
    types: IMAGE_TYPES,
    sniffImage: true,
    prefix: "thumbnails",
  },
  preview: {
    kind: "preview",
    label: "preview image",
    maxBytes: 10 * MB,
    types: IMAGE_TYPES,
    sniffImage: true,
    prefix: "previews",
  },
};

/** `.zip,.pdf,…` for `<input type=file accept>`. */
export function acceptAttribute(kind: UploadKind): string {
  return Object.keys(UPLOAD_RULES[kind].types)
    .map((extension) => `.${extension}`)
    .join(",");
}

/** "100 MB", "5 MB" */
export function formatBytes(bytes: number): string {
  if (bytes >= MB) return `${Number((bytes / MB).toFixed(1))} MB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KB`;
  return `${bytes} bytes`;
}

/**
 * The name as it goes into an R2 key and a Content-Disposition header: only
 * `[A-Za-z0-9._-]`, no leading dots, at most 100 characters with the extension kept.
 * Null when nothing usable is left.
 */
export function safeFileName(name: string): string | null {
  const base = name.split(/[\\/]/).at(-1) ?? "";
  const cleaned = base
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^\w.-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^[.-]+/, "")
    .replace(/-+(\.)/g, "$1");
  if (!cleaned || !/[A-Za-z0-9]/.test(cleaned)) return null;
  if (cleaned.length <= 100) return cleaned;
  const extension = /\.[A-Za-z0-9.]{1,12}$/.exec(cleaned)?.[0] ?? "";
  return `${cleaned.slice(0, 100 - extension.length)}${extension}`;
}

/** The allowed extension a name ends with (longest first, so `tar.gz` beats `gz`). */
function extensionOf(rule: UploadRule, fileName: string): string | null {
  const lower = fileName.toLowerCase();
  const matches = Object.keys(rule.types)
    .filter((extension) => lower.endsWith(`.${extension}`))
    .sort((a, b) => b.length - a.length);
  return matches[0] ?? null;
}

const essence = (contentType: string | null) =>
  contentType?.split(";")[0]?.trim().toLowerCase() || UNKNOWN_TYPE;

/**
 * Why the rules refuse an upload before reading it. The upload route answers 415, 411 and 413
 * for `unsupported-type`, `length-required` and `too-large`, as the upload contract says.
 */
export type UploadRefusalReason = "unsupported-type" | "length-required" | "empty" | "too-large";

export type TypeCheck = Result<{ contentType: string; extension: string }, "unsupported-type">;

/** Extension and declared MIME type must both be on the kind's allow-list, and agree. */
export function checkUploadType(
  kind: UploadKind,
  fileName: string,
  declaredType: string | null,
): TypeCheck {
  const rule = UPLOAD_RULES[kind];
  const allowed = Object.keys(rule.types)
    .map((extension) => `.${extension}`)
    .join(", ");
  const extension = extensionOf(rule, fileName);
  if (!extension) {
    return refuse(
      "invalid",
      "unsupported-type",
      `A ${rule.label} must be one of these types: ${allowed}.`,
    );
  }
  const type = rule.types[extension]!;
  const declared = essence(declaredType);
  if (declared !== essence(type.contentType) && !type.alsoAccepted.includes(declared)) {
    return refuse(
      "invalid",
      "unsupported-type",
      `The file says it is ${declared}, which doesn't match a .${extension} ${rule.label}.`,
    );
  }
  return { ok: true, contentType: type.contentType, extension };
}

export type SizeCheck = Result<{ size: number }, "length-required" | "empty" | "too-large">;

/** The declared `Content-Length`: required, positive and within the kind's limit. */
export function checkDeclaredSize(kind: UploadKind, contentLength: string | null): SizeCheck {
  const rule = UPLOAD_RULES[kind];
  if (contentLength === null || !/^\d{1,16}$/.test(contentLength.trim())) {
    return refuse(
      "invalid",
      "length-required",
      "The upload must say how big it is (Content-Length).",
    );
  }
  const size = Number(contentLength);
  if (size === 0) return refuse("invalid", "empty", "The file is empty.");
  if (size > rule.maxBytes) {
    return refuse(
      "invalid",
      "too-large",
      `This ${rule.label} is ${formatBytes(size)}; the limit is ${formatBytes(rule.maxBytes)}.`,
    );
  }
  return { ok: true, size };
}

/** Bytes the image sniffer needs (WebP's signature ends at byte 12). */
export const SNIFF_BYTES = 12;

/** The raster type an image's first bytes announce, or null. */
export function sniffImageType(head: Uint8Array): string | null {
  const starts = (bytes: number[], offset = 0) =>
    head.length >= offset + bytes.length && bytes.every((byte, i) => head[offset + i] === byte);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (starts([0xff, 0xd8, 0xff])) return "image/jpeg";
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return "image/webp";
  return null;
}

/** `products/<id>/<random>-<name>`, `thumbnails/<id>/…`, `previews/<id>/…`. */
export function uploadKey(
  kind: UploadKind,
  productId: string,
  random: string,
  fileName: string,
): string {
  return `${UPLOAD_RULES[kind].prefix}/${productId}/${random}-${fileName}`;
}

/** The prefixes `uploadKey` writes under, in R2 `list` form (with the trailing slash). */
export const UPLOAD_PREFIXES = UPLOAD_KINDS.map((kind) => `${UPLOAD_RULES[kind].prefix}/`);

// `<prefix>/<product id>/<cuid2>-<safe file name>`: exactly what `uploadKey` builds with
// `createId()` and `safeFileName`, nothing looser (the factories' and the bench's keys, e.g.
// `products/<id>/<slug>.txt`, don't match).
const UPLOAD_KEY_PATTERN =
  /^(products|thumbnails|previews)\/([A-Za-z0-9_-]{1,64})\/([a-z][a-z0-9]{23})-([A-Za-z0-9_][\w.-]{0,99})$/;

/** The kind and product of a key `uploadKey` could have written; null for any other key. */
export function parseUploadKey(key: string): { kind: UploadKind; productId: string } | null {
  const match = UPLOAD_KEY_PATTERN.exec(key);
  if (!match) return null;
  const kind = UPLOAD_KINDS.find((candidate) => UPLOAD_RULES[candidate].prefix === match[1]);
  return kind ? { kind, productId: match[2]! } : null;
}
