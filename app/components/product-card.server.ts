import { CATEGORY_LABELS } from "~/domain/catalog/labels";
import { mediaUrl, responsiveImage, type ImageResizer } from "~/domain/catalog/media";
import { formatMoney } from "~/domain/money";
import type { ProductCard } from "~/services/catalog.server";
import type { ProductCardView } from "./product-card";

/**
 * For loaders: what `ProductGrid` shows of a product. A `.server` module, so the label table,
 * the money formatter and the media-key rules it needs never reach a browser bundle: the client build replaces `.server`
 * imports with an empty module, while any other import, even one only a loader uses, keeps its
 * module (and what that imports) in the route's chunks.
 */
/** How wide a card's picture is drawn: the whole phone, else a column of `.product-grid`. */
const CARD_IMAGE_SIZES = "(max-width: 34rem) 100vw, 24rem";

export function productCardView(product: ProductCard, resizer: ImageResizer): ProductCardView {
  const imageUrl = mediaUrl(product.thumbnailKey);
  return {
    id: product.id,
    slug: product.slug,
    name: product.name,
    tagline: product.tagline,
    category: product.category,
    categoryLabel: CATEGORY_LABELS[product.category],
    price: formatMoney(product.pricePersonalCents, product.currency),
    imageUrl,
    imageSizing: responsiveImage(imageUrl, CARD_IMAGE_SIZES, resizer),
  };
}
