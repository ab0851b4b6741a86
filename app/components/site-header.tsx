import { Form, Link } from "@remix-run/react";
import { NavLinks, type NavItem } from "./nav-links";

/** Pages that exist; services and pricing join when their issues land. */
const NAVIGATION: NavItem[] = [
  { to: "/products", label: "Products" },
  { to: "/pricing", label: "Pricing" },
];

const STAFF_ROLES = new Set(["VIEWER", "EDITOR", "MODERATOR", "ADMIN", "OWNER"]);

type Account = { name: string; email: string; role: string } | null;

export function SiteHeader({ account }: { account: Account }) {
  return (
    <header className="site-header">
      <div className="container site-header__inner">
        <Link to="/" className="brand" aria-label="Studio Store home">
          <span className="brand__mark" aria-hidden="true">
            ◆
          </span>
          Studio Store
        </Link>
        <NavLinks items={NAVIGATION} label="Main" className="site-nav" />
        {account ? (
          <AccountMenu account={account} />
        ) : (
          <div className="site-header__actions">
            <Link to="/login" className="button button--ghost">
              Log in
            </Link>
            <Link to="/signup" className="button">
              Sign up
            </Link>
          </div>
        )}
      </div>
    </header>
  );
}

function AccountMenu({ account }: { account: NonNullable<Account> }) {
  return (
    <details className="account-menu">
      <summary aria-label={`Account menu for ${account.name}`}>
        <span className="account-menu__avatar" aria-hidden="true">
          {account.name.slice(0, 1).toUpperCase()}
        </span>
        <span className="account-menu__name">{account.name}</span>
      </summary>
      <div className="account-menu__panel">
        <p className="account-menu__email">{account.email}</p>
        <ul>
          <li>
            <Link to="/account">Account</Link>
          </li>
          <li>
            <Link to="/account/security">Security</Link>
          </li>
          {STAFF_ROLES.has(account.role) && (
            <li>
              <Link to="/admin">Admin</Link>
            </li>
          )}
        </ul>
        <Form method="post" action="/logout">
          <button type="submit" className="button button--ghost">
            Log out
          </button>
        </Form>
      </div>
    </details>
  );
}
