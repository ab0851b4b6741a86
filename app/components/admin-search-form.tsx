import { Form, Link, useLocation } from "@remix-run/react";
import { useId } from "react";
import { labelOf } from "~/domain/labels";
import { useIsFiltering } from "./forms";

/** The filters of a list as its loader parsed them (`q`, enum filters, `cursor`). */
export type ListSearch = Readonly<Record<string, unknown>>;

/** True when any filter is set: the page is a search, not the whole list. */
export function hasFilters(search: ListSearch): boolean {
  return Object.entries(search).some(
    ([name, value]) => name !== "cursor" && value !== undefined && value !== null && value !== "",
  );
}

export interface SearchSelect {
  name: string;
  label: string;
  /** The first option, meaning "no filter" ("Any status"). */
  anyLabel: string;
  options: readonly string[];
  /** The words for each option (~/domain/labels); without them, the value in sentence case. */
  labels?: Readonly<Record<string, string>>;
}

export interface SearchFormProps {
  /** What is searched, for the form's accessible name ("users"). */
  name: string;
  /** The label of the text box; without one the form only filters. */
  queryLabel?: string;
  selects: readonly SearchSelect[];
}

/**
 * The search bar of an admin list: a text query, a few enum selects, Search and (when a
 * filter is set) Clear. A GET form, so results are linkable and the back button works.
 */
export function AdminSearchForm({
  name,
  queryLabel,
  selects,
  search,
}: SearchFormProps & { search: ListSearch }) {
  const id = useId();
  const { pathname } = useLocation();
  const busy = useIsFiltering();
  const [verb, busyText] = queryLabel ? ["Search", "Searching…"] : ["Filter", "Filtering…"];
  const valueOf = (field: string) => {
    const value = search[field];
    return typeof value === "string" ? value : "";
  };
  return (
    <Form method="get" className="filters" role="search" aria-label={`${verb} ${name}`}>
      {queryLabel && (
        <div className="field">
          <label htmlFor={`${id}-q`}>{queryLabel}</label>
          <input
            id={`${id}-q`}
            name="q"
            type="search"
            defaultValue={valueOf("q")}
            maxLength={100}
          />
        </div>
      )}
      {selects.map((select) => (
        <div className="field" key={select.name}>
          <label htmlFor={`${id}-${select.name}`}>{select.label}</label>
          <select
            id={`${id}-${select.name}`}
            name={select.name}
            defaultValue={valueOf(select.name)}
          >
            <option value="">{select.anyLabel}</option>
            {select.options.map((option) => (
              <option key={option} value={option}>
                {labelOf(select.labels, option)}
              </option>
            ))}
          </select>
        </div>
      ))}
      <button type="submit" className="button" disabled={busy}>
        {busy ? busyText : verb}
      </button>
      {hasFilters(search) && (
        <Link to={pathname} className="button button--ghost">
          Clear
        </Link>
      )}
    </Form>
  );
}
