import { z } from "~/lib/zod";
import { PRODUCT_CATEGORIES, PRODUCT_STATUSES, type ProductStatus } from "#db/schema/enums";
import { fieldErrors } from "~/domain/auth/admin-forms";
import { moneyInputValue, parseMoney } from "~/domain/money";

/**
 * The forms of /admin/products (issue 4, item 1). In their own module (imported only by
 * loaders, actions and services) so the browser bundle never pulls in zod.
 */

/** Currencies the store prices in; the column accepts any ISO 4217 code, the form these. */
export const PRODUCT_CURRENCIES = ["USD", "EUR", "GBP", "CAD", "AUD", "CHF", "SEK", "JPY"] as const;

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$/;
const TAG_PATTERN = /^[a-z0-9-]{1,40}$/;
export const MAX_TAGS = 10;

/** Every editable field of a product, as the services store it. */
export interface ProductFields {
  name: string;
  slug: string;
  tagline: string;
  description: string;
  category: (typeof PRODUCT_CATEGORIES)[number];
  tags: string[];
  pricePersonalCents: number;
  priceCommercialCents: number | null;
  priceTeamCents: number | null;
  currency: string;
  teamSeats: number;
  licenseDurationMonths: number | null;
  version: string;
  changelog: string;
  documentation: string;
  status: ProductStatus;
  featured: boolean;
}

export const PRODUCT_FIELD_NAMES = [
  "name",
  "slug",
  "tagline",
  "description",
  "category",
  "tags",
  "pricePersonalCents",
  "priceCommercialCents",
  "priceTeamCents",
  "currency",
  "teamSeats",
  "licenseDurationMonths",
  "version",
  "changelog",
  "documentation",
  "status",
  "featured",
] as const satisfies ReadonlyArray<keyof ProductFields>;

const text = (max: number) =>
  z
    .string()
    .optional()
    .transform((value) => (value ?? "").trim())
    .pipe(z.string().max(max, `Use at most ${max.toLocaleString("en-US")} characters.`));

const optionalInteger = (min: number, max: number, message: string) =>
  z
    .string()
    .optional()
    .transform((value) => (value ?? "").trim())
    .pipe(
      z.union([
        z.literal("").transform(() => null),
        z
          .string()
          .regex(/^\d{1,6}$/, message)
          .transform(Number)
          .pipe(z.number().int().min(min, message).max(max, message)),
      ]),
    );

/** The raw form: prices stay text here, they are parsed once the currency is known. */
const ProductFormSchema = z.object({
  name: z
    .string({ error: "Give the product a name." })
    .trim()
    .min(1, "Give the product a name.")
    .max(120, "Use at most 120 characters."),
  slug: z
    .string({ error: "Give the product a URL slug." })
    .trim()
    .min(1, "Give the product a URL slug.")
    .max(80, "Use at most 80 characters.")
    .regex(
      SLUG_PATTERN,
      "Use lowercase letters, digits and hyphens, starting and ending with a letter or digit.",
    ),
  tagline: text(160),
  description: text(20_000),
  category: z.enum(PRODUCT_CATEGORIES, { error: "Choose a category." }),
  tags: z
    .string()
    .optional()
    .transform((value) => [
      ...new Set(
        (value ?? "")
          .split(",")
          .map((tag) => tag.trim().toLowerCase())
          .filter(Boolean),
      ),
    ])
    .pipe(
      z
        .array(
          z
            .string()
            .regex(TAG_PATTERN, "Tags use lowercase letters, digits and hyphens (max 40 each)."),
        )
        .max(MAX_TAGS, `Use at most ${MAX_TAGS} tags.`),
    ),
  pricePersonal: z.string({ error: "Give the personal license a price." }).trim(),
  priceCommercial: z.string().optional(),
  priceTeam: z.string().optional(),
  currency: z.enum(PRODUCT_CURRENCIES, { error: "Choose a currency." }),
  teamSeats: z
    .string({ error: "Give the number of team seats." })
    .trim()
    .regex(/^\d{1,4}$/, "Team licenses have 2 to 1,000 seats.")
    .transform(Number)
    .pipe(z.number().int().min(2, "Team licenses have 2 to 1,000 seats.").max(1000)),
  licenseDurationMonths: optionalInteger(
    1,
    120,
    "Use 1 to 120 months, or leave it empty for licenses that never expire.",
  ),
  version: z
    .string({ error: "Give a version." })
    .trim()
    .min(1, "Give a version.")
    .max(40, "Use at most 40 characters.")
    .regex(/^[0-9A-Za-z][0-9A-Za-z.+-]*$/, "Use a version like 1.0.0 or 2.1.0-beta."),
  changelog: text(20_000),
  documentation: text(50_000),
  status: z.enum(PRODUCT_STATUSES, { error: "Choose a status." }).optional().default("DRAFT"),
  featured: z
    .string()
    .optional()
    .transform((value) => value === "on" || value === "true"),
});

