import { Link, useLocation } from "@remix-run/react";
import type { ReactNode } from "react";
import type { AddOnStatus, ProjectPhase, ServiceStatus } from "#db/schema/enums";
import { DataTable } from "./data-table";
import { ADD_ONS } from "~/domain/projects/add-ons";
import { deadlineState, describeDeadline } from "~/domain/projects/deadlines";
import { describeProjectEvent, type ProjectEvent } from "~/domain/projects/history";
import {
  ADD_ON_STATUS_LABELS,
  PHASE_LABELS,
  SERVICE_STATUS_LABELS,
  statusTone,
} from "~/domain/projects/labels";
import { revisionAllowances, type RevisionCounters } from "~/domain/projects/revisions";
import { formatDuration, timeInPhases, type Stint } from "~/domain/projects/time-in-phase";
import { formatDate, isoDateTime } from "~/lib/format";
import { LocalTime } from "~/components/local-time";

/** The studio's shared page parts (docs/architecture.md §10), for the client's and staff's pages. */

const badge = (tone: string) => (tone === "neutral" ? "badge" : `badge badge--${tone}`);

/** "Awaiting review" and "Declined" for requests; the ServiceStatus otherwise. */
export function ProjectStatusBadge({
  status,
  accepted,
}: {
  status: ServiceStatus;
  accepted: boolean;
}) {
  if (!accepted) {
    return status === "CANCELLED" ? (
      <span className="badge badge--danger">Declined</span>
    ) : (
      <span className="badge">Awaiting review</span>
    );
  }
  return <span className={badge(statusTone(status))}>{SERVICE_STATUS_LABELS[status]}</span>;
}

export function AddOnStatusBadge({ status }: { status: AddOnStatus }) {
  return <span className={badge(statusTone(status))}>{ADD_ON_STATUS_LABELS[status]}</span>;
}

/** The deadline with the days left, or how long it is overdue. */
export function Deadline({
  deadline,
  status,
  now,
}: {
  deadline: Date | null;
  status: ServiceStatus;
  now: Date;
}) {
  const state = deadlineState({ deadline, status }, now);
  if (state.kind === "none") return <span className="muted">not set yet</span>;
  const words = describeDeadline(state);
  return (
    <span>
      <time dateTime={isoDateTime(deadline)}>{formatDate(deadline)}</time>
      {words && (
        <>
          {" · "}
          <span className={state.kind === "overdue" ? "overdue" : undefined}>{words}</span>
        </>
      )}
    </span>
  );
}

