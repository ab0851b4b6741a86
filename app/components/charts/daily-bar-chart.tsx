import { buildBarChart } from "~/domain/dashboard/bar-chart";
import type { DailyPoint } from "~/domain/dashboard/daily-series";
import { formatDate } from "~/lib/format";
import type { Column } from "../data-table";
import { ChartFigure } from "./chart-figure";

/**
 * One bar per UTC day (the dashboard's last 30 days). `format` writes a value as the page
 * says it ("3 sales", "$12.00"); `formatTick` the shorter form on the axis.
 */
export function DailyBarChart({
  id,
  title,
  series,
  format,
  formatTick,
  extraColumns = [],
}: {
  id: string;
  title: string;
  series: readonly DailyPoint[];
  format: (value: number) => string;
  formatTick?: (value: number) => string;
  /** More numbers per day in the table (refunds beside revenue). */
  extraColumns?: readonly Column<DailyPoint & { index: number }>[];
}) {
  const chart = buildBarChart(series);
  const first = series[0];
  const last = series.at(-1);
  const busiest = series.reduce<DailyPoint | null>(
    (best, point) => (point.value > (best?.value ?? 0) ? point : best),
    null,
  );
  const total = series.reduce((sum, point) => sum + point.value, 0);
  const description =
    first && last
      ? `${title} per day from ${formatDate(first.at)} to ${formatDate(last.at)}: ${format(total)} in all` +
        (busiest ? `; the most was ${format(busiest.value)} on ${formatDate(busiest.at)}.` : ".")
      : `${title}: nothing to show.`;
  return (
    <ChartFigure
      id={id}
      title={title}
      description={description}
      chart={chart}
      formatTick={formatTick}
      caption={
        <>
          <strong>{title}</strong> <span className="muted">{format(total)} in all</span>
        </>
      }
      captionAbove
      className="chart--bars"
      testId={id}
      rows={series.map((point, index) => ({ ...point, index }))}
      rowKey={(point) => point.at}
      columns={[
        { header: "Day (UTC)", cell: (point) => formatDate(point.at) },
        { header: title, cell: (point) => format(point.value) },
        ...extraColumns,
      ]}
    >
      {chart.bars.map((bar) => (
        <rect
          key={bar.at}
          className="chart__bar"
          x={bar.x}
          y={bar.y}
          width={bar.width}
          height={bar.height}
        >
          <title>{`${formatDate(bar.at)}: ${format(bar.value)}`}</title>
        </rect>
      ))}
    </ChartFigure>
  );
}
