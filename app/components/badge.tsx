import type { ReactNode } from "react";
import { licenseStatusBadge, type EffectiveStatus } from "~/domain/licenses/status";

export type BadgeTone = "neutral" | "success" | "danger";

/** A short coloured pill: a status, a flag. */
export function Badge({
  tone = "neutral",
  testId,
  children,
}: {
  tone?: BadgeTone;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <span className={tone === "neutral" ? "badge" : `badge badge--${tone}`} data-testid={testId}>
      {children}
    </span>
  );
}

/**
 * The tone of every stored status staff see (accounts, purchases, licenses, requests, emails,
 * products, memberships): green when all is well, red when something was stopped or failed.
 */
const STATUS_TONE: Readonly<Record<string, BadgeTone>> = {
  ACTIVE: "success",
  APPROVED: "success",
  COMPLETED: "success",
  PUBLISHED: "success",
  SENT: "success",
  ARCHIVED: "danger",
  BANNED: "danger",
  DISPUTED: "danger",
  FAILED: "danger",
  LOCKED: "danger",
  REFUNDED: "danger",
  REJECTED: "danger",
  REVOKED: "danger",
  SUSPENDED: "danger",
};

/** A stored status (`"PAST_DUE"`) as a badge reading "past due", in its tone. */
export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  return (
    <Badge tone={STATUS_TONE[status] ?? "neutral"} testId={testId}>
      {status.toLowerCase().replaceAll("_", " ")}
    </Badge>
  );
}

/** A license as its key works now (what the license API answers), not its stored status. */
export function LicenseBadge({ code }: { code: EffectiveStatus["code"] }) {
  const badge = licenseStatusBadge(code);
  return <Badge tone={badge.tone}>{badge.label}</Badge>;
}
