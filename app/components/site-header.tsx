import { Link, NavLink } from "@remix-run/react";

/** Pages that exist; services and pricing join when their issues land. */
const NAVIGATION = [{ to: "/products", label: "Products" }];

export function SiteHeader() {
  return (
    <header className="site-header">
      <div className="container site-header__inner">
        <Link to="/" className="brand" aria-label="Studio Store home">
          <span className="brand__mark" aria-hidden="true">
            ◆
          </span>
          Studio Store
        </Link>
        <nav aria-label="Main" className="site-nav">
          <ul>
            {NAVIGATION.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} prefetch="intent">
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <Link to="/login" className="button button--ghost">
          Log in
        </Link>
      </div>
    </header>
  );
}
