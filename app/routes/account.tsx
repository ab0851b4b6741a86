import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { Outlet } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { NavLinks, type NavItem } from "~/components/nav-links";
import { privatePageHeaders, requireUser } from "~/components/account-layout.server";

/**
 * Everything under /account is someone's own (licenses, keys, credits): it needs a logged-in
 * user and never sits in a cache. Child routes without a `headers` export inherit these.
 */
export const headers = privatePageHeaders;

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context);
  return null;
}

const SECTIONS: NavItem[] = [
  { to: "/account", label: "Overview", end: true },
  { to: "/account/licenses", label: "Licenses" },
  { to: "/account/downloads", label: "Downloads" },
  { to: "/account/purchases", label: "Purchases" },
  { to: "/account/billing", label: "Billing" },
  { to: "/account/membership", label: "Membership" },
  { to: "/account/projects", label: "Projects" },
  { to: "/account/security", label: "Security" },
  { to: "/account/privacy", label: "Privacy" },
];

export default function AccountLayout() {
  return (
    <div className="container section account-layout">
      <NavLinks items={SECTIONS} label="Account" className="sub-nav" />
      <div>
        <Outlet />
      </div>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
