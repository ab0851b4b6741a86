import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { NavLink, Outlet } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { requireUser } from "~/request/auth.server";

/** Everything under /account needs a logged-in user. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context);
  return null;
}

const SECTIONS = [
  { to: "/account", label: "Overview", end: true },
  { to: "/account/licenses", label: "Licenses", end: false },
  { to: "/account/downloads", label: "Downloads", end: false },
  { to: "/account/purchases", label: "Purchases", end: false },
  { to: "/account/membership", label: "Membership", end: false },
  { to: "/account/projects", label: "Projects", end: false },
  { to: "/account/security", label: "Security", end: false },
];

export default function AccountLayout() {
  return (
    <div className="container section account-layout">
      <nav aria-label="Account" className="sub-nav">
        <ul>
          {SECTIONS.map((section) => (
            <li key={section.to}>
              <NavLink to={section.to} end={section.end}>
                {section.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div>
        <Outlet />
      </div>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
