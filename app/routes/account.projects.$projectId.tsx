import {
  data,
  type ActionFunctionArgs,
  type HeadersFunction,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { StatusBoundary } from "~/components/error-boundary";
import { FeaturePaused } from "~/components/feature-paused";
import {
  FormError,
  SelectField,
  SubmitButton,
  TextAreaField,
  useFormReply,
} from "~/components/forms";
import {
  AddOnList,
  Deadline,
  PhaseTimeline,
  ProjectHistory,
  ProjectScope,
  ProjectStatusBadge,
  RevisionTable,
  type AddOnItem,
} from "~/components/studio";
import { ADD_ONS, availableAddOns } from "~/domain/projects/add-ons";
import { PHASE_LABELS, PROJECT_LIMITS, SERVICE_CATEGORY_LABELS } from "~/domain/projects/labels";
import { ClientProjectFormSchema, type ClientProjectForm } from "~/domain/projects/project-forms";
import { checkRevisionRequest } from "~/domain/projects/revisions";
import type { FormReply } from "~/lib/form-reply";
import { formatDate } from "~/lib/format";
import { parseForm } from "~/lib/forms.server";
import { invariantResponse, requireIdParam } from "~/lib/http";
import { redirectWithToast } from "~/lib/toast.server";
import { requireAccountAction } from "~/request/account.server";
import { requireUser } from "~/request/auth.server";
import { featureRefusal } from "~/request/feature-gate.server";
import { refusedForm } from "~/request/refusals.server";
import { readForm } from "~/request/read-form.server";
import { confirmAddOn, requestAddOn, withdrawAddOn } from "~/services/projects/add-ons.server";
import { requestRevision } from "~/services/projects/projects.server";
import { getClientProject } from "~/services/projects/queries.server";
import studioStyles from "~/styles/studio.css?url";

const NOT_FOUND = "There is no such project.";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: studioStyles }];

export const meta: MetaFunction = () => [{ title: "Project — Studio Store" }];

export const headers: HeadersFunction = () => ({ "Cache-Control": "private, no-store" });

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const projectId = requireIdParam(params, "projectId", NOT_FOUND);
  // Someone else's project answers exactly like one that doesn't exist.
  const detail = await getClientProject(context.db, { userId: user.id, projectId });
  invariantResponse(detail, NOT_FOUND, { status: 404 });
  const { project, stints, addOns, history, credits } = detail;
  const accepted = project.acceptedAt !== null;
  const revision = checkRevisionRequest({ ...project, accepted });
  const offersExtraRevision =
    !revision.ok &&
    revision.reason === "revision-cap" &&
    ADD_ONS.EXTRA_REVISION.phases.includes(project.phase);
  const { clientId: _clientId, ...shown } = project;
  return {
    project: { ...shown, accepted },
    stints,
    addOns,
    history: history.map(({ actorId: _actorId, actorRole: _actorRole, ...event }) => event),
    credits,
    revision: revision.ok
      ? { allowed: true as const, left: revision.allowance.left, phase: revision.allowance.phase }
      : { allowed: false as const, reason: revision.reason, message: revision.message },
    offersExtraRevision,
    addOnChoices: availableAddOns({ ...project, accepted }).map(({ type, name, credits }) => ({
      type,
      name,
      credits,
    })),
    now: new Date(),
    // The studio paused (feature flag): no add-on form, its sentence instead.
    studioPaused: (await featureRefusal(context, "studio"))?.message ?? null,
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { user, ...acting } = await requireAccountAction(request, context);
  const projectId = requireIdParam(params, "projectId", NOT_FOUND);
  const formData = await readForm(request);
  const submission = parseForm(formData, ClientProjectFormSchema);
  if (!submission.ok) return data(submission.reply, { status: 400 });
  const input = { ...acting, clientId: user.id };
  const deps = { db: context.db };
  const form: ClientProjectForm = submission.value;
  // New add-ons spend credits: paused with the studio. Revisions and withdrawals go on.
  if (form.intent === "add-on" || form.intent === "confirm-add-on") {
    const paused = await featureRefusal(context, "studio");
    if (paused) return refusedForm(formData, paused);
  }
  const done = (message: string) =>
    redirectWithToast(context, `/account/projects/${projectId}`, { kind: "success", message });

  switch (form.intent) {
    case "revision": {
      const result = await requestRevision(deps, { ...input, projectId, notes: form.notes });
      if (!result.ok) return refusedForm(formData, result);
      return done(`Revision ${result.number} of ${PHASE_LABELS[result.phase]} asked for.`);
    }
    case "add-on": {
      const result = await requestAddOn(deps, {
        ...input,
        projectId,
        type: form.type,
        description: form.description,
      });
      if (!result.ok) return refusedForm(formData, result);
      return done(
        result.credits === null
          ? `${ADD_ONS[form.type].name} requested; the studio will price it.`
          : `${ADD_ONS[form.type].name} requested; ${result.credits} credits reserved.`,
      );
    }
    case "withdraw-add-on": {
      const result = await withdrawAddOn(deps, { ...input, addOnId: form.addOnId });
      if (!result.ok) return refusedForm(formData, result);
      return done("Add-on withdrawn; any reserved credits are back in your balance.");
    }
    case "confirm-add-on": {
      const result = await confirmAddOn(deps, {
        ...input,
        addOnId: form.addOnId,
        credits: form.credits,
      });
      if (!result.ok) return refusedForm(formData, result);
      return done("Confirmed: the credits are reserved and the studio has it in its queue.");
    }
  }
}

