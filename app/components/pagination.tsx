import { Link, useLocation } from "@remix-run/react";

/** "Next page" for keyset pagination; "First page" when the visitor is past page one. */
export function CursorPagination({ nextCursor }: { nextCursor: string | null }) {
  const location = useLocation();
  const params = new URLSearchParams(location.search);
  const onFirstPage = !params.has("cursor");

  const withCursor = (cursor: string | null) => {
    const next = new URLSearchParams(params);
    if (cursor) next.set("cursor", cursor);
    else next.delete("cursor");
    const search = next.toString();
    return search ? `?${search}` : location.pathname;
  };

  if (onFirstPage && !nextCursor) return null;
  return (
    <nav className="pagination" aria-label="Pagination">
      {!onFirstPage && (
        <Link to={withCursor(null)} className="button button--ghost">
          ← First page
        </Link>
      )}
      {nextCursor && (
        <Link to={withCursor(nextCursor)} className="button button--ghost" rel="next">
          Next page →
        </Link>
      )}
    </nav>
  );
}
