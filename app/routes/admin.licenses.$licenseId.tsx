import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { AdminActionForm } from "~/components/admin-action-form";
import {
  ActionsSection,
  DetailHeader,
  FactsPanel,
  Section,
  UserLink,
} from "~/components/admin-page";
import { StatusBoundary } from "~/components/error-boundary";
import { AuditHistory } from "~/components/audit-history";
import { LicenseStatusBadge } from "~/components/badge";
import { DataTable } from "~/components/data-table";
import { deviceLabel } from "~/domain/auth/device-label";
import { can } from "~/domain/auth/permissions";
import { LicenseAdminFormSchema } from "~/domain/licenses/admin-forms";
import {
  LICENSE_STATUS_FOR_INTENT,
  licenseStatusIntents,
  type LicenseStatusIntent,
} from "~/domain/licenses/status-intents";
import { requireIdParam } from "~/lib/http";
import { adminAction } from "~/request/admin-action.server";
import { adminRecord } from "~/request/admin-loaders.server";
import { getLicenseDetail } from "~/services/admin-store.server";
import { listLicenseDownloadsForStaff } from "~/services/downloads/history.server";
import { setLicenseStatus } from "~/services/licenses.server";
import { LocalTime } from "~/components/local-time";

const ROUTE_ID = "routes/admin.licenses.$licenseId";
const NOT_FOUND = "There is no such license.";

export const meta: MetaFunction = () => [{ title: "License — Admin — Studio Store" }];

export async function loader(args: LoaderFunctionArgs) {
  const { staff, record } = await adminRecord(args, {
    routeId: ROUTE_ID,
    param: "licenseId",
    notFound: NOT_FOUND,
    load: async (db, licenseId) => {
      const [detail, downloads] = await Promise.all([
        getLicenseDetail(db, licenseId, new Date()),
        listLicenseDownloadsForStaff(db, licenseId),
      ]);
      return detail && { ...detail, downloads };
    },
  });
  const { downloads, ...detail } = record;
  return {
    ...detail,
    // Hashes are shortened: enough to tell addresses and devices apart, nothing more.
    downloads: downloads.map(({ ipHash, deviceFingerprint, ...row }) => ({
      ...row,
      ip: ipHash?.slice(0, 8) ?? null,
      device: deviceFingerprint?.slice(0, 8) ?? null,
    })),
    intents: can(staff.role, "licenses:moderate")
      ? licenseStatusIntents(detail.license.status)
      : [],
  };
}

export async function action(args: ActionFunctionArgs) {
  return adminAction(args, {
    routeId: ROUTE_ID,
    schema: LicenseAdminFormSchema,
    async perform(form, staff) {
      const licenseId = requireIdParam(args.params, "licenseId", NOT_FOUND);
      const status = LICENSE_STATUS_FOR_INTENT[form.intent];
      const result = await setLicenseStatus(
        { db: staff.db },
        { ...staff, licenseId, status, reason: form.reason },
      );
      if (!result.ok) return result;
      return {
        ok: true,
        toast: `The license is ${status === "ACTIVE" ? "active again" : status.toLowerCase()}.`,
      };
    },
  });
}

// ---- Page -----------------------------------------------------------------------------------

export default function AdminLicensePage() {
  const { license, audit, intents, downloads } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();

  return (
    <>
      <DetailHeader
        list={["/admin/licenses", "Licenses"]}
        here={<code>{license.maskedKey}</code>}
        title={license.productName}
      >
        {license.licenseType.toLowerCase()} license ·{" "}
        <LicenseStatusBadge code={license.effective.code} />
      </DetailHeader>

      <FactsPanel
        title="License"
        facts={[
          { label: "Key", value: <code>{license.maskedKey}</code> },
          {
            label: "Owner",
            value: (
              <UserLink id={license.ownerId} name={license.ownerName} email={license.ownerEmail} />
            ),
          },
          { label: "Stored status", value: license.status.toLowerCase() },
          {
            label: "What the API answers",
            value: `${license.effective.code} — ${license.effective.detail}`,
          },
          license.statusReason && { label: "Reason", value: license.statusReason },
          { label: "Seats", value: `${license.currentUsers} / ${license.maxUsers}` },
          { label: "Expires", value: <LocalTime value={license.expiresAt} empty="never" /> },
          {
            label: "Purchase",
            value: (
              <Link to={`/admin/purchases/${license.purchaseId}`}>
                {license.purchaseStatus.toLowerCase()}
              </Link>
            ),
          },
          license.abuseDetected && { label: "Abuse flagged", value: license.abuseReason ?? "yes" },
          { label: "Issued", value: <LocalTime value={license.createdAt} /> },
          license.revokedAt && { label: "Revoked", value: <LocalTime value={license.revokedAt} /> },
        ]}
      />

      {intents.length > 0 && (
        <ActionsSection>
          {intents.map((intent) => (
            <AdminActionForm key={intent} intent={intent} reply={reply} {...STATUS_COPY[intent]} />
          ))}
        </ActionsSection>
      )}

      <Section title="Downloads">
        <DataTable
          rows={downloads}
          empty={<p className="muted">No download attempts yet.</p>}
          testId="license-downloads"
          columns={[
            { header: "When", cell: (row) => <LocalTime value={row.createdAt} /> },
            {
              header: "Outcome",
              cell: (row) =>
                row.status === "FAILED"
                  ? `refused: ${(row.failureReason ?? "").toLowerCase().replaceAll("_", " ")}`
                  : row.status === "COMPLETED"
                    ? row.resumeOfId
                      ? "resumed (not counted)"
                      : "downloaded"
                    : "link issued",
            },
            { header: "IP (hash)", cell: (row) => <code>{row.ip ?? "—"}</code> },
            { header: "Device (hash)", cell: (row) => <code>{row.device ?? "—"}</code> },
            {
              header: "Browser",
              cellProps: (row) => ({ title: row.userAgent ?? undefined }),
              cell: (row) => (row.userAgent ? deviceLabel(row.userAgent) : "—"),
            },
          ]}
        />
      </Section>

      <AuditHistory
        rows={audit}
        title="History"
        empty="Nothing recorded for this license yet."
        fullHistory={{ entity: "license", entityId: license.id }}
      />
    </>
  );
}

const STATUS_COPY: Record<
  LicenseStatusIntent,
  { title: string; description: string; pendingText: string; danger: boolean }
> = {
  suspend: {
    title: "Suspend license",
    description: "The key stops working until the license is reinstated (abuse review, fraud).",
    pendingText: "Suspending…",
    danger: true,
  },
  revoke: {
    title: "Revoke license",
    description: "The key stops working for good unless staff reinstate it.",
    pendingText: "Revoking…",
    danger: true,
  },
  reinstate: {
    title: "Reinstate license",
    description: "The key works again.",
    pendingText: "Reinstating…",
    danger: false,
  },
};

export function ErrorBoundary() {
  return (
    <StatusBoundary
      status={404}
      title="There is no such license"
      message="The link may be wrong. Search for it on the licenses page."
    />
  );
}
