import { Link } from "@remix-run/react";
import { CATEGORY_LABELS } from "~/domain/catalog/labels";
import { formatMoney } from "~/domain/money";
import type { ProductCard as ProductCardData } from "~/services/catalog.server";

type Props = {
  product: Omit<ProductCardData, "publishedAt"> & { publishedAt: string | Date | null };
};

export function ProductCard({ product }: Props) {
  return (
    <article className="product-card">
      <div className="product-card__art" aria-hidden="true" data-category={product.category}>
        <span>{product.name.slice(0, 1)}</span>
      </div>
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
