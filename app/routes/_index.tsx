import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/empty-state";
import { ProductGrid } from "~/components/product-card";
import { publicPageData, publicPageHeaders } from "~/request/page-cache.server";
import { listFeaturedProducts } from "~/services/catalog.server";
import catalogStyles from "~/styles/catalog.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: catalogStyles }];

export async function loader({ context }: LoaderFunctionArgs) {
  const featured = await listFeaturedProducts(context.db);
  return publicPageData({ featured });
}

export const headers = publicPageHeaders;

export default function Home() {
  const { featured } = useLoaderData<typeof loader>();
  return (
    <>
      <section className="hero">
        <div className="container hero__inner">
          <p className="eyebrow">Templates · themes · UI kits · services</p>
          <h1>Design assets you can ship, and a studio when you need one.</h1>
          <p className="hero__lead">
            Buy a license once and download the files you paid for — personal, commercial or for
            your whole team. When a project needs more than a template, hire the studio.
          </p>
          <p className="hero__actions">
            <Link to="/products" className="button button--large">
              Browse the catalog
            </Link>
          </p>
        </div>
      </section>

      <section className="container section" aria-labelledby="featured-title">
        <div className="section__header">
          <h2 id="featured-title">Featured products</h2>
          <Link to="/products">See all products →</Link>
        </div>
        {featured.length > 0 ? (
          <ProductGrid products={featured} />
        ) : (
          <EmptyState title="Nothing featured yet">
            <p>New releases show up here. The full catalog is one click away.</p>
          </EmptyState>
        )}
      </section>

      <section className="container section teaser-grid" aria-label="What else the studio offers">
        <article className="teaser">
          <h2>Client projects</h2>
          <p>
            Design, build and post-launch support with clear phases and a fixed number of revisions,
            so you always know where your project stands.
          </p>
        </article>
        <article className="teaser">
          <h2>Memberships</h2>
          <p>
            Credits every month for edits, support calls and rush delivery, with unused credits
            rolling over up to a cap.
          </p>
        </article>
        <article className="teaser">
          <h2>Fair licenses</h2>
          <p>
            Three downloads in any 14 days per license, a reset when you need one, and a key your
            software can validate.
          </p>
        </article>
      </section>
    </>
  );
}
