import { CATEGORY_LABELS } from "~/domain/catalog/labels";
import { mediaUrl } from "~/domain/catalog/media";
import { formatMoney } from "~/domain/money";
import type { ProductCard } from "~/services/catalog.server";
import type { ProductCardView } from "./product-card";

/**
 * For loaders: what `ProductGrid` shows of a product. A `.server` module, so the label table,
 * the money formatter and the media-key rules it needs never reach a browser bundle: the client build replaces `.server`
 * imports with an empty module, while any other import, even one only a loader uses, keeps its
 * module (and what that imports) in the route's chunks.
 */
export const productCardView = (product: ProductCard): ProductCardView => ({
  ...product,
  categoryLabel: CATEGORY_LABELS[product.category],
  price: formatMoney(product.pricePersonalCents, product.currency),
  imageUrl: mediaUrl(product.thumbnailKey),
});
