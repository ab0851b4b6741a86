import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useId } from "react";
import { Muted, UserLink } from "~/components/admin-page";
import { DataTable } from "~/components/data-table";
import { EmptyState } from "~/components/page";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { useIsFiltering } from "~/components/forms";
import { Deadline, PagePager, ProjectStatusBadge } from "~/components/studio";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import {
  PHASE_LABELS,
  PHASE_OPTIONS,
  PROJECT_QUEUE_OPTIONS,
  SERVICE_CATEGORY_LABELS,
  SERVICE_CATEGORY_OPTIONS,
  SERVICE_STATUS_OPTIONS,
} from "~/domain/projects/labels";
import { parseSearch, ProjectSearchSchema } from "~/domain/projects/project-forms";
import { requirePermission } from "~/request/auth.server";
import { searchProjects } from "~/services/projects/queries.server";
import studioStyles from "~/styles/studio.css?url";

const ROUTE_ID = "routes/admin.projects._index";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: studioStyles }];

export const meta: MetaFunction = () => [{ title: "Projects — Admin — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
  const search = parseSearch(ProjectSearchSchema, new URL(request.url));
  const now = new Date();
  return { search, now, ...(await searchProjects(context.db, search, now)) };
}

const FILTERS = [
  { name: "queue", label: "Needs attention", any: "All projects", options: PROJECT_QUEUE_OPTIONS },
  { name: "phase", label: "Phase", any: "Any phase", options: PHASE_OPTIONS },
  { name: "status", label: "Status", any: "Any status", options: SERVICE_STATUS_OPTIONS },
  { name: "category", label: "Category", any: "Any category", options: SERVICE_CATEGORY_OPTIONS },
] as const;

export default function AdminProjects() {
  const { search, items, page, pages, total, now } = useLoaderData<typeof loader>();
  const id = useId();
  const searching = useIsFiltering();
  const filtering = Boolean(
    search.queue || search.phase || search.status || search.category || search.client,
  );
  return (
    <div className="studio-page">
      <header>
        <h1>Projects</h1>
        <p className="muted">
          Client projects, overdue first, then requests waiting for an answer. {total} in all.
        </p>
      </header>

      <Form method="get" className="filters" role="search" aria-label="Search projects">
        <div className="field">
          <label htmlFor={`${id}-client`}>Client email or name</label>
          <input
            id={`${id}-client`}
            name="client"
            type="search"
            defaultValue={search.client ?? ""}
            maxLength={100}
          />
        </div>
        {FILTERS.map((filter) => (
          <div className="field" key={filter.name}>
            <label htmlFor={`${id}-${filter.name}`}>{filter.label}</label>
            <select
              id={`${id}-${filter.name}`}
              name={filter.name}
              defaultValue={search[filter.name] ?? ""}
            >
              <option value="">{filter.any}</option>
              {filter.options.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          </div>
        ))}
        <button type="submit" className="button" disabled={searching}>
          {searching ? "Searching…" : "Search"}
        </button>
        {filtering && (
          <Link to="/admin/projects" className="button button--ghost">
            Clear
          </Link>
        )}
      </Form>

      <DataTable
        rows={items}
        testId="admin-projects"
        rowProps={(item) => ({ "data-overdue": String(item.overdue) })}
        empty={
          <EmptyState title={filtering ? "No projects match this search" : "No projects yet"}>
            <p>
              {filtering
                ? "Try another phase, status or category, or part of the client's email."
                : "Projects appear here when clients request them."}
            </p>
          </EmptyState>
        }
        columns={[
          {
            header: "Project",
            cell: (item) => <Link to={`/admin/projects/${item.id}`}>{item.title}</Link>,
          },
          {
            header: "Client",
            cell: (item) => (
              <>
                <UserLink id={item.clientId} name={item.clientName} />
                <br />
                <Muted>{item.clientEmail}</Muted>
              </>
            ),
          },
          { header: "Category", cell: (item) => SERVICE_CATEGORY_LABELS[item.category] },
          { header: "Phase", cell: (item) => (item.acceptedAt ? PHASE_LABELS[item.phase] : "—") },
          {
            header: "Status",
            cell: (item) => (
              <ProjectStatusBadge status={item.status} accepted={item.acceptedAt !== null} />
            ),
          },
          {
            header: "Deadline",
            cell: (item) => (
              <Deadline
                deadline={item.deadline ?? item.requestedDeadline}
                status={item.status}
                now={now}
              />
            ),
          },
          { header: "Add-ons pending", cell: (item) => item.pendingAddOns },
        ]}
      />
      <PagePager page={page} pages={pages} />
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
