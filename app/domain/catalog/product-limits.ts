/**
 * The product form's limits and choices (docs/architecture.md §7), zod-free: the schema in
 * `product-forms.ts` enforces them and the page feeds them to `maxLength`, `min`, `max` and
 * its selects, so the browser bundle never pulls in zod.
 */

/** Currencies the store prices in; the column accepts any ISO 4217 code, the form these. */
export const PRODUCT_CURRENCIES = ["USD", "EUR", "GBP", "CAD", "AUD", "CHF", "SEK", "JPY"] as const;
export type ProductCurrency = (typeof PRODUCT_CURRENCIES)[number];

export const isProductCurrency = (value: unknown): value is ProductCurrency =>
  typeof value === "string" && (PRODUCT_CURRENCIES as readonly string[]).includes(value);

export const PRODUCT_LIMITS = {
  name: 120,
  slug: 80,
  tagline: 160,
  version: 40,
  tags: 10,
  teamSeats: { min: 2, max: 1000 },
  licenseDurationMonths: { min: 1, max: 120 },
} as const;

/** The form as a new product starts: a template priced in dollars, five team seats. */
export const NEW_PRODUCT_VALUES = {
  category: "TEMPLATE",
  currency: "USD",
  teamSeats: "5",
  version: "1.0.0",
  status: "DRAFT",
} as const satisfies Partial<ProductFormValues>;

/** What the product form shows before anything was typed: every field as text, but `featured`. */
export type ProductFormValues = Record<ProductFormTextField, string> & { featured: boolean };

export type ProductFormTextField =
  | "name"
  | "slug"
  | "tagline"
  | "description"
  | "category"
  | "tags"
  | "pricePersonal"
  | "priceCommercial"
  | "priceTeam"
  | "currency"
  | "teamSeats"
  | "licenseDurationMonths"
  | "version"
  | "changelog"
  | "documentation"
  | "status";
