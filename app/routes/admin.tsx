import type {
  HeadersFunction,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import { NavLink, Outlet, useLoaderData } from "@remix-run/react";
import { ErrorPanel, GeneralErrorBoundary } from "~/components/error-boundary";
import { can, type Capability } from "~/domain/auth/permissions";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { requirePermission } from "~/request/auth.server";
import adminStyles from "~/styles/admin.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }];

export const meta: MetaFunction = () => [
  { title: "Admin — Studio Store" },
  { name: "robots", content: "noindex" },
];

/** Staff pages hold personal data: never cached anywhere, whatever a child route says. */
export const headers: HeadersFunction = () => ({
  "Cache-Control": "private, no-store",
  "X-Robots-Tag": "noindex",
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const staff = await requirePermission(
    request,
    context,
    ADMIN_ROUTE_POLICY["routes/admin"].loader,
  );
  const hidden = SECTIONS.filter(
    (section) => section.capability && !can(staff.role, section.capability),
  ).map((section) => section.to);
  return Response.json({ staff: { name: staff.name, role: staff.role }, hidden });
}

type LoaderData = { staff: { name: string; role: string }; hidden: string[] };

/** The sections of the admin area; more join as their features land. */
const SECTIONS: Array<{ to: string; label: string; end: boolean; capability?: Capability }> = [
  { to: "/admin", label: "Dashboard", end: true },
  { to: "/admin/products", label: "Products", end: false, capability: "products:manage" },
  { to: "/admin/users", label: "Users", end: false },
  { to: "/admin/purchases", label: "Purchases", end: false },
  { to: "/admin/licenses", label: "Licenses", end: false },
  { to: "/admin/reset-requests", label: "Reset requests", end: false },
  { to: "/admin/memberships", label: "Memberships", end: false },
  { to: "/admin/outbox", label: "Outbox", end: false },
  { to: "/admin/backups", label: "Backups", end: false, capability: "backups:run" },
];

export default function AdminLayout() {
  const { staff, hidden } = useLoaderData<LoaderData>();
  return (
    <div className="container admin">
      <aside className="admin__sidebar">
        <p className="admin__title">Admin</p>
        <nav aria-label="Admin" className="admin-nav">
          <ul role="list">
            {SECTIONS.filter((section) => !hidden.includes(section.to)).map((section) => (
              <li key={section.to}>
                <NavLink to={section.to} end={section.end} prefetch="intent">
                  {section.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <p className="admin__who">
          Signed in as <strong>{staff.name}</strong> ({staff.role.toLowerCase()})
        </p>
      </aside>
      <div className="admin__content">
        <Outlet />
      </div>
    </div>
  );
}

export function ErrorBoundary() {
  return (
    <GeneralErrorBoundary
      statusHandlers={{
        403: () => (
          <ErrorPanel
            status={403}
            title="This part of the admin area isn't open to you"
            message="Your role doesn't include it. Ask an owner if you need access."
          />
        ),
      }}
    />
  );
}