// ---- Page -----------------------------------------------------------------------------------

export default function AccountProject() {
  const loaderData = useLoaderData<typeof loader>();
  const { project, stints, addOns, history, credits, now } = loaderData;
  const reply = useActionData<typeof action>();
  const waiting = !project.accepted && project.status === "ACTIVE";
  const declined = !project.accepted && project.status === "CANCELLED";

  return (
    <div className="studio-page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/account/projects">Projects</Link> <span aria-hidden="true">/</span>{" "}
        {project.title}
      </nav>
      <header className="studio-header">
        <h1>{project.title}</h1>
        <p>
          <ProjectStatusBadge status={project.status} accepted={project.accepted} />
          <span>{SERVICE_CATEGORY_LABELS[project.category]}</span>
          {project.accepted && (
            <span data-testid="project-phase">{PHASE_LABELS[project.phase]}</span>
          )}
        </p>
      </header>

      {waiting && (
        <p className="notice" role="status">
          The studio is reading your request; you&apos;ll get an email when it&apos;s accepted.
        </p>
      )}
      {declined && (
        <p className="notice" role="status">
          The studio couldn&apos;t take this project on: {project.cancelReason}
        </p>
      )}
      {project.phase === "PAUSED" && (
        <p className="notice" role="status" data-testid="pause-reason">
          Paused: {project.pauseReason}. It returns to{" "}
          {project.pausedFromPhase ? PHASE_LABELS[project.pausedFromPhase] : "work"} when it
          resumes.
        </p>
      )}
      {project.accepted && project.status === "CANCELLED" && (
        <p className="notice" role="status">
          Cancelled: {project.cancelReason}
        </p>
      )}

      <div className="studio-panels">
        <section className="studio-panel" aria-labelledby="facts-heading">
          <h2 id="facts-heading">Project</h2>
          <dl className="facts">
            <div>
              <dt>Deadline</dt>
              <dd data-testid="deadline">
                <Deadline
                  deadline={project.deadline ?? project.requestedDeadline}
                  status={project.status}
                  now={now}
                />
              </dd>
            </div>
            {project.startDate && (
              <div>
                <dt>Started</dt>
                <dd>{formatDate(project.startDate)}</dd>
              </div>
            )}
            {!project.accepted && project.requestedDeadline && (
              <div>
                <dt>Deadline you asked for</dt>
                <dd>{formatDate(project.requestedDeadline)}</dd>
              </div>
            )}
            {project.budgetNotes && (
              <div>
                <dt>Budget notes</dt>
                <dd>{project.budgetNotes}</dd>
              </div>
            )}
          </dl>
          <h3>What you asked for</h3>
          <p>{project.description}</p>
          {project.accepted && <ProjectScope project={project} />}
        </section>

        <section className="studio-panel" aria-labelledby="timeline-heading">
          <h2 id="timeline-heading">Timeline</h2>
          <PhaseTimeline stints={stints} now={now} />
        </section>
      </div>

      {project.accepted && (
        <div className="studio-panels">
          <section className="studio-panel" aria-labelledby="revisions-heading">
            <h2 id="revisions-heading">Revisions</h2>
            <RevisionTable project={project} />
            <RevisionSection data={loaderData} reply={reply} />
          </section>

          <section className="studio-panel" aria-labelledby="add-ons-heading">
            <h2 id="add-ons-heading">Add-ons</h2>
            <Balance credits={credits} />
            <AddOnList
              addOns={addOns}
              empty="No add-ons yet."
              actions={(addOn) => <ClientAddOnActions addOn={addOn} reply={reply} />}
            />
            <AddOnRequestForm data={loaderData} reply={reply} />
          </section>
        </div>
      )}

      <section className="studio-panel" aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        <ProjectHistory events={history} />
      </section>
    </div>
  );
}

type PageData = ReturnType<typeof useLoaderData<typeof loader>>;

function Balance({ credits }: { credits: PageData["credits"] }) {
  if (!credits) {
    return (
      <p>
        Add-ons are paid with credits. <Link to="/pricing">Become a member</Link> to get credits
        every month.
      </p>
    );
  }
  return (
    <p data-testid="project-balance">
      Your balance: <strong>{`${credits.balance} credits`}</strong> ·{" "}
      <Link to="/account/membership">Top up</Link>
    </p>
  );
}

