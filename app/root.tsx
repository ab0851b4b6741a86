import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import {
  Links,
  LiveReload,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { GeneralErrorBoundary } from "./components/error-boundary";
import { useNonce } from "./components/nonce";
import { SiteFooter } from "./components/site-footer";
import { SiteHeader } from "./components/site-header";
import { Toast } from "./components/toast";
import { VerifyEmailBanner } from "./components/verify-email-banner";
import { consumeToast, data, getCurrentUser } from "./components/root.server";
import baseStyles from "./styles/base.css?url";
import componentStyles from "./styles/components.css?url";
import layoutStyles from "./styles/layout.css?url";
import tokenStyles from "./styles/tokens.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: tokenStyles },
  { rel: "stylesheet", href: baseStyles },
  { rel: "stylesheet", href: layoutStyles },
  { rel: "stylesheet", href: componentStyles },
  // Browsers that read SVG icons take the first; the rest (and /favicon.ico probes) the ICO.
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
  { rel: "icon", href: "/favicon.ico", sizes: "16x16 32x32 48x48" },
];

export const meta: MetaFunction = () => [
  { title: "Studio Store — templates, UI kits and design services" },
  {
    name: "description",
    content:
      "Licensed templates, themes and UI kits, plus design and build services from the studio.",
  },
];

/** Who is logged in (for the header) and the one-time toast a redirect left. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const [user, { toast, headers }] = await Promise.all([
    getCurrentUser(request, context),
    consumeToast(request, context),
  ]);
  const account = user
    ? { name: user.name, email: user.email, role: user.role, verified: !!user.emailVerifiedAt }
    : null;
  return data({ account, toast }, { headers: headers ?? undefined });
}

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  // Absent when the root loader itself failed (the error boundary still renders this layout).
  const data = useRouteLoaderData<typeof loader>("root");
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <SiteHeader account={data?.account ?? null} />
        {data?.account && !data.account.verified && (
          <VerifyEmailBanner email={data.account.email} />
        )}
        <Toast toast={data?.toast ?? null} />
        <main id="main" className="site-main">
          {children}
        </main>
        <SiteFooter />
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
        {/* Renders nothing in production builds; `npm run dev` reloads the page on rebuild. */}
        <LiveReload nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
