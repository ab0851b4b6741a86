import { ADD_ON_TYPES, type AddOnType } from "#db/schema/enums";
import { ADD_ONS } from "./add-ons";

/**
 * A project's history as sentences (docs/architecture.md §10): the audit rows of the project
 * and its add-ons, told the way the client and staff read them on the project page.
 */

export interface ProjectEvent {
  action: string;
  metadata: Record<string, unknown> | null;
}

const words = (value: unknown) =>
  typeof value === "string" ? value.replaceAll("_", " ").toLowerCase() : "";
const text = (value: unknown) => (typeof value === "string" && value ? value : null);
const addOnName = (value: unknown) =>
  (ADD_ON_TYPES as readonly string[]).includes(value as string)
    ? ADD_ONS[value as AddOnType].name
    : "Add-on";

function phaseChange(metadata: Record<string, unknown>): string {
  const reason = text(metadata.reason);
  switch (metadata.kind) {
    case "pause":
      return `Paused${reason ? `: ${reason}` : ""}`;
    case "resume":
      return `Resumed in ${words(metadata.to)}`;
    case "cancel":
      return `Cancelled${reason ? `: ${reason}` : ""}`;
    case "reopen":
      return `Reopened in ${words(metadata.to)}`;
    default:
      return metadata.to === "COMPLETED"
        ? "Completed"
        : `Moved from ${words(metadata.from)} to ${words(metadata.to)}`;
  }
}

export function describeProjectEvent(event: ProjectEvent): string {
  const metadata = event.metadata ?? {};
  const name = addOnName(metadata.type);
  const notes = text(metadata.notes);
  const withNotes = (sentence: string) => (notes ? `${sentence}: ${notes}` : sentence);
  const credits = typeof metadata.credits === "number" ? metadata.credits : null;
  const refunded =
    typeof metadata.refunded === "number" && metadata.refunded > 0
      ? `, ${metadata.refunded} credits refunded`
      : "";
  switch (event.action) {
    case "PROJECT_CREATED":
      return "Project requested";
    case "PROJECT_ACCEPTED":
      return "Accepted by the studio";
    case "PROJECT_DECLINED":
      return `Declined${text(metadata.reason) ? `: ${text(metadata.reason)}` : ""}`;
    case "PROJECT_UPDATED":
      return "Scope, features, revisions or deadline updated";
    case "PROJECT_PHASE_CHANGED":
      return phaseChange(metadata);
    case "PROJECT_REVISION_REQUESTED":
      return withNotes(`Revision asked for in ${words(metadata.phase)}`);
    case "ADD_ON_REQUESTED":
      return `${name} requested${credits === null ? " (to be priced)" : ` (${credits} credits reserved)`}`;
    case "ADD_ON_PRICED":
      return `${name} priced at ${credits ?? "?"} credits`;
    case "ADD_ON_CONFIRMED":
      return `${name} confirmed (${credits ?? "?"} credits reserved)`;
    case "ADD_ON_APPROVED":
      return withNotes(`${name} approved`);
    case "ADD_ON_STARTED":
      return withNotes(`${name} started`);
    case "ADD_ON_COMPLETED":
      return `${withNotes(`${name} completed`)}${text(metadata.effect) ? ` — ${text(metadata.effect)}` : ""}`;
    case "ADD_ON_REJECTED":
      return withNotes(`${name} rejected${refunded}`);
    case "ADD_ON_WITHDRAWN":
      return `${name} withdrawn${refunded}`;
    default:
      return words(event.action);
  }
}
