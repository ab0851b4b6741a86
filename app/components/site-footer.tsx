import { Link } from "@remix-run/react";
import { CONTACT_EMAIL } from "~/lib/contact";
import { CurrentPageLink } from "./nav-links";

/**
 * Studio is the home page's services section (what the studio does, how a project runs): a
 * plain link, since NavLink would mark it as the current page all over the home page.
 */
const FOOTER_LINKS = [
  { to: "/products", label: "Products" },
  { to: "/pricing", label: "Pricing" },
  { to: "/#studio", label: "Studio", section: true },
  { to: "/account/projects/new", label: "Start a project" },
  { to: "/privacy", label: "Privacy" },
  { to: "/terms", label: "Terms" },
] as const;

export function SiteFooter() {
  const year = new Date().getFullYear();
  return (
    <footer className="site-footer">
      <div className="container site-footer__inner">
        <div className="site-footer__about">
          <p>© {year} Studio Store. Every license is for the buyer; we never sell your data.</p>
          <p>
            Questions, refunds or privacy requests:{" "}
            <a href={`mailto:${CONTACT_EMAIL}`} data-testid="contact-email">
              {CONTACT_EMAIL}
            </a>
          </p>
        </div>
        <nav aria-label="Footer">
          <ul role="list">
            {FOOTER_LINKS.map((link) => (
              <li key={link.to}>
                {"section" in link ? (
                  <Link to={link.to}>{link.label}</Link>
                ) : (
                  <CurrentPageLink to={link.to}>{link.label}</CurrentPageLink>
                )}
              </li>
            ))}
          </ul>
        </nav>
      </div>
    </footer>
  );
}
