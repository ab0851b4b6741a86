import {
  data,
  type ActionFunctionArgs,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useId } from "react";
import { Muted } from "~/components/admin-page";
import { Badge } from "~/components/badge";
import { DataTable } from "~/components/data-table";
import { EmptyState } from "~/components/page";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, SubmitButton, useFormReply } from "~/components/forms";
import { StepUpCodeField } from "~/components/step-up-code-field";
import { actionCapability, ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import {
  BACKUP_FORM_ARRAYS,
  BackupAdminFormSchema,
  RestoreDryRunFormSchema,
} from "~/domain/backups/backup-forms";
import {
  BACKUP_PART_LABELS,
  BACKUP_PARTS,
  BACKUP_STATUS_TONES,
  BACKUP_TRIGGER_LABELS,
} from "~/domain/backups/parts";
import { formatBytes } from "~/domain/catalog/upload-rules";
import type { FormReply } from "~/lib/form-reply";
import { parseForm } from "~/lib/forms.server";
import { adminAction } from "~/request/admin-action.server";
import { requirePermission } from "~/request/auth.server";
import { refusedForm } from "~/request/refusals.server";
import { stepUp } from "~/request/step-up.server";
import { readForm } from "~/request/read-form.server";
import {
  continueBackup,
  listBackups,
  startBackup,
  type BackupProgress,
} from "~/services/backups/backup-runs.server";
import { dryRunRestore, type RestorePlan } from "~/services/backups/restore.server";
import { refuse } from "~/domain/refusal";
import backupStyles from "~/styles/admin-backups.css?url";
import { LocalTime } from "~/components/local-time";

const ROUTE_ID = "routes/admin.backups._index";
const LISTED = 60;

export const links: LinksFunction = () => [{ rel: "stylesheet", href: backupStyles }];

export const meta: MetaFunction = () => [{ title: "Backups — Admin — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
  const backups = await listBackups(context.db, { limit: LISTED });
  return { backups };
}

export async function action(args: ActionFunctionArgs) {
  // The form is read once here, so the dry run and adminAction each get their own copy.
  const intent = (await readForm(args.request.clone())).get("intent");
  if (intent === "restore-dry-run") return restoreDryRun(args);

  const { DB, FILES } = args.context.cloudflare.env;
  const deps = { d1: DB, files: FILES };
  return adminAction(args, {
    routeId: ROUTE_ID,
    schema: BackupAdminFormSchema,
    arrays: BACKUP_FORM_ARRAYS,
    async perform(form, staff) {
      let backupId: string;
      if (form.intent === "backup") {
        const started = await startBackup(deps, {
          trigger: "MANUAL",
          parts: form.parts,
          actor: staff.actor,
          request: staff.request,
          now: staff.now,
        });
        if (!started.ok) return started;
        backupId = started.backupId;
      } else {
        backupId = form.backupId;
      }
      // The first (or next) step runs in this request; the hourly job takes the rest.
      const step = await continueBackup(deps, { backupId, actor: staff.actor, now: staff.now });
      if (!step.ok) return step;
      return stepOutcome(step.progress);
    },
  });
}

function stepOutcome(progress: BackupProgress) {
  if (progress.status === "FAILED") {
    return refuse("upstream", "backup-failed", `The backup failed: ${progress.error}`);
  }
  if (progress.status === "COMPLETED") {
    return {
      ok: true as const,
      toast: `Backup taken: ${progress.rows.toLocaleString("en-US")} rows, ${formatBytes(progress.bytes)}.`,
    };
  }
  return {
    ok: true as const,
    toast: `The backup is under way (${progress.tablesDone} of ${progress.tablesTotal ?? "?"} tables). Continue it below, or the hourly job will.`,
  };
}

/**
 * The dry run answers with its report, so it is not a redirect like the other intents. It is
 * the restore's entry point here, so it needs a fresh two-factor code like adminAction's.
 */
async function restoreDryRun({ request, context }: ActionFunctionArgs) {
  const intent = "restore-dry-run";
  const user = await requirePermission(request, context, actionCapability(ROUTE_ID, intent)!);
  const formData = await readForm(request);
  const submission = parseForm(formData, RestoreDryRunFormSchema);
  if (!submission.ok) return data(submission.reply, { status: 400 });
  const needsCode = await stepUp(
    { request, context },
    { user, routeId: ROUTE_ID, intent, formData, now: new Date() },
  );
  if (needsCode) return needsCode;
  const { DB, FILES } = context.cloudflare.env;
  const result = await dryRunRestore(
    { d1: DB, files: FILES },
    { backupId: submission.value.backupId },
  );
  if (!result.ok) return refusedForm(formData, result);
  return { dryRun: result.plan };
}

// ---- Page -----------------------------------------------------------------------------------

export default function AdminBackupsPage() {
  const { backups } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const reply = actionData && "status" in actionData ? actionData : undefined;
  const dryRun = actionData && "dryRun" in actionData ? actionData.dryRun : null;
  const running = backups.find(
    (backup) => backup.status === "PENDING" || backup.status === "IN_PROGRESS",
  );

  return (
    <>
      <header>
        <h1>Backups</h1>
        <p className="muted">
          Every table as gzip NDJSON in R2 with a manifest of row counts and SHA-256 hashes. The
          daily cron takes one at 03:30 UTC; <code>npm run deploy</code> takes one before every
          deployment. For undoing the last hours, D1 Time Travel is quicker (README, “Backups”).
        </p>
      </header>

      <div className="admin-actions">
        <BackupForm reply={reply} />
        {running && <ContinueForm backup={running} reply={reply} />}
      </div>

      {reply?.stepUp && reply.intent === "restore-dry-run" && <DryRunStepUpForm reply={reply} />}
      {dryRun && <DryRunReport plan={dryRun} />}

      <section aria-labelledby="backups-heading">
        <h2 id="backups-heading">Backups</h2>
        <DataTable
          rows={backups}
          testId="backups"
          rowProps={(backup) => ({ "data-backup-id": backup.id })}
          empty={
            <EmptyState title="No backups yet">
              <p>The first one is taken tonight, or now with the button above.</p>
            </EmptyState>
          }
          columns={[
            {
              header: "Started",
              cell: (backup) => (
                <>
                  <LocalTime value={backup.createdAt} />
                  <br />
                  <code className="muted">{backup.id}</code>
                </>
              ),
            },
            { header: "Kind", cell: (backup) => BACKUP_TRIGGER_LABELS[backup.trigger] },
            {
              header: "Status",
              cell: (backup) => (
                <>
                  <Badge tone={BACKUP_STATUS_TONES[backup.status]}>
                    {backup.status.toLowerCase().replace("_", " ")}
                  </Badge>
                  {backup.status === "IN_PROGRESS" && backup.tablesTotal !== null && (
                    <Muted>
                      {" "}
                      {backup.tablesDone} of {backup.tablesTotal} tables
                    </Muted>
                  )}
                  {backup.error && <p className="backup-error">{backup.error}</p>}
                </>
              ),
            },
            {
              header: "Size",
              cell: (backup) => (backup.sizeBytes === null ? "—" : formatBytes(backup.sizeBytes)),
            },
            { header: "Rows", cell: (backup) => backup.totalRows?.toLocaleString("en-US") ?? "—" },
            { header: "Parts", cell: (backup) => backup.parts.join(", ") || "—" },
            { header: "By", cell: (backup) => backup.startedBy ?? "cron / CLI" },
            {
              header: "Actions",
              cell: (backup) =>
                backup.status === "COMPLETED" && (
                  <div className="backup-row-actions">
                    <a href={`/admin/backups/${backup.id}/manifest`} download>
                      Manifest
                    </a>
                    <Form method="post">
                      <input type="hidden" name="backupId" value={backup.id} />
                      <SubmitButton
                        name="intent"
                        value="restore-dry-run"
                        pendingText="Checking…"
                        className="button"
                      >
                        Restore dry run
                      </SubmitButton>
                    </Form>
                  </div>
                ),
            },
          ]}
        />
      </section>

      <section aria-labelledby="restore-heading" className="admin-panel">
        <h2 id="restore-heading">Restoring</h2>
        <p>
          A backup is restored into an <strong>empty</strong> database, never over a live one, so a
          real restore runs from the command line (owners only, with access to the account):{" "}
          <code>npm run restore -- --backup &lt;id&gt;</code>. It verifies the manifest and every
          hash before it writes, refuses a backup of a newer schema, and checks the row counts and
          every membership&apos;s credit ledger afterwards. The dry run above makes the same checks
          against this database and writes nothing.
        </p>
      </section>
    </>
  );
}

function BackupForm({ reply }: { reply?: FormReply }) {
  const form = useFormReply(reply, { intent: "backup" });
  const titleId = useId();
  const parts = form.field("parts");
  return (
    <Form method="post" className="admin-panel form-stack" aria-labelledby={titleId}>
      <h2 id={titleId}>Back up now</h2>
      <FormError>{form.formError}</FormError>
      <fieldset className="backup-parts" aria-describedby={parts.error ? parts.id : undefined}>
        <legend>Include</legend>
        {BACKUP_PARTS.map((part) => (
          <label key={part} className="backup-parts__option">
            <input type="checkbox" name="parts" value={part} defaultChecked />{" "}
            {BACKUP_PART_LABELS[part]}
          </label>
        ))}
        {parts.error && (
          <p id={parts.id} className="field__error" role="alert">
            {parts.error}
          </p>
        )}
      </fieldset>
      <SubmitButton name="intent" value="backup" pendingText="Backing up…">
        Back up now
      </SubmitButton>
    </Form>
  );
}

function ContinueForm({
  backup,
  reply,
}: {
  backup: { id: string; tablesDone: number | null; tablesTotal: number | null };
  reply?: FormReply;
}) {
  const form = useFormReply(reply, { intent: "continue" });
  const titleId = useId();
  return (
    <Form method="post" className="admin-panel form-stack" aria-labelledby={titleId}>
      <h2 id={titleId}>A backup is running</h2>
      <p className="muted">
        Backup <code>{backup.id}</code>
        {backup.tablesTotal !== null &&
          ` has written ${backup.tablesDone} of ${backup.tablesTotal} tables`}
        . Each step stays inside one request&apos;s limits; the hourly job also takes the next one.
      </p>
      <FormError>{form.formError}</FormError>
      <input type="hidden" name="backupId" value={backup.id} />
      <SubmitButton name="intent" value="continue" pendingText="Continuing…">
        Take the next step
      </SubmitButton>
    </Form>
  );
}

/** The dry run asked for a fresh two-factor code: the same backup, with the code field. */
function DryRunStepUpForm({ reply }: { reply: FormReply }) {
  const form = useFormReply(reply, { intent: "restore-dry-run" });
  const titleId = useId();
  const backupId = reply.values.backupId ?? "";
  return (
    <Form method="post" className="admin-panel form-stack" aria-labelledby={titleId}>
      <h2 id={titleId}>Restore dry run: {backupId}</h2>
      <FormError>{form.formError}</FormError>
      <input type="hidden" name="backupId" value={backupId} />
      <StepUpCodeField meta={form.field("code")} />
      <SubmitButton name="intent" value="restore-dry-run" pendingText="Checking…">
        Restore dry run
      </SubmitButton>
    </Form>
  );
}

function DryRunReport({ plan }: { plan: RestorePlan }) {
  const target =
    plan.nonEmpty.length > 0
      ? "This database holds data, so a restore would go into a new, empty one (npm run restore)."
      : "This database is empty: a restore could write into it.";
  return (
    <section className="admin-panel" aria-labelledby="dry-run-heading" data-testid="dry-run">
      <h2 id="dry-run-heading">Restore dry run: {plan.backupId}</h2>
      <p role="status">
        All {plan.verifiedObjects} objects match their SHA-256. Schema version {plan.schema.version}{" "}
        (this database: {plan.targetSchema.version}) — compatible. {target}
      </p>
      <dl className="facts">
        <div>
          <dt>Taken</dt>
          <dd>
            <LocalTime value={plan.createdAt} /> ({BACKUP_TRIGGER_LABELS[plan.trigger]})
          </dd>
        </div>
        <div>
          <dt>Would restore</dt>
          <dd>
            {plan.totals.rows.toLocaleString("en-US")} rows in {plan.totals.tables} tables (
            {formatBytes(plan.totals.bytes)} compressed)
          </dd>
        </div>
        <div>
          <dt>Parts</dt>
          <dd>{plan.includes.join(", ")}</dd>
        </div>
        {plan.files && (
          <div>
            <dt>Product files</dt>
            <dd>
              {plan.files.listed} listed: {plan.files.present} present and unchanged,{" "}
              {plan.files.missing} missing, {plan.files.changed} changed
              {plan.files.problems.length > 0 && ` (${plan.files.problems.join("; ")})`}
            </dd>
          </div>
        )}
      </dl>
      <div className="table-scroll">
        <table className="data-table">
          <caption className="backup-sr-only">Tables in restore order</caption>
          <thead>
            <tr>
              <th scope="col">Table (in restore order)</th>
              <th scope="col">Rows</th>
              <th scope="col">Objects</th>
              <th scope="col">SHA-256 (verified)</th>
            </tr>
          </thead>
          <tbody>
            {plan.tables.map((table) => (
              <tr key={table.name}>
                <td>
                  <code>{table.name}</code>
                </td>
                <td>{table.rows.toLocaleString("en-US")}</td>
                <td>{table.objects.length}</td>
                <td>
                  {table.objects.map((object) => (
                    <code key={object.key} title={object.key} className="backup-hash">
                      {object.sha256.slice(0, 16)}…
                    </code>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
