import type {
  HeadersFunction,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/page";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Deadline, ProjectStatusBadge } from "~/components/studio";
import { PHASE_LABELS, SERVICE_CATEGORY_LABELS } from "~/domain/projects/labels";
import { requireUser } from "~/request/auth.server";
import { listClientProjects } from "~/services/projects/queries.server";
import studioStyles from "~/styles/studio.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: studioStyles }];

export const meta: MetaFunction = () => [{ title: "Your projects — Studio Store" }];

/** A client's projects are private. */
export const headers: HeadersFunction = () => ({ "Cache-Control": "private, no-store" });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return { projects: await listClientProjects(context.db, user.id), now: new Date() };
}

export default function AccountProjects() {
  const { projects, now } = useLoaderData<typeof loader>();
  return (
    <div className="studio-page">
      <header className="page-header">
        <h1>Projects</h1>
        <p>
          Work the studio does for you: phases, revisions and add-ons paid with your credits.{" "}
          <Link to="/account/projects/new" className="button">
            Request a project
          </Link>
        </p>
      </header>

      {projects.length === 0 ? (
        <EmptyState title="No projects yet">
          <p>
            Tell us what you need and we&apos;ll reply with a scope, the features we agree on and a
            deadline. <Link to="/account/projects/new">Request a project</Link>.
          </p>
        </EmptyState>
      ) : (
        <ul className="project-list" data-testid="project-list">
          {projects.map((project) => (
            <li key={project.id}>
              <h2>
                <Link to={`/account/projects/${project.id}`}>{project.title}</Link>
              </h2>
              <p>
                <ProjectStatusBadge
                  status={project.status}
                  accepted={project.acceptedAt !== null}
                />
                <span>{SERVICE_CATEGORY_LABELS[project.category]}</span>
                {project.acceptedAt && <span>{PHASE_LABELS[project.phase]}</span>}
                <span>
                  Deadline:{" "}
                  <Deadline
                    deadline={project.deadline ?? project.requestedDeadline}
                    status={project.status}
                    now={now}
                  />
                </span>
                {project.pendingAddOns > 0 && (
                  <span>
                    {project.pendingAddOns} add-on{project.pendingAddOns === 1 ? "" : "s"} pending
                  </span>
                )}
              </p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
