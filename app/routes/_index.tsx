import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/page";
import {
  homeServices,
  homeTiers,
  keptCatalogRead,
  listFeaturedProducts,
  productCardView,
  publicPageData,
  publicPageHeaders,
} from "~/components/home-page.server";
import { catalogStyles, ProductGrid } from "~/components/product-card";
import type { loader as rootLoader } from "~/root";
import homeStyles from "~/styles/home.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: catalogStyles },
  { rel: "stylesheet", href: homeStyles },
];

export const meta: MetaFunction = () => [
  { title: "Studio Store — templates, UI kits and a design studio" },
  {
    name: "description",
    content:
      "Templates, themes, UI kits and icons under fair licenses, and a studio for design, build and care.",
  },
];

/**
 * The page's words come with the data (service names, plan prices, product cards), so the label
 * tables, the tier table and the money formatter are not shipped to the browser.
 */
export async function loader({ context }: LoaderFunctionArgs) {
  const featured = await keptCatalogRead(context, "home:featured", async () =>
    (await listFeaturedProducts(context.db)).map((product) =>
      productCardView(product, context.env.imageResizing),
    ),
  );
  return publicPageData({
    featured,
    services: homeServices(SERVICES),
    tiers: homeTiers(),
  });
}

export const headers = publicPageHeaders;

/** Where "Request a project" goes: the form, through the log-in page for visitors. */
const PROJECT_REQUEST_PATH = "/account/projects/new";

/** What the studio does, in the words of the project request form's categories. */
const SERVICES = [
  {
    category: "WEB_DESIGN",
    text: "Identity, layouts and a design system your team can keep using.",
  },
  {
    category: "WEB_DEVELOPMENT",
    text: "Fast, accessible sites and storefronts, built on the stack you already run.",
  },
  {
    category: "MOBILE_APP",
    text: "From a clickable prototype to an app in the stores.",
  },
  {
    category: "MAINTENANCE",
    text: "Updates, fixes and content edits after launch, paid from membership credits.",
  },
] as const;

const STEPS = [
  { title: "Request", text: "Tell us what you need and by when. It takes five minutes." },
  { title: "Agree", text: "We reply with scope, features, a deadline and the revisions included." },
  { title: "Design and build", text: "Follow every phase on your project page; ask for changes." },
  { title: "Launch and care", text: "Post-launch support, with add-ons paid in credits." },
];

export default function Home() {
  const { featured, services, tiers } = useLoaderData<typeof loader>();
  const signedIn = Boolean(useRouteLoaderData<typeof rootLoader>("root")?.account);
  const requestHref = signedIn
    ? PROJECT_REQUEST_PATH
    : `/login?redirectTo=${encodeURIComponent(PROJECT_REQUEST_PATH)}`;

  return (
    <>
      <section className="hero home-hero">
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
            <Link to={requestHref} className="button button--large button--ghost">
              Start a project
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

      <section
        id="studio"
        className="home-band"
        aria-labelledby="studio-title"
        data-testid="home-services"
      >
        <div className="container section">
          <div className="section__header">
            <div>
              <p className="eyebrow">The studio</p>
              <h2 id="studio-title">Client projects, start to launch</h2>
            </div>
          </div>
          <ul className="home-services" role="list">
            {services.map((service) => (
              <li key={service.category} className="home-card">
                <h3>{service.label}</h3>
                <p>{service.text}</p>
              </li>
            ))}
          </ul>
          <ol className="home-steps">
            {STEPS.map((step, index) => (
              <li key={step.title}>
                <span className="home-steps__number" aria-hidden="true">
                  {index + 1}
                </span>
                <div>
                  <h3>{step.title}</h3>
                  <p>{step.text}</p>
                </div>
              </li>
            ))}
          </ol>
        </div>
      </section>

      <section
        className="container section"
        aria-labelledby="memberships-title"
        data-testid="home-memberships"
      >
        <div className="section__header">
          <div>
            <p className="eyebrow">Memberships</p>
            <h2 id="memberships-title">Credits every month for the work after launch</h2>
          </div>
          <Link to="/pricing">Compare plans →</Link>
        </div>
        <ul className="home-tiers" role="list">
          {tiers.map((config) => (
            <li key={config.tier} className="home-card home-tier" data-tier={config.tier}>
              <h3>{config.name}</h3>
              <p className="home-tier__price">
                <strong>{config.price}</strong> every {config.periodDays} days
              </p>
              <p>{config.summary}</p>
              <p className="home-tier__credits">
                {config.creditsPerPeriod} credits a period, up to {config.rolloverCap} roll over
              </p>
              <ul className="home-tier__features">
                {config.features.map((feature) => (
                  <li key={feature}>{feature}</li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      </section>

      <section className="container section" aria-labelledby="cta-title">
        <div className="home-cta">
          <div>
            <h2 id="cta-title">Have a project in mind?</h2>
            <p>
              Request it with a short description and a deadline; the studio answers with scope,
              features and the revisions included before any work starts.
            </p>
          </div>
          <Link to={requestHref} className="button button--large" data-testid="home-cta">
            Request a project
          </Link>
        </div>
      </section>
    </>
  );
}
