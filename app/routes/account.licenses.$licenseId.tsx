import {
  data,
  type ActionFunctionArgs,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { LicenseStatusBadge } from "~/components/badge";
import { DataTable } from "~/components/data-table";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Facts } from "~/components/facts";
import { FormError, SubmitButton, useFormReply } from "~/components/forms";
import { LicenseDownloads } from "~/components/license-downloads";
import { PageHeader } from "~/components/page";
import { downloadOutcomeLabel } from "~/domain/downloads/quota";
import { RevealKeyFormSchema } from "~/domain/licenses/admin-forms";
import { parseForm } from "~/lib/forms.server";
import { invariantResponse, requireIdParam } from "~/lib/http";
import { requireAccountAction } from "~/request/account.server";
import { requireUser } from "~/request/auth.server";
import { featureRefusal } from "~/request/feature-gate.server";
import { PRIVATE_NO_STORE } from "~/request/page-cache.server";
import { readForm } from "~/request/read-form.server";
import { listUserDownloads, userLicenseQuota } from "~/services/downloads/history.server";
import { getUserLicense, revealLicenseKey } from "~/services/licenses.server";
import { listLicenseResetRequests } from "~/services/reset-requests.server";
import downloadStyles from "~/styles/downloads.css?url";
import { LocalTime } from "~/components/local-time";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: downloadStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.license.productName ?? "License"} — Studio Store` },
];

const NOT_FOUND = "We couldn't find that license in your account.";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const licenseId = requireIdParam(params, "licenseId", NOT_FOUND);
  const now = new Date();
  const license = await getUserLicense(context.db, { userId: user.id, licenseId, now });
  invariantResponse(license, NOT_FOUND, { status: 404 });
  const scope = { userId: user.id, licenseId };
  const [quota, history, resetRequests] = await Promise.all([
    userLicenseQuota(context.db, { ...scope, now }),
    listUserDownloads(context.db, scope, 10),
    listLicenseResetRequests(context.db, scope),
  ]);
  return {
    license,
    // Downloads paused (feature flag): the sentence instead of the Download button.
    downloadsPaused: (await featureRefusal(context, "downloads"))?.message ?? null,
    downloads: {
      quota,
      history: history.items.map((row) => ({ ...row, outcome: downloadOutcomeLabel(row, now) })),
      resetRequests,
    },
  };
}

/** "Reveal key": the full key once, in this answer only (never cached), and audited. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const account = await requireAccountAction(request, context);
  const licenseId = requireIdParam(params, "licenseId", NOT_FOUND);
  const submission = parseForm(await readForm(request), RevealKeyFormSchema);
  if (!submission.ok) return data(submission.reply, { status: 400 });
  const key = await revealLicenseKey(
    { db: context.db, env: context.env },
    { ...account, licenseId },
  );
  invariantResponse(key, NOT_FOUND, { status: 404 });
  return data({ key }, { headers: PRIVATE_NO_STORE });
}

export default function AccountLicense() {
  const { license, downloads, downloadsPaused } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const revealedKey = answer && "key" in answer ? answer.key : null;
  const form = useFormReply(answer && "key" in answer ? null : answer);
  return (
    <>
      <p>
        <Link to="/account/licenses">← All licenses</Link>
      </p>
      <PageHeader title={license.productName}>
        {license.type} license · <LicenseStatusBadge code={license.effective.code} />
      </PageHeader>

      {!license.effective.valid && (
        <p className="notice" role="status">
          {license.effective.detail}
          {license.statusReason ? ` Reason: ${license.statusReason}` : null}
        </p>
      )}

      <Facts
        testId="license-facts"
        facts={[
          {
            label: "License key",
            value: <code data-testid="license-key">{revealedKey ?? license.maskedKey}</code>,
          },
          { label: "Bought", value: <LocalTime value={license.createdAt} /> },
          { label: "Expires", value: <LocalTime value={license.expiresAt} empty="Never" /> },
          { label: "Seats in use", value: `${license.seats.used} of ${license.seats.max}` },
        ]}
      />

      {revealedKey ? (
        <p className="notice" role="status">
          Keep this key private: anyone who has it can use your license. Reload the page to hide it
          again.
        </p>
      ) : (
        <Form method="post" className="section">
          <FormError>{form.formError}</FormError>
          <SubmitButton name="intent" value="reveal-key" pendingText="Revealing…">
            Reveal key
          </SubmitButton>
        </Form>
      )}

      <LicenseDownloads
        licenseId={license.id}
        canDownload={license.effective.valid}
        paused={downloadsPaused}
        data={downloads}
      />

      <section className="section" aria-labelledby="activations-title">
        <h2 id="activations-title">Active instances</h2>
        <DataTable
          rows={license.activations}
          rowKey={(activation) => activation.instance}
          testId="activation-list"
          columns={[
            { header: "Instance", cell: (activation) => activation.instance },
            {
              header: "Activated",
              cell: (activation) => <LocalTime value={activation.activatedAt} />,
            },
            {
              header: "Last checked",
              cell: (activation) => <LocalTime value={activation.lastValidatedAt} />,
            },
          ]}
          empty={
            <p>
              No copy of the software is using this license yet. Your software activates itself with
              the key.
            </p>
          }
        />
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
        404: () => ({ title: "License not found", message: NOT_FOUND }),
      }}
    />
  );
}
