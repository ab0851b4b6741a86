import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { deviceLabel } from "~/domain/auth/device-label";
import { AuditHistory } from "~/components/audit-history";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useId } from "react";
import { ErrorPanel, GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, SubmitButton } from "~/components/forms";
import { fieldErrors } from "~/domain/auth/admin-forms";
import { REASON_MAX_LENGTH } from "~/domain/auth/moderation";
import { can } from "~/domain/auth/permissions";
import { actionCapability, ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { LicenseAdminFormSchema } from "~/domain/licenses/admin-forms";
import {
  LICENSE_STATUS_FOR_INTENT,
  licenseStatusIntents,
  type LicenseStatusIntent,
} from "~/domain/licenses/status-intents";
import { licenseStatusBadge } from "~/domain/licenses/status";
import { auditActor, auditRequestInfo, requirePermission } from "~/request/auth.server";
import { invariantResponse, requireIdParam } from "~/lib/http";
import { redirectWithToast } from "~/lib/toast.server";
import { getLicenseDetail, type LicenseAdminDetail } from "~/services/admin-store.server";
import { listLicenseDownloadsForStaff } from "~/services/downloads.server";
import { setLicenseStatus, type SetLicenseStatusResult } from "~/services/licenses.server";

const ROUTE_ID = "routes/admin.licenses.$licenseId";

export const meta: MetaFunction = () => [{ title: "License — Admin — Studio Store" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
  const licenseId = requireIdParam(params, "licenseId", "There is no such license.");
  const [detail, downloads] = await Promise.all([
    getLicenseDetail(context.db, licenseId, new Date()),
    listLicenseDownloadsForStaff(context.db, licenseId),
  ]);
  invariantResponse(detail, "There is no such license.", { status: 404 });
  return Response.json({
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
  });
}

type ActionData = { intent: string; errors: Record<string, string>; formError?: string };

const FAILURE_STATUS: Record<Extract<SetLicenseStatusResult, { ok: false }>["reason"], number> = {
  "not-found": 404,
  forbidden: 403,
  unchanged: 409,
  conflict: 409,
};

export async function action({ request, context, params }: ActionFunctionArgs) {
  const formData = await request.formData();
  const rawIntent = formData.get("intent");
  const intent = typeof rawIntent === "string" ? rawIntent : null;
  const capability = actionCapability(ROUTE_ID, intent);
  if (!capability) {
    // Still log in first: an anonymous visitor learns nothing about which intents exist.
    await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
    throw new Response("This form asked for something we don't know how to do.", { status: 400 });
  }
  const actor = await requirePermission(request, context, capability);
  const licenseId = requireIdParam(params, "licenseId", "There is no such license.");

  const parsed = LicenseAdminFormSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) {
    return Response.json(
      { intent: intent ?? "", errors: fieldErrors(parsed.error) } satisfies ActionData,
      { status: 400 },
    );
  }

  const status = LICENSE_STATUS_FOR_INTENT[parsed.data.intent];
  const result = await setLicenseStatus(
    { db: context.db },
    {
      actor: auditActor(actor),
      licenseId,
      status,
      reason: parsed.data.reason,
      now: new Date(),
      request: await auditRequestInfo(request, context),
    },
  );
  if (!result.ok) {
    invariantResponse(result.reason !== "not-found", result.message, { status: 404 });
    return Response.json(
      { intent: parsed.data.intent, errors: {}, formError: result.message } satisfies ActionData,
      { status: FAILURE_STATUS[result.reason] },
    );
  }
  return redirectWithToast(context, `/admin/licenses/${licenseId}`, {
    kind: "success",
    message: `The license is ${status === "ACTIVE" ? "active again" : status.toLowerCase()}.`,
  });
}

// ---- Page -----------------------------------------------------------------------------------

type Serialized<T> = T extends Date
  ? string
  : T extends Array<infer U>
    ? Array<Serialized<U>>
    : T extends object
      ? { [K in keyof T]: Serialized<T[K]> }
      : T;
type LoaderData = Serialized<LicenseAdminDetail> & {
  intents: LicenseStatusIntent[];
  downloads: Array<{
    id: string;
    status: string;
    failureReason: string | null;
    ip: string | null;
    device: string | null;
    userAgent: string | null;
    createdAt: string;
    redeemedAt: string | null;
    resumeOfId: string | null;
  }>;
};

// UTC on server and browser alike, so hydration sees the same text.
const dateTime = new Intl.DateTimeFormat("en", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});
const when = (value: string | null) => (value ? `${dateTime.format(new Date(value))} UTC` : "—");
const badgeClass = (tone: string) => (tone === "neutral" ? "badge" : `badge badge--${tone}`);

export default function AdminLicensePage() {
  const { license, audit, intents, downloads } = useLoaderData<LoaderData>();
  const actionData = useActionData<ActionData>();
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
            <dd>{license.expiresAt ? when(license.expiresAt) : "never"}</dd>
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
            <dd>{when(license.createdAt)}</dd>
          </div>
          {license.revokedAt && (
            <div>
              <dt>Revoked</dt>
              <dd>{when(license.revokedAt)}</dd>
            </div>
          )}
        </dl>
      </section>

      {intents.length > 0 && (
        <section aria-labelledby="actions-heading">
          <h2 id="actions-heading">Actions</h2>
          <div className="admin-actions">
            {intents.map((intent) => (
              <StatusForm
                key={intent}
                intent={intent}
                actionData={actionData?.intent === intent ? actionData : undefined}
              />
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
                    <td>{when(row.createdAt)}</td>
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

function StatusForm({
  intent,
  actionData,
}: {
  intent: LicenseStatusIntent;
  actionData: ActionData | undefined;
}) {
  const id = useId();
  const copy = STATUS_COPY[intent];
  const reasonError = actionData?.errors.reason;
  return (
    <Form method="post" className="admin-panel form-stack" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{copy.title}</h3>
      <p className="muted">{copy.description}</p>
      <FormError>{actionData?.formError}</FormError>
      <div className="field">
        <label htmlFor={`${id}-reason`}>Reason</label>
        <textarea
          id={`${id}-reason`}
          name="reason"
          required
          maxLength={REASON_MAX_LENGTH}
          aria-invalid={reasonError ? true : undefined}
          aria-describedby={reasonError ? `${id}-reason-error` : undefined}
        />
        {reasonError && (
          <p id={`${id}-reason-error`} className="field__error" role="alert">
            {reasonError}
          </p>
        )}
      </div>
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
