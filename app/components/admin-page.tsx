import { Link, useRouteLoaderData } from "@remix-run/react";
import { useId, type ReactNode } from "react";
import {
  AdminSearchForm,
  hasFilters,
  type ListSearch,
  type SearchFormProps,
} from "./admin-search-form";
import { PagedTable, type Column } from "./data-table";
import { Facts, type Fact } from "./facts";

/**
 * The frame every admin page is built from: a list page (title, search, table or empty state,
 * pagination) and the pieces of a detail page (breadcrumb and title, panels of facts,
 * sections, an error page in its own words).
 */

/** An admin page's title and what it is for; `actions` sit beside it (New product). */
export function AdminHeader({
  title,
  intro,
  actions,
}: {
  title: string;
  intro?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <header className={actions ? "admin-title-bar" : undefined}>
      <div>
        <h1>{title}</h1>
        {intro && <p className="muted">{intro}</p>}
      </div>
      {actions}
    </header>
  );
}

interface EmptyCopy {
  title: string;
  text: ReactNode;
}

/**
 * An admin list: the search bar, the results as a table (or why there are none: `empty` for a
 * list with nothing in it yet, `noMatch` when the filters leave nothing) and the next page.
 */
export function AdminListPage<Row extends { id: string }>({
  search,
  filters,
  items,
  nextCursor,
  columns,
  testId,
  empty,
  noMatch = empty,
  ...header
}: {
  title: string;
  intro: ReactNode;
  actions?: ReactNode;
  /** The filters as the loader read them: they fill the search form. */
  search: ListSearch;
  filters: SearchFormProps;
  items: readonly Row[];
  nextCursor: string | null;
  columns: readonly Column<Row>[];
  testId?: string;
  empty: EmptyCopy;
  noMatch?: EmptyCopy;
}) {
  const shown = hasFilters(search) ? noMatch : empty;
  return (
    <>
      <AdminHeader {...header} />
      <AdminSearchForm {...filters} search={search} />
      <PagedTable
        rows={items}
        columns={columns}
        nextCursor={nextCursor}
        testId={testId}
        emptyTitle={shown.title}
      >
        <p>{shown.text}</p>
      </PagedTable>
    </>
  );
}

/** The top of a detail page: the way back to its list, the title and a line about it. */
export function DetailHeader({
  list,
  here,
  title,
  children,
}: {
  /** The list the record belongs to: `[to, label]`. */
  list: readonly [string, string];
  /** The record's name in the breadcrumb, when the title doesn't say it. */
  here?: ReactNode;
  title: ReactNode;
  children?: ReactNode;
}) {
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to={list[0]}>{list[1]}</Link> <span aria-hidden="true">/</span> {here ?? title}
      </nav>
      <header>
        <h1>{title}</h1>
        {children && <p>{children}</p>}
      </header>
    </>
  );
}

/** A titled part of a page, named for screen readers by its heading. */
export function Section({
  title,
  className,
  children,
}: {
  title: string;
  className?: string;
  children: ReactNode;
}) {
  const headingId = useId();
  return (
    <section className={className} aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {children}
    </section>
  );
}

/**
 * A panel of facts about a record. An entry that is falsy (`cond && { label, value }` where
 * `cond` is false, null or an empty string) is left out.
 */
export function FactsPanel({
  title,
  facts,
}: {
  title: string;
  facts: ReadonlyArray<Fact | false | "" | null | undefined>;
}) {
  return (
    <Section title={title} className="admin-panel">
      <Facts facts={facts.map((fact) => fact || null)} />
    </Section>
  );
}

/** The forms a staff member may use on this record, side by side. */
export function ActionsSection({
  title = "Actions",
  children,
}: {
  title?: string;
  children: ReactNode;
}) {
  return (
    <Section title={title}>
      <div className="admin-actions">{children}</div>
    </Section>
  );
}

/** Secondary text in a cell or a line: "never", "none yet", "system". */
export function Muted({ children }: { children: ReactNode }) {
  return <span className="muted">{children}</span>;
}

/** An account named on a staff page, linking to its admin page: "Ada Lovelace (ada@…)". */
export function UserLink({ id, name, email }: { id: string; name: string; email?: string }) {
  return (
    <>
      <Link to={`/admin/users/${id}`}>{name}</Link>
      {email && ` (${email})`}
    </>
  );
}

/**
 * Keeps a link into the admin area only where this staff member may go: the admin layout's
 * loader lists the sections hidden from their role, and a link into one would lead to a 403
 * (a moderator reads the audit log, whose rows name products only editors open).
 */
export function useOpenableAdminHref(): (href: string | null | undefined) => string | null {
  const hidden = useRouteLoaderData<{ hidden: string[] }>("routes/admin")?.hidden ?? [];
  return (href) =>
    href && !hidden.some((section) => href === section || href.startsWith(`${section}/`))
      ? href
      : null;
}
