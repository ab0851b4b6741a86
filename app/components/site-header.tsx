import { Form, Link, useLocation } from "@remix-run/react";
import { useEffect, useRef, useState, type ReactNode, type SyntheticEvent } from "react";
import { NavLinks, type NavItem } from "./nav-links";

/** Pages that exist; services and pricing join when their issues land. */
const NAVIGATION: NavItem[] = [
  { to: "/products", label: "Products" },
  { to: "/pricing", label: "Pricing" },
];

const STAFF_ROLES = new Set(["VIEWER", "EDITOR", "MODERATOR", "ADMIN", "OWNER"]);

type Account = { name: string; email: string; role: string } | null;

/**
 * On a wide screen the main links and the log-in buttons sit in the header row. On a phone they
 * move behind a "Menu" disclosure (`.site-menu`), so the row never wraps; the two sets are the
 * same links, and CSS shows one of them.
 */
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
        <NavLinks items={NAVIGATION} label="Main" className="site-nav site-header__wide" />
        {!account && <LogInLinks className="site-header__actions site-header__wide" />}
        <Disclosure
          className="site-menu"
          panelId="site-menu-panel"
          summary={
            <>
              <span className="site-menu__icon" aria-hidden="true" />
              Menu
            </>
          }
        >
          <NavLinks items={NAVIGATION} label="Main" className="site-menu__nav" />
          {!account && <LogInLinks className="site-menu__actions" />}
        </Disclosure>
        {account && <AccountMenu account={account} />}
      </div>
    </header>
  );
}

function LogInLinks({ className }: { className: string }) {
  return (
    <div className={className}>
      <Link to="/login" className="button button--ghost">
        Log in
      </Link>
      <Link to="/signup" className="button">
        Sign up
      </Link>
    </div>
  );
}

/**
 * A `<details>` menu: it opens and closes without JavaScript; once hydrated it also says
 * `aria-expanded`, closes on Escape (focus back on its button) and after a navigation.
 */
function Disclosure({
  className,
  panelId,
  summary,
  children,
}: {
  className: string;
  panelId: string;
  summary: ReactNode;
  children: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const [hydrated, setHydrated] = useState(false);
  const details = useRef<HTMLDetailsElement>(null);
  const button = useRef<HTMLElement>(null);
  const location = useLocation();

  useEffect(() => setHydrated(true), []);
  // A link in the menu was followed: the new page starts with the menu closed.
  useEffect(() => {
    if (details.current) details.current.open = false;
    setOpen(false);
  }, [location.key]);

  // Escape anywhere in the open menu closes it and puts focus back on its button.
  useEffect(() => {
    const element = details.current;
    if (!element) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== "Escape" || !element.open) return;
      element.open = false;
      setOpen(false);
      button.current?.focus();
    };
    element.addEventListener("keydown", onKeyDown);
    return () => element.removeEventListener("keydown", onKeyDown);
  }, []);

  const onToggle = (event: SyntheticEvent<HTMLDetailsElement>) => setOpen(event.currentTarget.open);

  return (
    <details ref={details} className={className} onToggle={onToggle}>
      <summary ref={button} aria-controls={panelId} aria-expanded={hydrated ? open : undefined}>
        {summary}
      </summary>
      <div id={panelId} className={`${className}__panel`}>
        {children}
      </div>
    </details>
  );
}

function AccountMenu({ account }: { account: NonNullable<Account> }) {
  return (
    <Disclosure
      className="account-menu"
      panelId="account-menu-panel"
      summary={
        <>
          <span className="account-menu__avatar" aria-hidden="true">
            {account.name.slice(0, 1).toUpperCase()}
          </span>
          <span className="visually-hidden">Account menu for {account.name}</span>
          <span className="account-menu__name" aria-hidden="true">
            {account.name}
          </span>
        </>
      }
    >
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
    </Disclosure>
  );
}
