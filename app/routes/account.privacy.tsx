import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormError, SubmitButton, useFormReply } from "~/components/forms";
import { PageHeader } from "~/components/page";
import { TwoFactorCodeField } from "~/components/two-factor-section";
import { DELETE_CONFIRMATION, DELETION_GRACE_DAYS } from "~/domain/privacy/deletion";
import { AccountDeletionFormSchema } from "~/domain/privacy/privacy-forms";
import { formatDateTime } from "~/lib/format";
import { parseForm } from "~/lib/forms.server";
import { redirectWithToast } from "~/lib/toast.server";
import { requireAccountAction } from "~/request/account.server";
import { clearSessionCookie, requireUser } from "~/request/auth.server";
import { refusedForm } from "~/request/refusals.server";
import { readForm } from "~/request/read-form.server";
import {
  deletionPreview,
  requestAccountDeletion,
} from "~/services/privacy/account-deletion.server";

export const meta: MetaFunction = () => [{ title: "Privacy and your data — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const preview = await deletionPreview(context.db, { userId: user.id, role: user.role });
  return { twoFactorEnabled: user.twoFactorEnabled, ...preview };
}

/** intent=delete (issue 13 §12): password, 2FA code when on, typed DELETE. */
export async function action({ request, context }: ActionFunctionArgs) {
  const acting = await requireAccountAction(request, context);
  const formData = await readForm(request);
  const submission = parseForm(formData, AccountDeletionFormSchema);
  if (!submission.ok) return data(submission.reply, { status: 400 });
  const result = await requestAccountDeletion(
    { db: context.db, env: context.env },
    {
      userId: acting.user.id,
      actor: acting.actor,
      password: submission.value.password,
      code: submission.value.code,
      request: acting.request,
      now: acting.now,
    },
  );
  if (!result.ok) return refusedForm(formData, result);
  // Every session ended with the request, this one too.
  return redirectWithToast(
    context,
    "/login",
    {
      kind: "info",
      message: `Your account will be deleted on ${formatDateTime(result.dueAt)}. Log in before then to cancel.`,
    },
    { headers: { "Set-Cookie": await clearSessionCookie(context) } },
  );
}

export default function AccountPrivacy() {
  const data = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="Privacy and your data">
        What we keep about you, a copy of all of it, and how to delete your account. The{" "}
        <Link to="/privacy">privacy policy</Link> explains why we keep it and for how long.
      </PageHeader>

      <section className="section" aria-labelledby="held-title">
        <h2 id="held-title">What we hold</h2>
        <ul>
          <li>Your profile: name, email, date of birth, and a guardian&apos;s email for minors.</li>
          <li>Purchases, licenses, downloads and download reset requests.</li>
          <li>Your membership, its credit ledger, and your projects with their add-ons.</li>
          <li>
            Devices and sessions you logged in with (browser name; IP addresses only as one-way
            hashes).
          </li>
          <li>The emails we sent you, and the security log of what happened on your account.</li>
        </ul>
        <p>
          We never store your password or card details in readable form, and we never sell your
          data.
        </p>
      </section>

      <section className="section" aria-labelledby="export-title">
        <h2 id="export-title">Export my data</h2>
        <p>
          One JSON file with everything above. License keys are shortened to their last four
          characters (the full key is on each license&apos;s page); passwords, codes and secrets are
          never included. You can download it three times an hour.
        </p>
        <a className="button button--ghost" href="/account/privacy/export" download>
          Export my data
        </a>
      </section>

      <DeleteAccountSection {...data} />
    </>
  );
}

function DeleteAccountSection(props: {
  twoFactorEnabled: boolean;
  activeLicenses: number;
  membershipCredits: number | null;
  openProjects: number;
  lastOwner: boolean;
}) {
  const form = useFormReply(useActionData<typeof action>());
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
  return (
    <section className="section" aria-labelledby="delete-title" data-testid="delete-account">
      <h2 id="delete-title">Delete my account</h2>
      <div className="notice" role="note">
        <p>
          <strong>This cannot be undone after {DELETION_GRACE_DAYS} days.</strong> When you confirm:
        </p>
        <ul>
          <li>you are logged out everywhere at once;</li>
          <li>
            after {DELETION_GRACE_DAYS} days your active licenses are revoked (
            {plural(props.activeLicenses, "license")}) and their keys stop working;
          </li>
          <li>
            your membership is cancelled and unused credits are lost
            {props.membershipCredits === null
              ? " (you have no membership)"
              : ` (${plural(props.membershipCredits, "credit")} left)`}
            ;
          </li>
          <li>open projects are cancelled ({plural(props.openProjects, "open project")});</li>
          <li>
            your name, email, date of birth, devices and sessions are erased. Purchases and ledger
            rows stay, without your name, because the law keeps invoices.
          </li>
        </ul>
        <p>
          Changed your mind? <strong>Log in within {DELETION_GRACE_DAYS} days</strong> and the
          deletion is cancelled.
        </p>
      </div>
      {props.lastOwner ? (
        <p className="form-error" role="alert">
          You are the only owner of this site. Make someone else an owner first, then delete your
          account.
        </p>
      ) : (
        <Form method="post" className="form-stack">
          <input type="hidden" name="intent" value="delete" />
          <FormError>{form.formError}</FormError>
          <Field
            label="Password"
            meta={form.field("password")}
            type="password"
            autoComplete="current-password"
            required
          />
          {props.twoFactorEnabled && (
            <TwoFactorCodeField
              label="Code from your app"
              meta={form.field("code")}
              description="Or one of your recovery codes."
            />
          )}
          <Field
            label={`Type ${DELETE_CONFIRMATION} to confirm`}
            meta={form.field("confirm")}
            autoComplete="off"
            required
            pattern={DELETE_CONFIRMATION}
          />
          <SubmitButton pendingText="Deleting…">Delete my account</SubmitButton>
        </Form>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
