import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { ErrorPanel, GeneralErrorBoundary } from "~/components/error-boundary";
import { TextBlocks } from "~/components/text-blocks";
import { CATEGORY_LABELS } from "~/domain/catalog/labels";
import { licenseOptions } from "~/domain/catalog/license-options";
import { formatMoney } from "~/domain/money";
import { invariantResponse, PUBLIC_PAGE_CACHE } from "~/lib/http";
import { getPublishedProduct, type ProductDetail } from "~/services/catalog.server";

export async function loader({ params, context }: LoaderFunctionArgs) {
  const slug = params.slug ?? "";
  invariantResponse(/^[a-z0-9-]{1,120}$/.test(slug), "Product not found", { status: 404 });
  const product = await getPublishedProduct(context.db, slug);
  invariantResponse(product, "Product not found", { status: 404 });
  return Response.json(
    { product, licenses: licenseOptions(product) },
    { headers: { "Cache-Control": PUBLIC_PAGE_CACHE } },
  );
}

export const headers: HeadersFunction = ({ loaderHeaders }) => ({
  "Cache-Control": loaderHeaders.get("Cache-Control") ?? "no-store",
});

type LoaderData = {
  product: Omit<ProductDetail, "publishedAt" | "updatedAt"> & {
    publishedAt: string | null;
    updatedAt: string;
  };
  licenses: ReturnType<typeof licenseOptions>;
};

export const meta: MetaFunction<typeof loader> = ({ data }) => {
  const product = (data as LoaderData | undefined)?.product;
  if (!product) return [{ title: "Product not found — Studio Store" }];
  return [
    { title: `${product.name} — Studio Store` },
    { name: "description", content: product.tagline },
  ];
};

function formatBytes(bytes: number | null): string | null {
  if (bytes === null) return null;
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export default function ProductPage() {
  const { product, licenses } = useLoaderData<LoaderData>();
  const size = formatBytes(product.fileSizeBytes);

  return (
    <article className="container section product-page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/products">Products</Link> <span aria-hidden="true">/</span>{" "}
        <Link to={`/products?category=${product.category}`}>
          {CATEGORY_LABELS[product.category]}
        </Link>
      </nav>

      <header className="page-header">
        <h1>{product.name}</h1>
        <p className="product-page__tagline">{product.tagline}</p>
        <ul className="tag-list" aria-label="Tags">
          {product.tags.map((tag) => (
            <li key={tag}>
              <Link to={`/products?tag=${encodeURIComponent(tag)}`}>#{tag}</Link>
            </li>
          ))}
        </ul>
      </header>

      <div className="product-page__layout">
        <div className="product-page__content">
          <div
            className="product-card__art product-page__art"
            aria-hidden="true"
            data-category={product.category}
          >
            <span>{product.name.slice(0, 1)}</span>
          </div>
          <section aria-labelledby="about-title">
            <h2 id="about-title">About</h2>
            <TextBlocks text={product.description} />
          </section>
          {product.documentation && (
            <section aria-labelledby="docs-title">
              <h2 id="docs-title">Documentation</h2>
              <TextBlocks text={product.documentation} />
            </section>
          )}
          {product.changelog && (
            <section aria-labelledby="changelog-title">
              <h2 id="changelog-title">Changelog</h2>
              <TextBlocks text={product.changelog} />
            </section>
          )}
        </div>

        <aside className="license-panel" aria-labelledby="licenses-title">
          <h2 id="licenses-title">Licenses</h2>
          <ul className="license-options" role="list">
            {licenses.map((option) => (
              <li key={option.type} className="license-option">
                <div>
                  <strong>{option.label}</strong>
                  <p>{option.summary}</p>
                </div>
                <span className="license-option__price">
                  {formatMoney(option.priceCents, product.currency)}
                </span>
              </li>
            ))}
          </ul>
          <dl className="facts">
            <div>
              <dt>Version</dt>
              <dd>{product.version}</dd>
            </div>
            {size && (
              <div>
                <dt>Download</dt>
                <dd>
                  {product.fileName} · {size}
                </dd>
              </div>
            )}
            <div>
              <dt>Downloads</dt>
              <dd>3 per license in any 14 days</dd>
            </div>
            <div>
              <dt>License term</dt>
              <dd>
                {product.licenseDurationMonths
                  ? `${product.licenseDurationMonths} months`
                  : "Perpetual"}
              </dd>
            </div>
          </dl>
        </aside>
      </div>
    </article>
  );
}

export function ErrorBoundary() {
  return (
    <GeneralErrorBoundary
      statusHandlers={{
        404: ({ params }) => (
          <ErrorPanel
            status={404}
            title="This product isn't in the catalog"
            message={`We couldn't find a product called "${params.slug ?? ""}". It may have been renamed or retired.`}
          />
        ),
      }}
    />
  );
}
