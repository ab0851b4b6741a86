import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useId } from "react";
import { AuditHistory } from "~/components/audit-history";
import { StatusBoundary } from "~/components/error-boundary";
import { Field, FormError, SubmitButton, TextAreaField, useFormReply } from "~/components/forms";
import {
  AddOnList,
  Deadline,
  PhaseTimeline,
  ProjectScope,
  ProjectStatusBadge,
  RevisionTable,
} from "~/components/studio";
import { can } from "~/domain/auth/permissions";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { deadlineInputValue } from "~/domain/projects/deadlines";
import { PHASE_LABELS, PROJECT_LIMITS, SERVICE_CATEGORY_LABELS } from "~/domain/projects/labels";
import { availablePhaseChanges } from "~/domain/projects/phases";
import { AdminProjectFormSchema } from "~/domain/projects/project-forms";
import type { FormReply } from "~/lib/form-reply";
import { formatDate } from "~/lib/format";
import { invariantResponse, requireIdParam } from "~/lib/http";
import { adminAction } from "~/request/admin-action.server";
import { requirePermission } from "~/request/auth.server";
import {
  acceptProject,
  changePhase,
  declineProject,
  updateProjectTerms,
} from "~/services/projects/projects.server";
import { getProjectForStaff } from "~/services/projects/queries.server";
import studioStyles from "~/styles/studio.css?url";

const ROUTE_ID = "routes/admin.projects.$projectId";
const NOT_FOUND = "There is no such project.";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: studioStyles }];

