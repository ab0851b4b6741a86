import { Link, useLocation } from "@remix-run/react";
import type { ReactNode } from "react";

export interface NavItem {
  to: string;
  label: string;
  /** Active only on exactly this path (an overview page), not on the pages below it. */
  end?: boolean;
}

/** True when `pathname` is the page `to` names, or (unless `end`) a page below it. */
export function isCurrentPath(pathname: string, to: string, end = false): boolean {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  if (path === to) return true;
  return !end && to !== "/" && path.startsWith(`${to}/`);
}

/** A link that marks itself as the current page (`aria-current="page"`, class `active`). */
export function CurrentPageLink({
  to,
  end,
  children,
}: {
  to: string;
  end?: boolean;
  children: ReactNode;
}) {
  const current = isCurrentPath(useLocation().pathname, to, end);
  return (
    <Link
      to={to}
      prefetch="intent"
      className={current ? "active" : undefined}
      aria-current={current ? "page" : undefined}
    >
      {children}
    </Link>
  );
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
            <CurrentPageLink to={item.to} end={item.end}>
              {item.label}
            </CurrentPageLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