export type ProductFormResult =
  { ok: true; fields: ProductFields } | { ok: false; errors: Record<string, string> };

/**
 * Parse the product form. Prices are decimal money in the form ("19.90") and integer minor
 * units after parsing; the personal price is required, an empty commercial or team price
 * means that license is not offered.
 */
export function parseProductForm(formData: FormData): ProductFormResult {
  const raw: Record<string, string> = {};
  for (const [key, value] of formData) if (typeof value === "string") raw[key] = value;
  const parsed = ProductFormSchema.safeParse(raw);
  const errors: Record<string, string> = parsed.success ? {} : fieldErrors(parsed.error);

  // Prices are checked even when another field failed, so every error shows at once.
  const currency = (PRODUCT_CURRENCIES as readonly string[]).includes(raw.currency ?? "")
    ? raw.currency!
    : null;
  const prices: Record<"pricePersonal" | "priceCommercial" | "priceTeam", number | null> = {
    pricePersonal: null,
    priceCommercial: null,
    priceTeam: null,
  };
  for (const field of ["pricePersonal", "priceCommercial", "priceTeam"] as const) {
    const value = (raw[field] ?? "").trim();
    if (value === "") {
      if (field === "pricePersonal") errors[field] ??= "Give the personal license a price.";
      continue;
    }
    if (!currency) continue;
    const cents = parseMoney(value, currency);
    if (cents === null) {
      errors[field] ??=
        `Enter an amount like ${moneyInputValue(1999, currency)} (no currency sign).`;
    } else {
      prices[field] = cents;
    }
  }

  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, errors };
  const { pricePersonal: _p, priceCommercial: _c, priceTeam: _t, ...data } = parsed.data;
  return {
    ok: true,
    fields: {
      ...data,
      pricePersonalCents: prices.pricePersonal!,
      priceCommercialCents: prices.priceCommercial,
      priceTeamCents: prices.priceTeam,
    },
  };
}

/** The form's initial values for an existing product (prices back to decimal text). */
export function productFormValues(product: ProductFields): Record<string, string | boolean> {
  const price = (cents: number | null) =>
    cents === null ? "" : moneyInputValue(cents, product.currency);
  return {
    name: product.name,
    slug: product.slug,
    tagline: product.tagline,
    description: product.description,
    category: product.category,
    tags: product.tags.join(", "),
    pricePersonal: price(product.pricePersonalCents),
    priceCommercial: price(product.priceCommercialCents),
    priceTeam: price(product.priceTeamCents),
    currency: product.currency,
    teamSeats: String(product.teamSeats),
    licenseDurationMonths:
      product.licenseDurationMonths === null ? "" : String(product.licenseDurationMonths),
    version: product.version,
    changelog: product.changelog,
    documentation: product.documentation,
    status: product.status,
    featured: product.featured,
  };
}

/** `{ field: { from, to } }` for every field whose value changes; empty when nothing does. */
export function productDiff(
  before: ProductFields,
  after: ProductFields,
): Record<string, { from: unknown; to: unknown }> {
  const diff: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of PRODUCT_FIELD_NAMES) {
    const from = before[field];
    const to = after[field];
    if (JSON.stringify(from) !== JSON.stringify(to)) diff[field] = { from, to };
  }
  return diff;
}

/** The search form of /admin/products, parsed leniently: a bad value is simply ignored. */
export const ProductSearchSchema = z.object({
  q: z
    .string()
    .trim()
    .max(100)
    .optional()
    .catch(undefined)
    .transform((value) => value || undefined),
  status: z.enum(PRODUCT_STATUSES).optional().catch(undefined),
  cursor: z.string().max(200).optional().catch(undefined),
});
export type ProductSearch = z.infer<typeof ProductSearchSchema>;

export function parseProductSearch(params: URLSearchParams): ProductSearch {
  return ProductSearchSchema.parse({
    q: params.get("q") ?? undefined,
    status: params.get("status") ?? undefined,
    cursor: params.get("cursor") ?? undefined,
  });
}

export const PRODUCT_INTENTS = ["save", "remove-preview", "remove-thumbnail"] as const;
export type ProductIntent = (typeof PRODUCT_INTENTS)[number];

export const RemovePreviewSchema = z.object({
  previewKey: z.string({ error: "Choose a preview." }).min(1).max(512),
});