export const meta: MetaFunction = () => [{ title: "Project — Admin — Studio Store" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const staff = await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
  const projectId = requireIdParam(params, "projectId", NOT_FOUND);
  const detail = await getProjectForStaff(context.db, projectId);
  invariantResponse(detail, NOT_FOUND, { status: 404 });
  const { project } = detail;
  const accepted = project.acceptedAt !== null;
  const canAct = can(staff.role, "projects:manage");
  return {
    ...detail,
    project: { ...project, accepted },
    canAct,
    changes: canAct ? availablePhaseChanges({ ...project, accepted }) : [],
    now: new Date(),
  };
}

export async function action(args: ActionFunctionArgs) {
  return adminAction(args, {
    routeId: ROUTE_ID,
    schema: AdminProjectFormSchema,
    async perform(form, staff) {
      const projectId = requireIdParam(args.params, "projectId", NOT_FOUND);
      const deps = { db: staff.db };
      const input = { ...staff, projectId };
      switch (form.intent) {
        case "accept": {
          const { intent: _intent, startDate, ...terms } = form;
          const result = await acceptProject(deps, { ...input, terms, startDate });
          return result.ok ? { ok: true, toast: "Accepted: the DESIGN phase has begun." } : result;
        }
        case "decline": {
          const result = await declineProject(deps, { ...input, reason: form.reason });
          return result.ok
            ? { ok: true, toast: "Request declined; the client is told why." }
            : result;
        }
        case "update": {
          const { intent: _intent, ...terms } = form;
          const result = await updateProjectTerms(deps, { ...input, terms });
          return result.ok ? { ok: true, toast: "Terms saved." } : result;
        }
        default: {
          const change =
            form.intent === "move"
              ? { kind: "advance" as const, to: form.phase }
              : form.intent === "resume"
                ? { kind: "resume" as const }
                : { kind: form.intent, reason: form.reason };
          const result = await changePhase(deps, {
            ...input,
            expectedPhase: form.expectedPhase,
            change,
          });
          if (!result.ok) return result;
          const { plan } = result;
          return {
            ok: true,
            toast:
              plan.status === "CANCELLED"
                ? "Project cancelled."
                : `The project is ${plan.to === "PAUSED" ? "paused" : `in ${PHASE_LABELS[plan.to]}`} now.`,
          };
        }
      }
    },
  });
}

// ---- Page -----------------------------------------------------------------------------------

type PageData = ReturnType<typeof useLoaderData<typeof loader>>;

export default function AdminProject() {
  const data = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  const { project, client, stints, addOns, history, credits, canAct, changes, now } = data;
  const waiting = !project.accepted && project.status === "ACTIVE";
  const open = project.accepted && project.status !== "CANCELLED";

  return (
    <div className="studio-page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/admin/projects">Projects</Link> <span aria-hidden="true">/</span> {project.title}
      </nav>
      <header className="studio-header">
        <h1>{project.title}</h1>
        <p>
          <ProjectStatusBadge status={project.status} accepted={project.accepted} />
          <span>{SERVICE_CATEGORY_LABELS[project.category]}</span>
          {project.accepted && (
            <span data-testid="project-phase">{PHASE_LABELS[project.phase]}</span>
          )}
          <span>
            for <Link to={`/admin/users/${client.id}`}>{client.name}</Link> ({client.email})
          </span>
        </p>
      </header>

      {project.phase === "PAUSED" && (
        <p className="notice" role="status">
          Paused: {project.pauseReason}
        </p>
      )}
      {project.status === "CANCELLED" && (
        <p className="notice" role="status">
          {project.accepted ? "Cancelled" : "Declined"}: {project.cancelReason}
        </p>
      )}

      {canAct && waiting && <ReviewForms data={data} reply={reply} />}
      {canAct && changes.length > 0 && (
        <section aria-labelledby="transitions-heading">
          <h2 id="transitions-heading">Phase</h2>
          <div className="admin-actions">
            {changes.map((change) => (
              <PhaseForm
                key={change.kind === "advance" ? `advance-${change.to}` : change.kind}
                change={change}
                phase={project.phase}
                pausedFrom={project.pausedFromPhase}
                reply={reply}
              />
            ))}
          </div>
        </section>
      )}

      <div className="studio-panels">
        <section className="studio-panel" aria-labelledby="facts-heading">
          <h2 id="facts-heading">Project</h2>
          <dl className="facts">
            <div>
              <dt>Deadline</dt>
              <dd>
                <Deadline deadline={project.deadline} status={project.status} now={now} />
              </dd>
            </div>
            <div>
              <dt>Client asked for</dt>
              <dd>{formatDate(project.requestedDeadline)}</dd>
            </div>
            <div>
              <dt>Start date</dt>
              <dd>{formatDate(project.startDate)}</dd>
            </div>
            <div>
              <dt>Client&apos;s credits</dt>
              <dd>
                {credits ? `${credits.balance} (${credits.status.toLowerCase()})` : "no membership"}
              </dd>
            </div>
            {project.budgetNotes && (
              <div>
                <dt>Budget notes</dt>
                <dd>{project.budgetNotes}</dd>
              </div>
            )}
          </dl>
          <h3>Request</h3>
          <p>{project.description}</p>
          <ProjectScope project={project} />
        </section>

        <section className="studio-panel" aria-labelledby="timeline-heading">
          <h2 id="timeline-heading">Timeline</h2>
          <PhaseTimeline stints={stints} now={now} />
          <h3>Revisions</h3>
          <RevisionTable project={project} />
        </section>
      </div>

      {canAct && open && <TermsForm data={data} reply={reply} />}

      <section className="studio-panel" aria-labelledby="add-ons-heading">
        <h2 id="add-ons-heading">Add-ons</h2>
        <AddOnList addOns={addOns} empty="No add-ons on this project." />
        {addOns.length > 0 && (
          <p>
            <Link to="/admin/add-ons">Act on them in the add-on queue</Link>
          </p>
        )}
      </section>

      <AuditHistory
        rows={history}
        title="History"
        empty="Nothing recorded for this project yet."
        selfId={client.id}
        fullHistory={{ entity: "project", entityId: project.id }}
      />
    </div>
  );
}

function TermsFields({
  form,
  project,
}: {
  form: ReturnType<typeof useFormReply>;
  project: PageData["project"];
}) {
  return (
    <>
      <TextAreaField
        label="Scope"
        meta={form.field("scope", project.scope)}
        maxLength={PROJECT_LIMITS.scope}
        rows={4}
      />
      <TextAreaField
        label="Approved features (one per line)"
        meta={form.field("features", project.approvedFeatures.join("\n"))}
        rows={4}
      />
      <Field
        label="Deadline"
        type="date"
        meta={form.field(
          "deadline",
          deadlineInputValue(project.deadline ?? project.requestedDeadline),
        )}
        required
      />
      <Field
        label="Design revisions allowed"
        type="number"
        min={0}
        max={PROJECT_LIMITS.revisions}
        meta={form.field("designRevisionsMax", project.designRevisionsMax)}
        required
      />
      <Field
        label="Build revisions allowed"
        type="number"
        min={0}
        max={PROJECT_LIMITS.revisions}
        meta={form.field("buildRevisionsMax", project.buildRevisionsMax)}
        required
      />
    </>
  );
}

function ReviewForms({ data, reply }: { data: PageData; reply?: FormReply }) {
  const accept = useFormReply(reply, { intent: "accept" });
  const decline = useFormReply(reply, { intent: "decline" });
  return (
    <section aria-labelledby="review-heading">
      <h2 id="review-heading">Answer the request</h2>
      <div className="admin-actions">
        <Form method="post" className="admin-panel form-stack" aria-label="Accept the request">
          <h3>Accept</h3>
          <FormError>{accept.formError}</FormError>
          <TermsFields form={accept} project={data.project} />
          <Field
            label="Start date"
            type="date"
            meta={accept.field("startDate", deadlineInputValue(data.now))}
            required
          />
          <SubmitButton name="intent" value="accept" pendingText="Accepting…">
            Accept project
          </SubmitButton>
        </Form>
        <Form method="post" className="admin-panel form-stack" aria-label="Decline the request">
          <h3>Decline</h3>
          <FormError>{decline.formError}</FormError>
          <TextAreaField
            label="Reason (the client reads it)"
            meta={decline.field("reason")}
            required
            maxLength={PROJECT_LIMITS.reason}
          />
          <SubmitButton
            name="intent"
            value="decline"
            pendingText="Declining…"
            className="button button--danger"
          >
            Decline request
          </SubmitButton>
        </Form>
      </div>
    </section>
  );
}

function TermsForm({ data, reply }: { data: PageData; reply?: FormReply }) {
  const form = useFormReply(reply, { intent: "update" });
  return (
    <section className="studio-panel" aria-labelledby="terms-heading">
      <h2 id="terms-heading">Scope, features, revisions and deadline</h2>
      <Form method="post" className="form-stack">
        <FormError>{form.formError}</FormError>
        <TermsFields form={form} project={data.project} />
        <SubmitButton name="intent" value="update" pendingText="Saving…">
          Save terms
        </SubmitButton>
      </Form>
    </section>
  );
}

function PhaseForm({
  change,
  phase,
  pausedFrom,
  reply,
}: {
  change: PageData["changes"][number];
  phase: PageData["project"]["phase"];
  pausedFrom: PageData["project"]["pausedFromPhase"];
  reply?: FormReply;
}) {
  const intent = change.kind === "advance" ? "move" : change.kind;
  const form = useFormReply(reply, { intent });
  const titleId = useId();
  const title =
    change.kind === "advance"
      ? `Move to ${PHASE_LABELS[change.to]}`
      : change.kind === "pause"
        ? "Pause"
        : change.kind === "resume"
          ? `Resume (back to ${pausedFrom ? PHASE_LABELS[pausedFrom] : "work"})`
          : "Cancel project";
  return (
    <Form method="post" className="admin-panel form-stack" aria-labelledby={titleId}>
      <h3 id={titleId}>{title}</h3>
      <FormError>{form.formError}</FormError>
      {/* The phase this page showed: if someone moved the project since, nothing changes. */}
      <input type="hidden" name="expectedPhase" value={phase} />
      {change.kind === "advance" && <input type="hidden" name="phase" value={change.to} />}
      {(change.kind === "pause" || change.kind === "cancel") && (
        <TextAreaField
          label="Reason (the client reads it)"
          meta={form.field("reason")}
          required
          maxLength={PROJECT_LIMITS.reason}
        />
      )}
      <SubmitButton
        name="intent"
        value={intent}
        pendingText="Saving…"
        className={change.kind === "cancel" ? "button button--danger" : "button"}
      >
        {title}
      </SubmitButton>
    </Form>
  );
}

export function ErrorBoundary() {
  return (
    <StatusBoundary
      status={404}
      title="There is no such project"
      message="The link may be wrong. Find it on the projects page."
    />
  );
}
