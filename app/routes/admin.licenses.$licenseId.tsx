import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useId } from "react";
import { AuditHistory } from "~/components/audit-history";
import { ErrorPanel, GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, SubmitButton, TextAreaField, useFormReply } from "~/components/forms";
import { deviceLabel } from "~/domain/auth/device-label";
import { REASON_MAX_LENGTH } from "~/domain/auth/moderation";
import { can } from "~/domain/auth/permissions";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { LicenseAdminFormSchema } from "~/domain/licenses/admin-forms";
import {
  LICENSE_STATUS_FOR_INTENT,
  licenseStatusIntents,
  type LicenseStatusIntent,
} from "~/domain/licenses/status-intents";
import { licenseStatusBadge } from "~/domain/licenses/status";
import type { FormReply } from "~/lib/form-reply";
import { formatDateTime } from "~/lib/format";
import { invariantResponse, requireIdParam } from "~/lib/http";
import { adminAction } from "~/request/admin-action.server";
import { requirePermission } from "~/request/auth.server";
import { getLicenseDetail } from "~/services/admin-store.server";
import { listLicenseDownloadsForStaff } from "~/services/downloads/history.server";
import { setLicenseStatus } from "~/services/licenses.server";

const ROUTE_ID = "routes/admin.licenses.$licenseId";
const NOT_FOUND = "There is no such license.";

