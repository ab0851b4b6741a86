import type { ReactNode } from "react";
import type { PurchaseStatus, ResetRequestStatus } from "#db/schema/enums";
import { licenseStatusBadge, type EffectiveStatus } from "~/domain/licenses/status";

export type BadgeTone = "success" | "danger" | "neutral";

/** A status as a coloured pill: green for good, red for trouble, plain otherwise. */
export function Badge({
  tone = "neutral",
  title,
  children,
}: {
  tone?: BadgeTone;
  title?: string;
  children: ReactNode;
}) {
  return (
    <span className={tone === "neutral" ? "badge" : `badge badge--${tone}`} title={title}>
      {children}
    </span>
  );
}

/** A license's effective status as its owner reads it ("Active", "Suspended", …). */
export function LicenseStatusBadge({ code }: { code: EffectiveStatus["code"] }) {
  const badge = licenseStatusBadge(code);
  return <Badge tone={badge.tone}>{badge.label}</Badge>;
}

const PURCHASE_TONE: Record<PurchaseStatus, BadgeTone> = {
  PENDING: "neutral",
  COMPLETED: "success",
  FAILED: "danger",
  REFUNDED: "danger",
  DISPUTED: "danger",
};

/** A purchase's status; `title` can say why it failed. */
export function PurchaseStatusBadge({ status, title }: { status: PurchaseStatus; title?: string }) {
  return (
    <Badge tone={PURCHASE_TONE[status]} title={title}>
      {status.toLowerCase()}
    </Badge>
  );
}

const RESET_REQUEST_TONE: Record<ResetRequestStatus, BadgeTone> = {
  PENDING: "neutral",
  APPROVED: "success",
  REJECTED: "danger",
};

export function ResetRequestStatusBadge({ status }: { status: ResetRequestStatus }) {
  return <Badge tone={RESET_REQUEST_TONE[status]}>{status.toLowerCase()}</Badge>;
}
