import type { AccountStatus } from "#db/schema/enums";

/** An account's status as a coloured pill: green when active, red otherwise. */
export function AccountStatusBadge({ status }: { status: AccountStatus }) {
  const tone = status === "ACTIVE" ? "badge--success" : "badge--danger";
  return <span className={`badge ${tone}`}>{status.toLowerCase()}</span>;
}
