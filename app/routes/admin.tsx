import type {
  HeadersFunction,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import { Outlet, useLoaderData } from "@remix-run/react";
import { StatusBoundary } from "~/components/error-boundary";
import { NavLinks, type NavItem } from "~/components/nav-links";
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
  return { staff: { name: staff.name, role: staff.role }, hidden };
}

/** The sections of the admin area; more join as their features land. */
const SECTIONS: Array<NavItem & { capability?: Capability }> = [
  { to: "/admin", label: "Dashboard", end: true },
  { to: "/admin/products", label: "Products", capability: "products:manage" },
  { to: "/admin/users", label: "Users" },
  { to: "/admin/purchases", label: "Purchases" },
  { to: "/admin/licenses", label: "Licenses" },
  { to: "/admin/reset-requests", label: "Reset requests" },
  { to: "/admin/memberships", label: "Memberships" },
  { to: "/admin/projects", label: "Projects" },
  { to: "/admin/add-ons", label: "Add-ons" },
  { to: "/admin/outbox", label: "Outbox" },
  { to: "/admin/audit", label: "Audit log", capability: "audit:read" },
  { to: "/admin/backups", label: "Backups", capability: "backups:run" },
  { to: "/admin/flags", label: "Feature flags", capability: "flags:manage" },
];

export default function AdminLayout() {
  const { staff, hidden } = useLoaderData<typeof loader>();
  return (
    <div className="container admin">
      <aside className="admin__sidebar">
        <p className="admin__title">Admin</p>
        <NavLinks
          items={SECTIONS.filter((section) => !hidden.includes(section.to))}
          label="Admin"
          className="admin-nav"
        />
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
    <StatusBoundary
      status={403}
      title="This part of the admin area isn't open to you"
      message="Your role doesn't include it. Ask an owner if you need access."
    />
  );
}
