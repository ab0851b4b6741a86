import type { ReactNode } from "react";

export interface Fact {
  label: ReactNode;
  value: ReactNode;
  testId?: string;
}

/**
 * A record's facts as a description list ("Seats: 1 of 5"). Entries that are `false` or
 * `null` are left out, so a page can list a fact only when it applies.
 */
export function Facts({
  facts,
  className = "facts",
  testId,
}: {
  facts: ReadonlyArray<Fact | false | null | undefined>;
  className?: string;
  testId?: string;
}) {
  return (
    <dl className={className} data-testid={testId}>
      {facts.map(
        (fact, index) =>
          fact && (
            <div key={index}>
              <dt>{fact.label}</dt>
              <dd data-testid={fact.testId}>{fact.value}</dd>
            </div>
          ),
      )}
    </dl>
  );
}