/** Ask for a revision; past the cap, an EXTRA_REVISION add-on instead of a dead button. */
function RevisionSection({ data: pageData, reply }: { data: PageData; reply?: FormReply }) {
  const form = useFormReply(reply, { intent: "revision" });
  const offer = useFormReply(reply?.values.source === "offer" ? reply : undefined, {
    intent: "add-on",
  });
  const { revision, credits, offersExtraRevision } = pageData;
  if (revision.allowed) {
    return (
      <Form method="post" className="form-stack">
        <FormError>{form.formError}</FormError>
        <TextAreaField
          label={`What should change? (${revision.left} revision${revision.left === 1 ? "" : "s"} left in ${PHASE_LABELS[revision.phase]})`}
          meta={form.field("notes")}
          required
          maxLength={PROJECT_LIMITS.notes}
          rows={3}
        />
        <SubmitButton name="intent" value="revision" pendingText="Sending…">
          Ask for a revision
        </SubmitButton>
      </Form>
    );
  }
  if (!offersExtraRevision) {
    return (
      <p className="muted" data-testid="revision-refusal">
        {revision.message}
      </p>
    );
  }
  const cost = ADD_ONS.EXTRA_REVISION.credits!;
  const affordable = credits !== null && credits.balance >= cost;
  return (
    <div className="form-stack" data-testid="extra-revision-offer">
      <p>{revision.message}</p>
      {affordable ? (
        <Form method="post" className="form-stack">
          <FormError>{offer.formError}</FormError>
          <input type="hidden" name="type" value="EXTRA_REVISION" />
          <input type="hidden" name="source" value="offer" />
          <SubmitButton name="intent" value="add-on" pendingText="Reserving credits…">
            {`Buy an extra revision (${cost} credits)`}
          </SubmitButton>
        </Form>
      ) : (
        <p className="notice">
          {`An extra revision costs ${cost} credits; you have ${credits?.balance ?? 0}.`}{" "}
          <Link to={credits ? "/account/membership" : "/pricing"}>
            {credits ? "Top up your credits" : "Become a member"}
          </Link>{" "}
          to buy one.
        </p>
      )}
    </div>
  );
}

function AddOnRequestForm({ data: pageData, reply }: { data: PageData; reply?: FormReply }) {
  const form = useFormReply(reply?.values.source === "offer" ? undefined : reply, {
    intent: "add-on",
  });
  if (pageData.addOnChoices.length === 0) return null;
  if (pageData.studioPaused) {
    return <FeaturePaused message={pageData.studioPaused} />;
  }
  const options = [
    { value: "", label: "Choose an add-on" },
    ...pageData.addOnChoices.map((choice) => ({
      value: choice.type,
      label: `${choice.name} — ${choice.credits === null ? "priced by the studio" : `${choice.credits} credits`}`,
    })),
  ];
  return (
    <Form method="post" className="form-stack">
      <h3>Request an add-on</h3>
      <FormError>{form.formError}</FormError>
      <SelectField label="Add-on" meta={form.field("type")} options={options} required />
      <TextAreaField
        label="Details (needed for a custom request)"
        meta={form.field("description")}
        maxLength={PROJECT_LIMITS.notes}
        rows={3}
      />
      <SubmitButton name="intent" value="add-on" pendingText="Requesting…">
        Request add-on
      </SubmitButton>
    </Form>
  );
}

function ClientAddOnActions({ addOn, reply }: { addOn: AddOnItem; reply?: FormReply }) {
  const mine = reply?.values.addOnId === addOn.id ? reply : undefined;
  const confirmable = addOn.type === "CUSTOM" && addOn.creditCost !== null && !addOn.reserved;
  if (addOn.status !== "PENDING") return null;
  return (
    <div className="addon-actions">
      {mine?.formError && (
        <p className="form-error" role="alert">
          {mine.formError}
        </p>
      )}
      {confirmable && (
        <Form method="post">
          <input type="hidden" name="addOnId" value={addOn.id} />
          <input type="hidden" name="credits" value={addOn.creditCost ?? ""} />
          <SubmitButton name="intent" value="confirm-add-on" pendingText="Reserving…">
            {`Confirm for ${addOn.creditCost} credits`}
          </SubmitButton>
        </Form>
      )}
      <Form method="post">
        <input type="hidden" name="addOnId" value={addOn.id} />
        <SubmitButton
          name="intent"
          value="withdraw-add-on"
          pendingText="Withdrawing…"
          className="button button--ghost"
        >
          Withdraw
        </SubmitButton>
      </Form>
    </div>
  );
}

export function ErrorBoundary() {
  return (
    <StatusBoundary
      status={404}
      title="There is no such project"
      message="The link may be wrong. Your projects are listed on the projects page."
    />
  );
}
