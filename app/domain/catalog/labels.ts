import type { ProductCategory } from "#db/schema/enums";

/** Display names; kept apart from the zod schemas so components don't ship zod to browsers. */
export const CATEGORY_LABELS: Record<ProductCategory, string> = {
  TEMPLATE: "Templates",
  THEME: "Themes",
  UI_KIT: "UI kits",
  CODE_SNIPPET: "Code snippets",
  DOCUMENTATION: "Docs",
  ASSET: "Assets",
  LICENSE: "Licenses",
  OTHER: "Other",
};
