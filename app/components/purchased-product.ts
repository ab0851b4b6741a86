import { mediaUrl } from "~/domain/catalog/media";
import type { ProductArtData } from "./product-card";

/**
 * A purchase's product, as `ProductArt` draws it (order summary, purchases list). Kept out of
 * product-card.tsx so the storefront's card pages don't carry the media-key rules: their
 * loaders send the image URL ready (issue 17: lighter pages).
 */
export const purchasedProduct = (purchase: {
  productName: string;
  productCategory: ProductArtData["category"];
  productThumbnailKey: string | null;
}): ProductArtData => ({
  name: purchase.productName,
  category: purchase.productCategory,
  imageUrl: mediaUrl(purchase.productThumbnailKey),
});
