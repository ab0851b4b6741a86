import type { Key, ReactNode } from "react";
import { CHART_PAD, type ChartBox, type YTick } from "~/domain/charts/scale";
import { formatDate } from "~/lib/format";
import { DataTable, type Column } from "../data-table";

/** The frame of a chart as the domain computed it: its box, grid lines and date labels. */
export interface ChartFrame extends ChartBox {
  yTicks: readonly YTick[];
  xLabels: ReadonlyArray<{ x: number; at: number }>;
}

/**
 * A server-rendered SVG chart (no client script): the grid, the value and date labels, the
 * marks the caller draws (`children`), a title and description for screen readers, and the
 * same numbers as a table under "Chart data as a table". Styles: app/styles/charts.css.
 */
export function ChartFigure<Row>({
  id,
  title,
  description,
  chart,
  formatTick = String,
  caption,
  captionAbove = false,
  className,
  testId,
  rows,
  columns,
  rowKey = (_row, index) => index,
  children,
}: {
  /** Unique on the page: the SVG's title and description ids derive from it. */
  id: string;
  title: string;
  description: string;
  chart: ChartFrame;
  formatTick?: (value: number) => string;
  caption?: ReactNode;
  /** The caption names the chart (dashboard) rather than explaining it (credits). */
  captionAbove?: boolean;
  className?: string;
  testId?: string;
  rows: readonly Row[];
  columns: readonly Column<Row>[];
  rowKey?: (row: Row, index: number) => Key;
  children: ReactNode;
}) {
  return (
    <figure className={className ? `chart ${className}` : "chart"} data-testid={testId}>
      {caption && captionAbove && <figcaption className="chart__caption">{caption}</figcaption>}
      <svg
        viewBox={`0 0 ${chart.width} ${chart.height}`}
        width={chart.width}
        height={chart.height}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        {chart.yTicks.map((tick) => (
          <g key={tick.value}>
            <line
              className="chart__grid"
              x1={CHART_PAD.left}
              x2={chart.width - CHART_PAD.right}
              y1={tick.y}
              y2={tick.y}
            />
            <text x={CHART_PAD.left - 6} y={tick.y + 4} textAnchor="end">
              {formatTick(tick.value)}
            </text>
          </g>
        ))}
        {children}
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
      {caption && !captionAbove && <figcaption className="muted">{caption}</figcaption>}
      <details>
        <summary>Chart data as a table</summary>
        <DataTable rows={rows} rowKey={rowKey} columns={columns} />
      </details>
    </figure>
  );
}