/** The phase stints in order, each with its length, and the total per phase. */
export function PhaseTimeline({
  stints,
  now,
}: {
  stints: ReadonlyArray<Stint & { id: string; notes: string | null }>;
  now: Date;
}) {
  if (stints.length === 0) {
    return <p className="muted">The timeline starts when the studio accepts the project.</p>;
  }
  const times = timeInPhases(stints, now);
  const phases = (Object.keys(times.byPhase) as ProjectPhase[]).filter(
    (phase) => times.byPhase[phase] > 0 || stints.some((stint) => stint.phase === phase),
  );
  return (
    <>
      <ol className="phase-timeline" data-testid="phase-timeline">
        {times.stints.map(({ stint, ms, open }) => (
          <li key={stint.id} data-open={open} data-phase={stint.phase}>
            <span className="phase-timeline__phase">{PHASE_LABELS[stint.phase]}</span>{" "}
            <span>{open ? `for ${formatDuration(ms)} so far` : formatDuration(ms)}</span>
            <span className="phase-timeline__when">
              <LocalTime value={stint.startedAt} /> –{" "}
              <LocalTime value={stint.completedAt} empty="now" />
            </span>
            {stint.notes && <span className="phase-timeline__notes">{stint.notes}</span>}
          </li>
        ))}
      </ol>
      <dl className="facts phase-totals" aria-label="Time per phase">
        {phases.map((phase) => (
          <div key={phase}>
            <dt>{PHASE_LABELS[phase]}</dt>
            <dd>{formatDuration(times.byPhase[phase])}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}

/** The agreed scope and the approved features. */
export function ProjectScope({
  project,
}: {
  project: { scope: string; approvedFeatures: readonly string[] };
}) {
  return (
    <>
      <h3>Scope</h3>
      <p>{project.scope || "—"}</p>
      <h3>Approved features</h3>
      {project.approvedFeatures.length === 0 ? (
        <p className="muted">None listed yet.</p>
      ) : (
        <ul className="feature-list" data-testid="approved-features">
          {project.approvedFeatures.map((feature) => (
            <li key={feature}>{feature}</li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Revisions used and left in DESIGN and BUILD. */
export function RevisionTable({ project }: { project: RevisionCounters }) {
  return (
    <DataTable
      rows={revisionAllowances(project)}
      testId="revisions"
      rowKey={(allowance) => allowance.phase}
      rowProps={(allowance) => ({ "data-phase": allowance.phase })}
      columns={[
        { header: "Phase", rowHeader: true, cell: (allowance) => PHASE_LABELS[allowance.phase] },
        { header: "Used", cell: (allowance) => allowance.used },
        { header: "Allowed", cell: (allowance) => allowance.max },
        { header: "Left", cell: (allowance) => allowance.left },
      ]}
    />
  );
}

export interface AddOnItem {
  id: string;
  type: keyof typeof ADD_ONS;
  status: AddOnStatus;
  description: string;
  creditCost: number | null;
  reserved: boolean;
  refunded: boolean;
  reviewNotes: string | null;
  withdrawnAt: Date | null;
  createdAt: Date;
}

/** What an add-on costs, in words: reserved, refunded, or waiting for a price. */
export function addOnCost(addOn: Pick<AddOnItem, "creditCost" | "reserved" | "refunded">) {
  if (addOn.creditCost === null) return "to be priced";
  if (addOn.refunded) return `${addOn.creditCost} credits, refunded`;
  if (!addOn.reserved) return `${addOn.creditCost} credits, waiting for your confirmation`;
  return `${addOn.creditCost} credits`;
}

export function AddOnList({
  addOns,
  actions,
  empty,
}: {
  addOns: readonly AddOnItem[];
  actions?: (addOn: AddOnItem) => ReactNode;
  empty: string;
}) {
  if (addOns.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ul className="addon-list" data-testid="add-ons">
      {addOns.map((addOn) => (
        <li key={addOn.id} data-type={addOn.type} data-status={addOn.status}>
          <div className="addon-list__head">
            <strong>{ADD_ONS[addOn.type].name}</strong>
            <span>
              <AddOnStatusBadge status={addOn.status} />
              {addOn.withdrawnAt && <span className="muted"> (withdrawn)</span>}
            </span>
          </div>
          <p>
            {addOnCost(addOn)} · asked for {formatDate(addOn.createdAt)}
          </p>
          {addOn.description && <p>{addOn.description}</p>}
          {addOn.reviewNotes && <p className="muted">Studio: {addOn.reviewNotes}</p>}
          {actions?.(addOn)}
        </li>
      ))}
    </ul>
  );
}

/** The project's history as sentences, newest first. */
export function ProjectHistory({
  events,
}: {
  events: ReadonlyArray<ProjectEvent & { id: string; createdAt: Date }>;
}) {
  if (events.length === 0) return <p className="muted">Nothing has happened yet.</p>;
  return (
    <ol className="project-history" data-testid="project-history">
      {events.map((event) => (
        <li key={event.id}>
          <LocalTime value={event.createdAt} />
          {describeProjectEvent(event)}
        </li>
      ))}
    </ol>
  );
}

/** Previous / next page links that keep the other query parameters. */
export function PagePager({ page, pages }: { page: number; pages: number }) {
  const location = useLocation();
  if (pages <= 1) return null;
  const to = (target: number) => {
    const params = new URLSearchParams(location.search);
    params.set("page", String(target));
    return `?${params}`;
  };
  return (
    <nav className="pager" aria-label="Pagination">
      {page > 1 && (
        <Link to={to(page - 1)} className="button button--ghost" rel="prev">
          ← Previous
        </Link>
      )}
      <span className="muted">
        Page {page} of {pages}
      </span>
      {page < pages && (
        <Link to={to(page + 1)} className="button button--ghost" rel="next">
          Next →
        </Link>
      )}
    </nav>
  );
}
