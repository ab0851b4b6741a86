import type { ReactNode } from "react";

/*
 * The parts most pages are built from, in one module: pages that show a header usually show an
 * empty state too, and one small file loads faster than two (issue 17: lighter pages).
 */

/** A page's title, and the sentence under it that says what the page is for. */
export function PageHeader({ title, children }: { title: ReactNode; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      {children && <p>{children}</p>}
    </header>
  );
}

/** What a list or a section says when it has nothing to show yet, and what to do about it. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state" role="status">
      <h2>{title}</h2>
      {children}
    </div>
  );
}
