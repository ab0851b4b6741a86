import type { AccountStatus, EmailStatus, MembershipStatus, ProductStatus } from "#db/schema/enums";
import { Badge, type BadgeTone } from "./badge";

/** The stored statuses staff lists show that have no badge of their own in badge.tsx. */
export type ListedStatus = AccountStatus | MembershipStatus | EmailStatus | ProductStatus;

const TONE: Record<ListedStatus, BadgeTone> = {
  ACTIVE: "success",
  LOCKED: "danger",
  SUSPENDED: "danger",
  BANNED: "danger",
  PAUSED: "neutral",
  PAST_DUE: "danger",
  CANCELLED: "neutral",
  EXPIRED: "neutral",
  PENDING: "neutral",
  SENT: "success",
  FAILED: "danger",
  DRAFT: "neutral",
  PUBLISHED: "success",
  ARCHIVED: "danger",
};

/** An account's, membership's, email's or product's status as a badge ("past due"). */
export function StatusBadge({ status }: { status: ListedStatus }) {
  return <Badge tone={TONE[status]}>{status.toLowerCase().replaceAll("_", " ")}</Badge>;
}
