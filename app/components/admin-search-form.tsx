import { Form, Link } from "@remix-run/react";
import { useId } from "react";
import { useIsFiltering } from "./forms";

export interface SearchSelect {
  name: string;
  label: string;
  /** The first option, meaning "no filter" ("Any status"). */
  anyLabel: string;
  options: readonly string[];
  value?: string | null;
}

/**
 * The search bar of an admin list: a text query, a few enum selects, Search and (when a
 * filter is set) Clear. A GET form, so results are linkable and the back button works.
 */
export function AdminSearchForm({
  name,
  clearTo,
  queryLabel,
  query,
  selects,
  filtering,
}: {
  /** What is searched, for the form's accessible name ("users"). */
  name: string;
  clearTo: string;
  queryLabel: string;
  query?: string | null;
  selects: SearchSelect[];
  filtering: boolean;
}) {
  const id = useId();
  const searching = useIsFiltering();
  return (
    <Form method="get" className="filters" role="search" aria-label={`Search ${name}`}>
      <div className="field">
        <label htmlFor={`${id}-q`}>{queryLabel}</label>
        <input id={`${id}-q`} name="q" type="search" defaultValue={query ?? ""} maxLength={100} />
      </div>
      {selects.map((select) => (
        <div className="field" key={select.name}>
          <label htmlFor={`${id}-${select.name}`}>{select.label}</label>
          <select id={`${id}-${select.name}`} name={select.name} defaultValue={select.value ?? ""}>
            <option value="">{select.anyLabel}</option>
            {select.options.map((option) => (
              <option key={option} value={option}>
                {option.toLowerCase()}
              </option>
            ))}
          </select>
        </div>
      ))}
      <button type="submit" className="button" disabled={searching}>
        {searching ? "Searching…" : "Search"}
      </button>
      {filtering && (
        <Link to={clearTo} className="button button--ghost">
          Clear
        </Link>
      )}
    </Form>
  );
}
