import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Facts } from "~/components/facts";
import { FeaturePaused } from "~/components/feature-paused";
import { Markdown } from "~/components/markdown";
import { catalogStyles, ProductArt } from "~/components/product-card";
import { ProductGallery } from "~/components/product-gallery";
import {
  featureRefusal,
  getPublishedProduct,
  keptCatalogRead,
  productPageView,
  publicPageData,
  publicPageHeaders,
} from "~/components/product-page.server";
import { invariantResponse } from "~/lib/http";
import type { loader as rootLoader } from "~/root";
import galleryStyles from "~/styles/gallery.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: catalogStyles },
  { rel: "stylesheet", href: galleryStyles },
];

export async function loader({ params, context }: LoaderFunctionArgs) {
  const slug = params.slug ?? "";
  invariantResponse(/^[a-z0-9-]{1,120}$/.test(slug), "Product not found", { status: 404 });
  // Words, prices and Markdown come ready from the server (product-page.server.ts), made once
  // per catalog version in this isolate.
  const view = await keptCatalogRead(context, `product:${slug}`, async () => {
    const found = await getPublishedProduct(context.db, slug);
    return found ? productPageView(found, context.env.imageResizing) : null;
  });
  invariantResponse(view, "Product not found", { status: 404 });
  // Checkout paused (feature flag): the prices stay, the Buy button gives way to the sentence.
  const checkoutPaused = (await featureRefusal(context, "checkout"))?.message ?? null;
  return publicPageData({ ...view, checkoutPaused });
}

export const headers = publicPageHeaders;

export const meta: MetaFunction<typeof loader> = ({ data }) => {
  const product = data?.product;
  if (!product) return [{ title: "Product not found — Studio Store" }];
  return [
    { title: `${product.name} — Studio Store` },
    { name: "description", content: product.tagline },
  ];
};

/**
 * The license choice. Signed-in visitors post it to checkout; anonymous visitors see the same
 * prices and are sent to log in first (and back here afterwards).
 */
function BuyForm({
  slug,
  licenses,
  signedIn,
  paused,
}: {
  slug: string;
  licenses: { type: string; label: string; summary: string; price: string }[];
  signedIn: boolean;
  paused: string | null;
}) {
  return (
    <Form method="post" action={`/checkout/${slug}`} className="buy-form">
      <fieldset>
        <legend>Choose a license</legend>
        <ul className="license-options" role="list">
          {licenses.map((option, index) => (
            <li key={option.type} className="license-option">
              <label>
                <input
                  type="radio"
                  name="licenseType"
                  value={option.type}
                  defaultChecked={index === 0}
                  required
                />
                <div>
                  <strong>{option.label}</strong>
                  <p>{option.summary}</p>
                </div>
                <span className="license-option__price">{option.price}</span>
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      {paused ? (
        <FeaturePaused message={paused} />
      ) : signedIn ? (
        <button type="submit" className="button button--large buy-form__submit">
          Buy
        </button>
      ) : (
        <Link
          to={`/login?redirectTo=${encodeURIComponent(`/products/${slug}`)}`}
          className="button button--large buy-form__submit"
        >
          Log in to buy
        </Link>
      )}
    </Form>
  );
}

export default function ProductPage() {
  const { product, gallery, prose, licenses, facts, checkoutPaused } =
    useLoaderData<typeof loader>();
  const root = useRouteLoaderData<typeof rootLoader>("root");

  return (
    <article className="container section product-page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/products">Products</Link> <span aria-hidden="true">/</span>{" "}
        <Link to={`/products?category=${product.category}`}>{product.categoryLabel}</Link>
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
          {gallery.length > 0 ? (
            <ProductGallery images={gallery} label={`Pictures of ${product.name}`} />
          ) : (
            <ProductArt product={product} className="product-page__art" />
          )}
          {prose.map(
            ({ id, title, html }) =>
              html && (
                <section key={id} aria-labelledby={`${id}-title`}>
                  <h2 id={`${id}-title`}>{title}</h2>
                  <Markdown html={html} />
                </section>
              ),
          )}
        </div>

        <aside className="license-panel" aria-labelledby="licenses-title">
          <h2 id="licenses-title">Licenses</h2>
          <BuyForm
            slug={product.slug}
            licenses={licenses}
            signedIn={Boolean(root?.account)}
            paused={checkoutPaused}
          />
          <Facts facts={facts} />
        </aside>
      </div>
    </article>
  );
}

export function ErrorBoundary() {
  return (
    <GeneralErrorBoundary
      statusHandlers={{
        404: ({ params }) => ({
          title: "This product isn't in the catalog",
          message: `We couldn't find a product called "${params.slug ?? ""}". It may have been renamed or retired.`,
        }),
      }}
    />
  );
}
