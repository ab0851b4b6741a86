import { NavLinks } from "./nav-links";

export function SiteFooter() {
  const year = new Date().getFullYear();
  return (
    <footer className="site-footer">
      <div className="container site-footer__inner">
        <p>© {year} Studio Store. Every license is for the buyer; we never sell your data.</p>
        <NavLinks items={[{ to: "/products", label: "Products" }]} label="Footer" />
      </div>
    </footer>
  );
}
