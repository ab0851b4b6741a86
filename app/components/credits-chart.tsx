import type { BalanceChart } from "~/domain/credits/chart";
import { formatDate } from "~/lib/format";
import { DataTable } from "./data-table";

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
 * The balance after every ledger row as a server-rendered SVG step line, with a title and
 * description for screen readers and the same numbers as a table.
 */
export function CreditsChart({ chart }: { chart: BalanceChart }) {
  if (chart.dots.length === 0) return null;
  const first = chart.dots[0]!;
  const last = chart.dots.at(-1)!;
  const description = `Balance went from ${first.balance} on ${formatDate(first.at)} to ${last.balance} on ${formatDate(last.at)}, over ${chart.dots.length} ledger entries; the highest was ${chart.max}.`;
  return (
    <figure className="credits-chart" data-testid="credits-chart">
      <svg
        viewBox={`0 0 ${chart.width} ${chart.height}`}
        width={chart.width}
        height={chart.height}
        role="img"
        aria-labelledby="credits-chart-title credits-chart-desc"
      >
        <title id="credits-chart-title">Credits over time</title>
        <desc id="credits-chart-desc">{description}</desc>
        {chart.yTicks.map((tick) => (
          <g key={tick.value}>
            <line
              className="credits-chart__grid"
              x1={40}
              x2={chart.width - 12}
              y1={tick.y}
              y2={tick.y}
            />
            <text x={34} y={tick.y + 4} textAnchor="end">
              {tick.value}
            </text>
          </g>
        ))}
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
        {chart.xLabels.map((label, index) => (
          <text
            key={index}
            x={label.x}
            y={chart.height - 8}
            textAnchor={index === 0 ? "start" : "end"}
          >
            {formatDate(label.at)}
          </text>
        ))}
      </svg>
      <figcaption className="muted">
        Balance after each ledger entry. Rollovers are marked in green.
      </figcaption>
      <details>
        <summary>Chart data as a table</summary>
        <DataTable
          rows={chart.dots}
          rowKey={(_dot, index) => index}
          columns={[
            { header: "Date", cell: (dot) => formatDate(dot.at) },
            { header: "Entry", cell: (dot) => ledgerTypeLabel(dot.type) },
            { header: "Balance", cell: (dot) => dot.balance },
          ]}
        />
      </details>
    </figure>
  );
}
