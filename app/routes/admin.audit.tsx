import {
  data,
  redirect,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { AdminHeader, Section, useOpenableAdminHref } from "~/components/admin-page";
import { PagedTable } from "~/components/data-table";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormError, SelectField, useFormReply, useIsFiltering } from "~/components/forms";
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES } from "~/domain/audit/actions";
import type { AuditDetail } from "~/domain/audit/describe";
import { parseAuditSearch, type AuditFilterField } from "~/domain/audit/filters";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import type { FormReply } from "~/lib/form-reply";
import { formatDate } from "~/lib/format";
import { requirePermission } from "~/request/auth.server";
import { refusalStatus } from "~/request/refusals.server";
import { listArchivedDays } from "~/services/audit-archive.server";
import { searchAuditLog } from "~/services/audit-viewer.server";
import auditStyles from "~/styles/admin-audit.css?url";
import { sentenceCase } from "~/domain/labels";
import { LocalTime } from "~/components/local-time";

const ROUTE_ID = "routes/admin.audit";

export const meta: MetaFunction = () => [{ title: "Audit log — Admin — Studio Store" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: auditStyles }];

/**
 * `/admin/audit` (docs/architecture.md §11, §12): the audit log filtered, in words, a keyset
 * page at a time; an archived day read back from R2; `&format=csv` hands the same filters to
 * the streamed export (`/admin/audit/export`, a resource route: a page's loader cannot stream).
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
  const url = new URL(request.url);
  const search = parseAuditSearch(url.searchParams);
  if (search.ok && url.searchParams.get("format") === "csv") {
    const params = new URLSearchParams(url.searchParams);
    params.delete("format");
    params.delete("cursor");
    throw redirect(`/admin/audit/export?${params}`);
  }
  const archivedDays = await listArchivedDays(context.db);
  const answer = (
    values: Record<string, string>,
    problem: Pick<FormReply, "fieldErrors" | "formError"> | null,
    page: Awaited<ReturnType<typeof searchAuditLog>> | null,
  ) => ({
    values,
    reply: problem ? ({ status: "error", values, ...problem } satisfies FormReply) : null,
    page: page?.ok ? page : null,
    archivedDays,
  });
  if (!search.ok) {
    return data(answer(search.values, { fieldErrors: search.errors }, null), { status: 400 });
  }
  const page = await searchAuditLog(
    { db: context.db, d1: context.cloudflare.env.DB, files: context.cloudflare.env.FILES },
    { filters: search.filters, cursor: search.cursor },
  );
  if (!page.ok) {
    const problem = page.field
      ? { fieldErrors: { [page.field]: page.message } }
      : { fieldErrors: {}, formError: page.message };
    return data(answer(search.values, problem, null), { status: refusalStatus(page) });
  }
  return answer(search.values, null, page);
}

// ---- Page -----------------------------------------------------------------------------------

const optionsOf = (values: readonly string[], any: string) => [
  { value: "", label: any },
  ...values.map((value) => ({ value, label: sentenceCase(value) })),
];
const ACTION_OPTIONS = optionsOf(AUDIT_ACTIONS, "Any action");
const ENTITY_OPTIONS = optionsOf(AUDIT_ENTITY_TYPES, "Any record");

export default function AdminAuditPage() {
  const { values, reply, page, archivedDays } = useLoaderData<typeof loader>();
  const openable = useOpenableAdminHref();
  const form = useFormReply(reply);
  const field = (name: AuditFilterField) => form.field(name, values[name]);
  const busy = useIsFiltering();
  const { search } = useLocation();
  const csvParams = new URLSearchParams(search);
  csvParams.delete("cursor");
  csvParams.set("format", "csv");
  const filtered = Object.keys(values).length > 0;

  return (
    <>
      <AdminHeader
        title="Audit log"
        intro="Everything staff, customers and the system did, newest first. Filter it, then open a record or download the rows as CSV."
      />
      <Form
        method="get"
        className="filters audit-filters"
        role="search"
        aria-label="Filter the audit log"
      >
        <Field label="Actor (email)" meta={field("actor")} type="email" maxLength={254} />
        <SelectField label="Action" meta={field("action")} options={ACTION_OPTIONS} />
        <SelectField label="Record" meta={field("entity")} options={ENTITY_OPTIONS} />
        <Field label="Record id" meta={field("entityId")} maxLength={100} />
        <Field label="IP hash" meta={field("ipHash")} maxLength={64} />
        <Field label="From" meta={field("from")} type="date" />
        <Field label="To" meta={field("to")} type="date" />
        <button type="submit" className="button" disabled={busy}>
          {busy ? "Filtering…" : "Filter"}
        </button>
        {filtered && (
          <Link to="/admin/audit" className="button button--ghost">
            Clear
          </Link>
        )}
        {page && !page.archive && (
          <a href={`/admin/audit?${csvParams}`} className="button button--ghost" download>
            Download CSV
          </a>
        )}
      </Form>
      <FormError>{form.formError}</FormError>

      {page?.archive && (
        <p className="notice" data-testid="archive-note">
          Archived day — read from the archive. {formatDate(page.archive.day)} holds{" "}
          {page.archive.rows.toLocaleString("en-GB")} rows, checked against the archive&apos;s
          checksum; they are listed oldest first.
        </p>
      )}

      {page && (
        <PagedTable
          rows={page.items}
          nextCursor={page.nextCursor}
          testId="audit-rows"
          rowProps={(row) => ({ "data-audit-id": row.id })}
          emptyTitle={filtered ? "No audit rows match these filters" : "Nothing recorded yet"}
          columns={[
            {
              header: "When",
              cell: (row) => <LocalTime value={row.createdAt} />,
            },
            {
              header: "What happened",
              cell: (row) => {
                const entityHref = openable(row.entityHref);
                return (
                  <>
                    <span data-testid="audit-sentence">{row.sentence}</span>{" "}
                    {entityHref && <Link to={entityHref}>Open</Link>}
                    <br />
                    <code className="muted">{row.action}</code>
                  </>
                );
              },
            },
            {
              header: "Details",
              cell: (row) => <AuditDetails details={row.details} />,
            },
            {
              header: "From",
              cell: (row) => (
                <span className="audit-origin">
                  {row.ipHash ? (
                    <Link to={`/admin/audit?ipHash=${row.ipHash}`} title={row.ipHash}>
                      IP {row.ipHash.slice(0, 8)}
                    </Link>
                  ) : (
                    "—"
                  )}
                  {row.requestId && (
                    <>
                      <br />
                      <span className="muted" title={row.requestId}>
                        request {row.requestId.slice(0, 8)}
                      </span>
                    </>
                  )}
                </span>
              ),
            },
          ]}
        >
          <p>Try fewer filters, another date range, or an archived day below.</p>
        </PagedTable>
      )}

      <Section title="Archived days">
        {archivedDays.length === 0 ? (
          <p className="muted">
            No day has been archived yet. Days older than the retention window move to R2 each
            night.
          </p>
        ) : (
          <Form method="get" className="filters" aria-label="Open an archived day">
            <div className="field">
              <label htmlFor="audit-archive-day">Day</label>
              <select id="audit-archive-day" name="archive" defaultValue={page?.archive?.day}>
                {archivedDays.map((archive) => {
                  const day = archive.rangeStart.toISOString().slice(0, 10);
                  return (
                    <option key={archive.id} value={day}>
                      {formatDate(archive.rangeStart)} ({archive.rowCount.toLocaleString("en-GB")}{" "}
                      rows)
                    </option>
                  );
                })}
              </select>
            </div>
            <button type="submit" className="button button--ghost">
              Open
            </button>
          </Form>
        )}
      </Section>
    </>
  );
}

/** The metadata of a row as a label/value list, ids linked to their staff pages. */
function AuditDetails({ details }: { details: readonly AuditDetail[] }) {
  const openable = useOpenableAdminHref();
  if (details.length === 0) return <span className="muted">—</span>;
  return (
    <dl className="audit-details-list">
      {details.map((detail, index) => {
        const href = openable(detail.href);
        return (
          <div key={index}>
            <dt>{detail.label}</dt>
            <dd>
              {href ? (
                <Link to={href}>{detail.text}</Link>
              ) : detail.iso ? (
                <time dateTime={detail.iso}>{detail.text}</time>
              ) : (
                detail.text
              )}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
