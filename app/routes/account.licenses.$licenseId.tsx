import type {
  ActionFunctionArgs,
  HeadersFunction,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { AccountLicenseParamsSchema, RevealKeyFormSchema } from "~/domain/licenses/admin-forms";
import { ErrorPanel, GeneralErrorBoundary } from "~/components/error-boundary";
import { SubmitButton } from "~/components/forms";
import { licenseStatusBadge, type EffectiveStatus } from "~/domain/licenses/status";
import { auditActor, auditRequestInfo, requireUser } from "~/request/auth.server";
import { invariantResponse } from "~/lib/http";
import { listUserDownloads, userLicenseQuota } from "~/services/downloads/history.server";
import { getUserLicense, revealLicenseKey } from "~/services/licenses.server";
import { listLicenseResetRequests } from "~/services/reset-requests.server";
import { LicenseDownloads, type LicenseDownloadsData } from "~/components/license-downloads";
import { downloadOutcomeLabel } from "~/domain/downloads/quota";
import downloadStyles from "~/styles/downloads.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: downloadStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: `${(data as LoaderData | undefined)?.license.productName ?? "License"} — Studio Store`,
  },
];

/** A user's licenses (and a revealed key) must never sit in a shared cache. */
export const headers: HeadersFunction = () => ({ "Cache-Control": "private, no-store" });

const NOT_FOUND = "We couldn't find that license in your account.";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const parsed = AccountLicenseParamsSchema.safeParse(params);
  invariantResponse(parsed.success, NOT_FOUND, { status: 404 });
  const license = await getUserLicense(context.db, {
    userId: user.id,
    licenseId: parsed.data.licenseId,
    now: new Date(),
  });
  invariantResponse(license, NOT_FOUND, { status: 404 });
  const scope = { userId: user.id, licenseId: license.id };
  const now = new Date();
  const [quota, history, resetRequests] = await Promise.all([
    userLicenseQuota(context.db, { ...scope, now }),
    listUserDownloads(context.db, scope, 10),
    listLicenseResetRequests(context.db, scope),
  ]);
  return Response.json(
    {
      license,
      downloads: {
        quota,
        history: history.items.map((row) => ({ ...row, outcome: downloadOutcomeLabel(row, now) })),
        resetRequests,
      },
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

/** "Reveal key": the full key once, in this answer only (never cached), and audited. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const parsedParams = AccountLicenseParamsSchema.safeParse(params);
  invariantResponse(parsedParams.success, NOT_FOUND, { status: 404 });
  const parsed = RevealKeyFormSchema.safeParse(Object.fromEntries(await request.formData()));
  invariantResponse(parsed.success, "This form wasn't understood. Reload the page and try again.");
  const key = await revealLicenseKey(
    { db: context.db, env: context.env },
    {
      actor: auditActor(user),
      licenseId: parsedParams.data.licenseId,
      now: new Date(),
      request: await auditRequestInfo(request, context),
    },
  );
  invariantResponse(key, NOT_FOUND, { status: 404 });
  return Response.json({ key }, { headers: { "Cache-Control": "private, no-store" } });
}

type LoaderData = {
  license: {
    id: string;
    productName: string;
    productSlug: string;
    type: string;
    effective: EffectiveStatus;
    statusReason: string | null;
    maskedKey: string;
    expiresAt: string | null;
    createdAt: string;
    seats: { used: number; max: number };
    activations: { instance: string; activatedAt: string; lastValidatedAt: string | null }[];
  };
  downloads: LicenseDownloadsData;
};

// One fixed time zone, so the server's HTML and the browser's render agree.
const dateFormat = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});
const formatDate = (iso: string) => `${dateFormat.format(new Date(iso))} UTC`;
const badgeClass = (tone: string) => (tone === "neutral" ? "badge" : `badge badge--${tone}`);

export default function AccountLicense() {
  const { license, downloads } = useLoaderData<LoaderData>();
  const revealed = useActionData<{ key: string }>();
  const badge = licenseStatusBadge(license.effective.code);
  return (
    <>
      <p>
        <Link to="/account/licenses">← All licenses</Link>
      </p>
      <header className="page-header">
        <h1>{license.productName}</h1>
        <p>
          {license.type} license · <span className={badgeClass(badge.tone)}>{badge.label}</span>
        </p>
      </header>

      {!license.effective.valid && (
        <p className="notice" role="status">
          {license.effective.detail}
          {license.statusReason ? ` Reason: ${license.statusReason}` : null}
        </p>
      )}

      <dl className="facts" data-testid="license-facts">
        <div>
          <dt>License key</dt>
          <dd>
            <code data-testid="license-key">{revealed?.key ?? license.maskedKey}</code>
          </dd>
        </div>
        <div>
          <dt>Bought</dt>
          <dd>{formatDate(license.createdAt)}</dd>
        </div>
        <div>
          <dt>Expires</dt>
          <dd>{license.expiresAt ? formatDate(license.expiresAt) : "Never"}</dd>
        </div>
        <div>
          <dt>Seats in use</dt>
          <dd>{`${license.seats.used} of ${license.seats.max}`}</dd>
        </div>
      </dl>

      {revealed?.key ? (
        <p className="notice" role="status">
          Keep this key private: anyone who has it can use your license. Reload the page to hide it
          again.
        </p>
      ) : (
        <Form method="post" className="section">
          <SubmitButton name="intent" value="reveal-key" pendingText="Revealing…">
            Reveal key
          </SubmitButton>
        </Form>
      )}

      <LicenseDownloads
        licenseId={license.id}
        canDownload={license.effective.valid}
        data={downloads}
      />

      <section className="section" aria-labelledby="activations-title">
        <h2 id="activations-title">Active instances</h2>
        {license.activations.length === 0 ? (
          <p>
            No copy of the software is using this license yet. Your software activates itself with
            the key.
          </p>
        ) : (
          <div className="table-scroll">
            <table className="data-table" data-testid="activation-list">
              <thead>
                <tr>
                  <th scope="col">Instance</th>
                  <th scope="col">Activated</th>
                  <th scope="col">Last checked</th>
                </tr>
              </thead>
              <tbody>
                {license.activations.map((activation) => (
                  <tr key={activation.instance}>
                    <td>{activation.instance}</td>
                    <td>{formatDate(activation.activatedAt)}</td>
                    <td>
                      {activation.lastValidatedAt ? formatDate(activation.lastValidatedAt) : "—"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <p>
        <Link to={`/products/${license.productSlug}`}>Product page</Link>
      </p>
    </>
  );
}

export function ErrorBoundary() {
  return (
    <GeneralErrorBoundary
      statusHandlers={{
        404: () => <ErrorPanel status={404} title="License not found" message={NOT_FOUND} />,
      }}
    />
  );
}
