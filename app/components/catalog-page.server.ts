import { CATEGORY_LABELS } from "~/domain/catalog/labels";
import { PRODUCT_CATEGORIES } from "#db/schema/enums";

/**
 * For the catalog page's loader. A `.server` module, so the label table and the enum lists stay
 * out of the browser bundle; it re-exports the other server functions the route uses, so the
 * browser build sees one empty module (see ./product-card.server).
 */
export { data } from "@remix-run/cloudflare";
export { productCardView } from "./product-card.server";
export { publicPageHeaders } from "~/request/page-cache.server";
export { listCatalogTags, listPublishedProducts } from "~/services/catalog.server";
export { catalogVersion, catalogVersionRefreshMs } from "~/services/page-cache.server";

/** The catalog filter's category choices. */
export const catalogCategoryOptions = [
  { value: "", label: "All categories" },
  ...PRODUCT_CATEGORIES.map((category) => ({ value: category, label: CATEGORY_LABELS[category] })),
];
