import type { BalanceChart } from "~/domain/credits/chart";
import { formatDate } from "~/lib/format";
import { ChartFigure } from "./charts/chart-figure";

const TYPE_LABELS: Record<string, string> = {
  INITIAL_ALLOCATION: "Initial allocation",
  RENEWAL: "Renewal",
  ROLLOVER: "Rollover",
  TOP_UP: "Top-up",
  REFUND: "Refund",
  USAGE: "Usage",
  EXPIRY: "Expiry",
  ADJUSTMENT: "Adjustment",
};
export const ledgerTypeLabel = (type: string) => TYPE_LABELS[type] ?? type;

/**
 * The balance after every ledger row as a step line on the shared chart frame, with a title
 * and description for screen readers and the same numbers as a table.
 */
export function CreditsChart({ chart }: { chart: BalanceChart }) {
  if (chart.dots.length === 0) return null;
  const first = chart.dots[0]!;
  const last = chart.dots.at(-1)!;
  const description = `Balance went from ${first.balance} on ${formatDate(first.at)} to ${last.balance} on ${formatDate(last.at)}, over ${chart.dots.length} ledger entries; the highest was ${chart.max}.`;
  return (
    <ChartFigure
      id="credits-chart"
      title="Credits over time"
      description={description}
      chart={chart}
      className="credits-chart"
      testId="credits-chart"
      caption="Balance after each ledger entry. Rollovers are marked in green."
      rows={chart.dots}
      columns={[
        { header: "Date", cell: (dot) => formatDate(dot.at) },
        { header: "Entry", cell: (dot) => ledgerTypeLabel(dot.type) },
        { header: "Balance", cell: (dot) => dot.balance },
      ]}
    >
      <path className="credits-chart__line" d={chart.path} />
      {chart.dots.map((dot, index) => (
        <circle
          key={index}
          className={
            dot.type === "ROLLOVER"
              ? "credits-chart__dot credits-chart__dot--rollover"
              : "credits-chart__dot"
          }
          data-type={dot.type}
          cx={dot.x}
          cy={dot.y}
          r={dot.type === "ROLLOVER" ? 5 : 3}
        >
          <title>{`${ledgerTypeLabel(dot.type)}: balance ${dot.balance} (${formatDate(dot.at)})`}</title>
        </circle>
      ))}
    </ChartFigure>
  );
}
