import { CONTACT_EMAIL } from "~/lib/contact";
import { NavLinks, type NavItem } from "./nav-links";

const FOOTER_LINKS: NavItem[] = [
  { to: "/products", label: "Products" },
  { to: "/pricing", label: "Pricing" },
  { to: "/account/projects/new", label: "Studio" },
  { to: "/privacy", label: "Privacy" },
  { to: "/terms", label: "Terms" },
];

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
        <NavLinks items={FOOTER_LINKS} label="Footer" />
      </div>
    </footer>
  );
}
