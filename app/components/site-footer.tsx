import { Link } from "@remix-run/react";

export function SiteFooter() {
  const year = new Date().getFullYear();
  return (
    <footer className="site-footer">
      <div className="container site-footer__inner">
        <p>© {year} Studio Store. Every license is for the buyer; we never sell your data.</p>
        <nav aria-label="Footer">
          <ul>
            <li>
              <Link to="/products">Products</Link>
            </li>
          </ul>
        </nav>
      </div>
    </footer>
  );
}
