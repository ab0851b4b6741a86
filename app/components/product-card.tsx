import { Link } from "@remix-run/react";
import { CATEGORY_LABELS } from "~/domain/catalog/labels";
import { mediaUrl } from "~/domain/catalog/media";
import { formatMoney } from "~/domain/money";
import type { ProductCard as ProductCardData } from "~/services/catalog.server";

type Props = { product: ProductCardData };

/** The product's thumbnail when it has one, otherwise its initial on the category's gradient. */
export function ProductArt({
  product,
  className = "",
}: {
  product: Pick<ProductCardData, "name" | "category" | "thumbnailKey">;
  className?: string;
}) {
  const src = mediaUrl(product.thumbnailKey);
  return (
    <div
      className={`product-card__art ${className}`.trim()}
      aria-hidden="true"
      data-category={product.category}
    >
      {src ? (
        <img className="product-art__image" src={src} alt="" loading="lazy" decoding="async" />
      ) : (
        <span>{product.name.slice(0, 1)}</span>
      )}
    </div>
  );
}

export function ProductCard({ product }: Props) {
  return (
    <article className="product-card">
      <ProductArt product={product} />
      <div className="product-card__body">
        <p className="product-card__category">{CATEGORY_LABELS[product.category]}</p>
        <h3 className="product-card__title">
          <Link to={`/products/${product.slug}`} prefetch="intent">
            {product.name}
          </Link>
        </h3>
        <p className="product-card__tagline">{product.tagline}</p>
        <p className="product-card__price">
          from <strong>{formatMoney(product.pricePersonalCents, product.currency)}</strong>
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
