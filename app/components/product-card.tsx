import { Link } from "@remix-run/react";
import type { ProductCard as ProductCardData } from "~/services/catalog.server";

/**
 * A product card as the loader sends it (`productCardView` in ./product-card.server): only what
 * the card shows, with the category's name and the price already in words, so the label table
 * and the money formatter stay on the server and the page's data stays small (issue 17).
 */
export type ProductCardView = Pick<
  ProductCardData,
  "id" | "slug" | "name" | "tagline" | "category"
> & {
  categoryLabel: string;
  price: string;
  /** The cover's `/media/…` URL, or null to draw the initial instead. */
  imageUrl: string | null;
  /** `srcset` and `sizes` of the cover (`responsiveImage`), or null where nobody resizes. */
  imageSizing: ImageSizing;
};

/** What a loader's `responsiveImage` gives, spread onto an `<img>` as it is. */
export type ImageSizing = { srcSet: string; sizes: string } | null;

/** What `ProductArt` draws: the loader (or `purchasedProduct`) works out the image's URL. */
export type ProductArtData = Pick<ProductCardData, "name" | "category"> & {
  imageUrl: string | null;
  imageSizing?: ImageSizing;
};

type Props = { product: ProductCardView };

/**
 * The catalog stylesheet (cards, art, the catalog and product pages), for a route's `links`.
 * Imported here so its URL sits in this component's chunk: the pages that show cards load one
 * file fewer than with a chunk of their own for the URL (issue 17: lighter pages).
 */
export { default as catalogStyles } from "~/styles/catalog.css?url";

/** The pixel size of product artwork (16:9, what the seed's images and the tiles use). */
export const ART_WIDTH = 1280;
export const ART_HEIGHT = 720;

/**
 * The product's cover image when it has one; otherwise its initial on the category's gradient
 * (a decoration, hidden from assistive technology: the product's name is right next to it).
 */
export function ProductArt({
  product,
  className = "",
  loading = "lazy",
  alt,
}: {
  product: ProductArtData;
  className?: string;
  loading?: "lazy" | "eager";
  /** "" where the product's name is the image's neighbour and the picture adds nothing. */
  alt?: string;
}) {
  const src = product.imageUrl;
  if (src) {
    return (
      <div className={`product-card__art product-card__art--image ${className}`.trim()}>
        <img
          className="product-art__image"
          src={src}
          {...product.imageSizing}
          alt={alt ?? `Cover of ${product.name}`}
          width={ART_WIDTH}
          height={ART_HEIGHT}
          loading={loading}
          decoding="async"
        />
      </div>
    );
  }
  return (
    <div
      className={`product-card__art ${className}`.trim()}
      aria-hidden="true"
      data-category={product.category}
    >
      <span>{product.name.slice(0, 1)}</span>
    </div>
  );
}

export function ProductCard({ product }: Props) {
  return (
    <article className="product-card">
      <ProductArt product={product} />
      <div className="product-card__body">
        <p className="product-card__category">{product.categoryLabel}</p>
        <h3 className="product-card__title">
          <Link to={`/products/${product.slug}`} prefetch="intent">
            {product.name}
          </Link>
        </h3>
        <p className="product-card__tagline">{product.tagline}</p>
        <p className="product-card__price">
          from <strong>{product.price}</strong>
        </p>
      </div>
    </article>
  );
}

export function ProductGrid({ products }: { products: Props["product"][] }) {
  return (
    <ul className="product-grid" role="list">
      {products.map((product) => (
        <li key={product.id}>
          <ProductCard product={product} />
        </li>
      ))}
    </ul>
  );
}
