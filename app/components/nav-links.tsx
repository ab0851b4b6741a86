import { NavLink } from "@remix-run/react";

export interface NavItem {
  to: string;
  label: string;
  /** Active only on exactly this path (an overview page), not on the pages below it. */
  end?: boolean;
}

/** A labelled list of links where the current page's link is marked active. */
export function NavLinks({
  items,
  label,
  className,
}: {
  items: readonly NavItem[];
  label: string;
  className?: string;
}) {
  return (
    <nav aria-label={label} className={className}>
      <ul role="list">
        {items.map((item) => (
          <li key={item.to}>
            <NavLink to={item.to} end={item.end} prefetch="intent">
              {item.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
