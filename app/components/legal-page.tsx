import type { ReactNode } from "react";
import { PageHeader } from "./page";

/** `/privacy` and `/terms`: long-form text with a title, a lead and, optionally, contents. */
export function LegalPage({
  title,
  lead,
  contents,
  children,
}: {
  title: string;
  lead: ReactNode;
  /** Section ids and titles, listed as "On this page" links. */
  contents?: Readonly<Record<string, string>>;
  children: ReactNode;
}) {
  return (
    <div className="container section">
      <article className="legal">
        <PageHeader title={title}>{lead}</PageHeader>
        {contents && (
          <nav aria-label="On this page" className="legal__toc">
            <ul role="list">
              {Object.entries(contents).map(([id, heading]) => (
                <li key={id}>
                  <a href={`#${id}`}>{heading}</a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        {children}
      </article>
    </div>
  );
}

export function LegalSection({
  id,
  title,
  children,
}: {
  id: string;
  title: string;
  children: ReactNode;
}) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}