export const meta: MetaFunction = () => [{ title: "License — Admin — Studio Store" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
  const licenseId = requireIdParam(params, "licenseId", NOT_FOUND);
  const [detail, downloads] = await Promise.all([
    getLicenseDetail(context.db, licenseId, new Date()),
    listLicenseDownloadsForStaff(context.db, licenseId),
  ]);
  invariantResponse(detail, NOT_FOUND, { status: 404 });
  return {
    ...detail,
    // Hashes are shortened: enough to tell addresses and devices apart, nothing more.
    downloads: downloads.map(({ ipHash, deviceFingerprint, ...row }) => ({
      ...row,
      ip: ipHash?.slice(0, 8) ?? null,
      device: deviceFingerprint?.slice(0, 8) ?? null,
    })),
    intents: can(actor.role, "licenses:moderate")
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

const badgeClass = (tone: string) => (tone === "neutral" ? "badge" : `badge badge--${tone}`);

export default function AdminLicensePage() {
  const { license, audit, intents, downloads } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const badge = licenseStatusBadge(license.effective.code);

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/admin/licenses">Licenses</Link> <span aria-hidden="true">/</span>{" "}
        <code>{license.maskedKey}</code>
      </nav>
      <header>
        <h1>{license.productName}</h1>
        <p>
          {license.licenseType.toLowerCase()} license ·{" "}
          <span className={badgeClass(badge.tone)}>{badge.label}</span>
        </p>
      </header>

      <section className="admin-panel" aria-labelledby="license-heading">
        <h2 id="license-heading">License</h2>
        <dl className="facts">
          <div>
            <dt>Key</dt>
            <dd>
              <code>{license.maskedKey}</code>
            </dd>
          </div>
          <div>
            <dt>Owner</dt>
            <dd>
              <Link to={`/admin/users/${license.ownerId}`}>{license.ownerName}</Link> (
              {license.ownerEmail})
            </dd>
          </div>
          <div>
            <dt>Stored status</dt>
            <dd>{license.status.toLowerCase()}</dd>
          </div>
          <div>
            <dt>What the API answers</dt>
            <dd>
              {license.effective.code} — {license.effective.detail}
            </dd>
          </div>
          {license.statusReason && (
            <div>
              <dt>Reason</dt>
              <dd>{license.statusReason}</dd>
            </div>
          )}
          <div>
            <dt>Seats</dt>
            <dd>
              {license.currentUsers} / {license.maxUsers}
            </dd>
          </div>
          <div>
            <dt>Expires</dt>
            <dd>{license.expiresAt ? formatDateTime(license.expiresAt) : "never"}</dd>
          </div>
          <div>
            <dt>Purchase</dt>
            <dd>
              <Link to={`/admin/purchases/${license.purchaseId}`}>
                {license.purchaseStatus.toLowerCase()}
              </Link>
            </dd>
          </div>
          {license.abuseDetected && (
            <div>
              <dt>Abuse flagged</dt>
              <dd>{license.abuseReason ?? "yes"}</dd>
            </div>
          )}
          <div>
            <dt>Issued</dt>
            <dd>{formatDateTime(license.createdAt)}</dd>
          </div>
          {license.revokedAt && (
            <div>
              <dt>Revoked</dt>
              <dd>{formatDateTime(license.revokedAt)}</dd>
            </div>
          )}
        </dl>
      </section>

      {intents.length > 0 && (
        <section aria-labelledby="actions-heading">
          <h2 id="actions-heading">Actions</h2>
          <div className="admin-actions">
            {intents.map((intent) => (
              <StatusForm key={intent} intent={intent} reply={actionData} />
            ))}
          </div>
        </section>
      )}

      <section aria-labelledby="downloads-heading">
        <h2 id="downloads-heading">Downloads</h2>
        {downloads.length === 0 ? (
          <p className="muted">No download attempts yet.</p>
        ) : (
          <div className="table-scroll">
            <table className="data-table" data-testid="license-downloads">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">IP (hash)</th>
                  <th scope="col">Device (hash)</th>
                  <th scope="col">Browser</th>
                </tr>
              </thead>
              <tbody>
                {downloads.map((row) => (
                  <tr key={row.id}>
                    <td>{formatDateTime(row.createdAt)}</td>
                    <td>
                      {row.status === "FAILED"
                        ? `refused: ${(row.failureReason ?? "").toLowerCase().replaceAll("_", " ")}`
                        : row.status === "COMPLETED"
                          ? row.resumeOfId
                            ? "resumed (not counted)"
                            : "downloaded"
                          : "link issued"}
                    </td>
                    <td>
                      <code>{row.ip ?? "—"}</code>
                    </td>
                    <td>
                      <code>{row.device ?? "—"}</code>
                    </td>
                    <td title={row.userAgent ?? undefined}>
                      {row.userAgent ? deviceLabel(row.userAgent) : "—"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <AuditHistory rows={audit} title="History" empty="Nothing recorded for this license yet." />
    </>
  );
}

const STATUS_COPY: Record<
  LicenseStatusIntent,
  { title: string; description: string; pending: string; danger: boolean }
> = {
  suspend: {
    title: "Suspend license",
    description: "The key stops working until the license is reinstated (abuse review, fraud).",
    pending: "Suspending…",
    danger: true,
  },
  revoke: {
    title: "Revoke license",
    description: "The key stops working for good unless staff reinstate it.",
    pending: "Revoking…",
    danger: true,
  },
  reinstate: {
    title: "Reinstate license",
    description: "The key works again.",
    pending: "Reinstating…",
    danger: false,
  },
};

function StatusForm({ intent, reply }: { intent: LicenseStatusIntent; reply?: FormReply }) {
  const form = useFormReply(reply, { intent });
  const copy = STATUS_COPY[intent];
  const titleId = useId();
  return (
    <Form method="post" className="admin-panel form-stack" aria-labelledby={titleId}>
      <h3 id={titleId}>{copy.title}</h3>
      <p className="muted">{copy.description}</p>
      <FormError>{form.formError}</FormError>
      <TextAreaField
        label="Reason"
        meta={form.field("reason")}
        required
        maxLength={REASON_MAX_LENGTH}
      />
      <SubmitButton
        name="intent"
        value={intent}
        pendingText={copy.pending}
        className={copy.danger ? "button button--danger" : "button"}
      >
        {copy.title}
      </SubmitButton>
    </Form>
  );
}

export function ErrorBoundary() {
  return (
    <GeneralErrorBoundary
      statusHandlers={{
        404: () => (
          <ErrorPanel
            status={404}
            title="There is no such license"
            message="The link may be wrong. Search for it on the licenses page."
          />
        ),
      }}
    />
  );
}
