import { z } from "~/lib/zod";
import { PRODUCT_CATEGORIES, PRODUCT_STATUSES, type ProductStatus } from "#db/schema/enums";
import { moneyInputValue, parseMoney } from "~/domain/money";
import {
  isProductCurrency,
  PRODUCT_CURRENCIES,
  PRODUCT_LIMITS,
  type ProductFormValues,
} from "./product-limits";

/**
 * The forms of /admin/products (issue 4, item 1). In their own module (imported only by
 * loaders, actions and services) so the browser bundle never pulls in zod; the limits the
 * page needs are in the zod-free `product-limits.ts`.
 */

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$/;
const TAG_PATTERN = /^[a-z0-9-]{1,40}$/;

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

const requiredText = (max: number, missing: string) =>
  z.string({ error: missing }).trim().min(1, missing).max(max, `Use at most ${max} characters.`);

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

const { teamSeats, licenseDurationMonths } = PRODUCT_LIMITS;
const SEATS_MESSAGE = `Team licenses have ${teamSeats.min} to ${teamSeats.max.toLocaleString("en-US")} seats.`;

/** The fields as typed: prices stay text here, they are parsed once the currency is known. */
const PRODUCT_FORM_SHAPE = {
  name: requiredText(PRODUCT_LIMITS.name, "Give the product a name."),
  slug: requiredText(PRODUCT_LIMITS.slug, "Give the product a URL slug.").regex(
    SLUG_PATTERN,
    "Use lowercase letters, digits and hyphens, starting and ending with a letter or digit.",
  ),
  tagline: text(PRODUCT_LIMITS.tagline),
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
        .max(PRODUCT_LIMITS.tags, `Use at most ${PRODUCT_LIMITS.tags} tags.`),
    ),
  pricePersonal: z.string().optional(),
  priceCommercial: z.string().optional(),
  priceTeam: z.string().optional(),
  currency: z.enum(PRODUCT_CURRENCIES, { error: "Choose a currency." }),
  teamSeats: z
    .string({ error: "Give the number of team seats." })
    .trim()
    .regex(/^\d{1,4}$/, SEATS_MESSAGE)
    .transform(Number)
    .pipe(z.number().int().min(teamSeats.min, SEATS_MESSAGE).max(teamSeats.max, SEATS_MESSAGE)),
  licenseDurationMonths: optionalInteger(
    licenseDurationMonths.min,
    licenseDurationMonths.max,
    `Use ${licenseDurationMonths.min} to ${licenseDurationMonths.max} months, or leave it empty for licenses that never expire.`,
  ),
  version: requiredText(PRODUCT_LIMITS.version, "Give a version.").regex(
    /^[0-9A-Za-z][0-9A-Za-z.+-]*$/,
    "Use a version like 1.0.0 or 2.1.0-beta.",
  ),
  changelog: text(20_000),
  documentation: text(50_000),
  status: z.enum(PRODUCT_STATUSES, { error: "Choose a status." }).optional().default("DRAFT"),
  featured: z
    .string()
    .optional()
    .transform((value) => value === "on" || value === "true"),
};

const PRICE_FIELDS = ["pricePersonal", "priceCommercial", "priceTeam"] as const;
type TypedProductForm = z.output<z.ZodObject<typeof PRODUCT_FORM_SHAPE>>;

/** A typed price in minor units: null when empty (that license is not offered). */
function priceCents(typed: unknown, currency: string): number | null | "invalid" {
  const value = typeof typed === "string" ? typed.trim() : "";
  if (value === "") return null;
  return parseMoney(value, currency) ?? "invalid";
}

/**
 * The prices need the currency, so they are checked on the whole form, and even when another
 * field failed (`when`), so every error shows at once. The personal price is required; an
 * empty commercial or team price means that license is not offered.
 */
function checkPrices(form: Readonly<Record<string, unknown>>, ctx: z.RefinementCtx) {
  const currency = isProductCurrency(form.currency) ? form.currency : null;
  for (const field of PRICE_FIELDS) {
    const cents = currency ? priceCents(form[field], currency) : null;
    const empty = typeof form[field] !== "string" || form[field].trim() === "";
    if (empty && field === "pricePersonal") {
      ctx.addIssue({
        code: "custom",
        path: [field],
        message: "Give the personal license a price.",
      });
    } else if (cents === "invalid") {
      ctx.addIssue({
        code: "custom",
        path: [field],
        message: `Enter an amount like ${moneyInputValue(1999, currency!)} (no currency sign).`,
      });
    }
  }
}
const ALWAYS = { when: () => true };

/** The stored fields of a form that passed `checkPrices`. */
function productFields(form: TypedProductForm): ProductFields {
  const { pricePersonal, priceCommercial, priceTeam, ...fields } = form;
  const cents = (typed: string | undefined) => priceCents(typed, fields.currency) as number | null;
  return {
    ...fields,
    pricePersonalCents: cents(pricePersonal)!,
    priceCommercialCents: cents(priceCommercial),
    priceTeamCents: cents(priceTeam),
  };
}

/** The new-product form (`parseForm(formData, ProductFormSchema)`): the product's fields. */
export const ProductFormSchema = z
  .object(PRODUCT_FORM_SHAPE)
  .superRefine(checkPrices, ALWAYS)
  .transform(productFields);

/** The edit page's forms, one per `intent`: the details, or an image to take off. */
export const ProductAdminFormSchema = z
  .discriminatedUnion("intent", [
    z.object({ intent: z.literal("save"), ...PRODUCT_FORM_SHAPE }),
    z.object({
      intent: z.enum(["remove-preview", "remove-thumbnail"]),
      key: z
        .string({ error: "Choose an image to remove." })
        .min(1, "Choose an image to remove.")
        .max(512, "Choose an image to remove."),
    }),
  ])
  .superRefine((form, ctx) => {
    if (form.intent === "save") checkPrices(form, ctx);
  }, ALWAYS)
  .transform((form) => {
    if (form.intent !== "save") return form;
    const { intent, ...typed } = form;
    return { intent, fields: productFields(typed) };
  });

/** The form's initial values for an existing product (prices back to decimal text). */
export function productFormValues(product: ProductFields): ProductFormValues {
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
